"""How the admin reads and writes an article's topics (TAGGIT_TAGS_FROM_STRING and
TAGGIT_STRING_FROM_TAGS).

Editors separate topics with commas, as the field's help text says. taggit's own parser
splits on spaces when there is no comma, so a single topic of several words, "Community
Empowerment Act", became three topics.
"""


def parse_topics(text):
    """Topic names from what an editor typed: separated by commas, spaces and quotes around
    each name trimmed, each name once."""
    names = {}
    for part in (text or "").split(","):
        name = " ".join(part.strip().strip("\"'").split())
        if name:
            names.setdefault(name.casefold(), name)
    return sorted(names.values(), key=str.casefold)


def topics_as_text(tags):
    """The topics as the field shows them, read back by parse_topics unchanged."""
    return ", ".join(sorted((tag.name for tag in tags), key=str.casefold))
