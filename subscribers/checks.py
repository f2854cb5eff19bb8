"""Deployment checks (`manage.py check --deploy`) for what every email carries."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

# The example in settings.py and .env.example, kept until someone writes the real one in.
PLACEHOLDER_POSTAL_ADDRESS = "SCA, 1 Example Street, Edinburgh EH1 1AA"


@register(Tags.security, deploy=True)
def check_email_settings(app_configs, **kwargs):
    warnings = []
    site = urlsplit(settings.SITE_URL)
    if site.hostname in (None, "localhost", "127.0.0.1", "::1"):
        warnings.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL}, this machine: every link in emails and "
                "feeds, and the one-click unsubscribe, would point there.",
                hint="Set SITE_URL to the site's public address, e.g. https://briefing.example.org.",
                id="sca.W001",
            )
        )
    elif site.scheme != "https":
        warnings.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL}, not https: readers' links would go over "
                "plain HTTP, and mail providers ignore a one-click unsubscribe (RFC 8058) that "
                "is not https.",
                hint="Set SITE_URL to the site's https address.",
                id="sca.W002",
            )
        )
    if settings.BRIEFING_POSTAL_ADDRESS == PLACEHOLDER_POSTAL_ADDRESS:
        warnings.append(
            Warning(
                "BRIEFING_POSTAL_ADDRESS is still the example address: every email's footer "
                "would give it, and marketing email must carry the sender's real one.",
                hint="Set BRIEFING_POSTAL_ADDRESS to the organisation's postal address.",
                id="sca.W003",
            )
        )
    sender_domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    if "." not in sender_domain:
        warnings.append(
            Warning(
                f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL}: mail servers refuse or "
                "file as junk mail from an address with no real domain.",
                hint="Set DEFAULT_FROM_EMAIL to the address the briefing comes from, e.g. "
                '"SCA Briefing <briefing@example.org>" with your own domain.',
                id="sca.W004",
            )
        )
    return warnings
