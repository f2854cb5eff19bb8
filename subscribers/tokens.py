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


def make_confirm_token(subscriber):
    # Names the address so a token issued before an address change cannot confirm it.
    return signing.dumps(
        {"id": subscriber.pk, "a": _address_check(subscriber.email)}, salt=CONFIRM_SALT
    )


def read_confirm_token(token):
    """Return (id, address check) or raise signing.BadSignature (SignatureExpired included)."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if "e" in data:  # sent before November 2026 with the address itself; gone within 7 days
        return data["id"], _address_check(data["e"])
    return data["id"], data["a"]


def confirm_token_names(address_check, email):
    return isinstance(address_check, str) and constant_time_compare(
        address_check, _address_check(email)
    )


def make_manage_token(subscriber):
    return signing.dumps({"id": subscriber.pk}, salt=MANAGE_SALT)


def read_manage_token(token):
    """Return the subscriber id or raise signing.BadSignature."""
    return signing.loads(token, salt=MANAGE_SALT)["id"]
