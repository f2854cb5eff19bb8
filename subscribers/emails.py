"""The email edition of an issue.

Placeholder interface: the email issue (#5) replaces the bodies of these functions with the
real rendering (inlined CSS, personal links, headers). Other code calls only these names.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_issue_message(issue, *, to, subscriber=None):
    """An EmailMultiAlternatives of `issue` for one recipient address.

    `subscriber` is given for list sends (personal unsubscribe links); None for a one-off
    "email me this issue" request or a test send.
    """
    context = {"issue": issue, "subscriber": subscriber, "SITE_URL": settings.SITE_URL}
    subject = issue.email_subject or f"{settings.SITE_NAME} Briefing – {issue.date:%-d %B %Y}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("subscribers/email/issue.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(
        render_to_string("subscribers/email/issue.html", context), "text/html"
    )
    return message
