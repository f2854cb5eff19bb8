"""Signed tokens for links in emails.

Confirmation links expire; the personal links in every issue (preferences, unsubscribe) do
not, because a reader may act on an old email. Both are signed with SECRET_KEY, so they cannot
be forged or pointed at someone else.
"""

from django.core import signing

CONFIRM_SALT = "subscribers.confirm"
MANAGE_SALT = "subscribers.manage"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


def make_confirm_token(subscriber):
    # Includes the address so a token issued before an address change cannot confirm it.
    return signing.dumps({"id": subscriber.pk, "e": subscriber.email.lower()}, salt=CONFIRM_SALT)


def read_confirm_token(token):
    """Return (id, email) or raise signing.BadSignature (SignatureExpired included)."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    return data["id"], data["e"]


def make_manage_token(subscriber):
    return signing.dumps({"id": subscriber.pk}, salt=MANAGE_SALT)


def read_manage_token(token):
    """Return the subscriber id or raise signing.BadSignature."""
    return signing.loads(token, salt=MANAGE_SALT)["id"]
