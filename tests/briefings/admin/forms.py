"""Build the POST data the issue admin's add and change forms send, formsets included."""

EMPTY_ARTICLE = {
    "id": "",
    "section": "",
    "title": "",
    "slug": "",
    "teaser": "",
    "body": "",
    "order": "0",
    "source_url": "",
    "source_label": "",
    "people": [],
    "organisations": [],
    "tags": "",
}


def existing_article(article, **changes):
    """The inline form's fields for an article already saved, as the page would send them."""
    return {
        "id": str(article.pk),
        "section": str(article.section_id),
        "title": article.title,
        "slug": article.slug,
        "teaser": article.teaser,
        "body": article.body,
        "order": str(article.order),
        **changes,
    }


def article_form_data(article, loaded_state, **changes):
    """The Articles screen's form for `article`, as loaded when the article was saved as
    `loaded_state` (briefings.forms.article_state)."""
    data = existing_article(
        article,
        **{
            "issue": str(article.issue_id),
            "source_url": "",
            "source_label": "",
            "tags": "",
            "loaded_state": loaded_state,
            "_save": "Save",
            **changes,
        },
    )
    del data["id"]  # the inline's; the Articles screen has the article in its address
    return data


def issue_form_data(*, issue=None, articles=(), initial_articles=0, **fields):
    data = {
        "date": "2026-01-07",
        "title": "",
        "leader": "<p>Winter is hard on village halls.</p>",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "email_subject": "",
        "loaded_version": str(issue.version) if issue else "",
        "_save": "Save",
        "articles-TOTAL_FORMS": str(len(articles)),
        "articles-INITIAL_FORMS": str(initial_articles),
        "articles-MIN_NUM_FORMS": "0",
        "articles-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    for i, article in enumerate(articles):
        values = {**EMPTY_ARTICLE, **article}
        if issue is not None:
            values["issue"] = str(issue.pk)
        for name, value in values.items():
            if name == "DELETE":
                if value:
                    data[f"articles-{i}-DELETE"] = "on"
                continue
            data[f"articles-{i}-{name}"] = value
    return data


def public_issue_form_data(issue, **fields):
    """The change form of an issue already on the site, sent back as it stands."""
    return issue_form_data(
        issue=issue,
        date=f"{issue.date:%Y-%m-%d}",
        status="published",
        publish_at_0=f"{issue.publish_at:%Y-%m-%d}",
        publish_at_1=f"{issue.publish_at:%H:%M:%S}",
        **fields,
    )
