"""The consent wording shown beside the sign-up button, versioned.

UK GDPR and PECR ask us to show what each subscriber agreed to. Never edit a published
wording: add a new version and make it CURRENT_VERSION, so old records still point at the
words those people saw.
"""

WORDING = {
    "2026-11": (
        "By pressing “Send me the briefing” you agree that SCA may email you its fortnightly "
        "briefing. We use your name, email address and organisation only for that, and you "
        "can leave at any time with the link in every email."
    ),
}
CURRENT_VERSION = "2026-11"


def current_wording():
    return WORDING[CURRENT_VERSION]
