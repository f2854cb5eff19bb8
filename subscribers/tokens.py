"""Signed tokens for links in emails.

Confirmation links expire; the personal links in every issue (preferences, unsubscribe) do
not, because a reader may act on an old email. Both are signed with SECRET_KEY, so they cannot
be forged or pointed at someone else.
"""

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_SALT = "subscribers.confirm"
MANAGE_SALT = "subscribers.manage"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


def _address_check(email):
    # Keyed, so the link (which lands in access logs and proxies) does not carry the address,
    # readable or guessable, yet still names it.
    return salted_hmac(CONFIRM_SALT, email.lower(), algorithm="sha256").hexdigest()[:20]


def _left_check(subscriber):
    """Which time of leaving the list a link was sent after (None: they have not left)."""
    if subscriber.unsubscribed_at is None:
        return None
    left = subscriber.unsubscribed_at.isoformat()
    return salted_hmac(CONFIRM_SALT + ".left", left, algorithm="sha256").hexdigest()[:12]


def make_confirm_token(subscriber):
    # Names the address so a token issued before an address change cannot confirm it, and
    # the last time they left the list so a link sent before they left cannot bring them back.
    data = {"id": subscriber.pk, "a": _address_check(subscriber.email)}
    if left := _left_check(subscriber):
        data["l"] = left
    return signing.dumps(data, salt=CONFIRM_SALT)


def read_confirm_token(token):
    """Return (id, address check, left check) or raise signing.BadSignature
    (SignatureExpired included)."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if "e" in data:  # sent before November 2026 with the address itself; gone within 7 days
        return data["id"], _address_check(data["e"]), None
    return data["id"], data["a"], data.get("l")


def confirm_token_names(address_check, email):
    return isinstance(address_check, str) and constant_time_compare(
        address_check, _address_check(email)
    )


def confirm_token_is_current(left_check, subscriber):
    """False for a link sent before the subscriber last left the list: leaving cancels it.

    A subscriber who is on the list may open any of their links again; it changes nothing.
    """
    if subscriber.status == subscriber.Status.ACTIVE:
        return True
    current = _left_check(subscriber)
    if current is None:
        return left_check is None  # never left: only a link that says so
    return isinstance(left_check, str) and constant_time_compare(left_check, current)


def make_manage_token(subscriber):
    return signing.dumps({"id": subscriber.pk}, salt=MANAGE_SALT)


def read_manage_token(token):
    """Return the subscriber id or raise signing.BadSignature."""
    return signing.loads(token, salt=MANAGE_SALT)["id"]
