import unicodedata

import idna
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from . import consent

# Characters that have no business in a name or an address and that could split an email
# header or a CSV row: control characters (\r, \n, \t, NUL ...), format characters and the
# Unicode line and paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Invisible, but part of how names are written: the joiner and non-joiner shape Persian and
# Indic names and join emoji sequences. Other format characters (bidi overrides) can disguise
# a name, so they stay out.
_JOINERS = {"\u200c", "\u200d"}


def reject_control_characters(value):
    if any(
        unicodedata.category(ch) in _FORBIDDEN_CATEGORIES and ch not in _JOINERS for ch in value
    ):
        raise ValidationError("Please use letters, numbers and punctuation only.")


class PlainTextField(forms.CharField):
    default_validators = [reject_control_characters]


class ReaderEmailValidator(EmailValidator):
    """Django's check, without "name@localhost" or "name@[10.1.2.3]": no reader's address
    is either, and they would let strangers have our mail server deliver to machines inside
    a network."""

    def __init__(self):
        super().__init__(allowlist=[])

    def validate_domain_part(self, domain_part):
        return not domain_part.startswith("[") and super().validate_domain_part(domain_part)


class EmailAddressField(forms.EmailField):
    default_validators = [ReaderEmailValidator(), reject_control_characters]
    default_error_messages = {
        "invalid": "Please give a full email address, like name@example.org.",
        "unsupported": (
            "Sorry, we cannot send to an address with accented letters or quotes before "
            "the @. Please use another address."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Please give your email address.",
                "max_length": "That email address is too long (254 characters at most).",
            },
        )
        super().__init__(**kwargs)

    def clean(self, value):
        """A domain in another script is kept in its ASCII form (IDNA 2008), so that
        "bücher.example" and "xn--bcher-kva.example" are one subscriber, and mail goes to
        "straße.example" rather than to "strasse.example" as Python's own encoding would."""
        # Django's check refuses these with its "invalid" message, which tells a reader whose
        # address is complete that it is not.
        local = (value or "").strip().rpartition("@")[0]
        if local and (not local.isascii() or local.startswith('"')):
            raise ValidationError(self.error_messages["unsupported"], code="unsupported")
        value = super().clean(value)
        local, _, domain = value.rpartition("@")
        # An ASCII domain with an "xn--" label is checked too: "xn--zz" encodes nothing.
        if domain.isascii() and "xn--" not in domain.lower():
            return value
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return f"{local}@{domain}"


def readable_address(address):
    """An address as its owner would write it: a domain kept in its ASCII form (see
    EmailAddressField.clean) shown in its own script again."""
    local, _, domain = address.rpartition("@")
    if "xn--" not in domain:
        return address
    try:
        return f"{local}@{idna.decode(domain)}"
    except idna.IDNAError:
        return address


class PublicForm(forms.Form):
    """Fields every public form shares: the honeypot and the signed start time."""

    # Hidden from people (and from screen readers); bots fill in every field they find.
    website = forms.CharField(required=False)
    started = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    source = PlainTextField(required=False, max_length=500, widget=forms.HiddenInput)

    @property
    def is_bot(self):
        return bool(self.data.get("website"))

    def clean_source(self):
        # The page the form was on, for the consent record; anything else is not believable.
        source = self.cleaned_data.get("source", "")
        return source if source.startswith("/") and not source.startswith("//") else ""


class SignupForm(PublicForm):
    name = PlainTextField(
        max_length=200,
        error_messages={
            "required": "Please give your name.",
            "max_length": "Please shorten your name to 200 characters.",
        },
    )
    email = EmailAddressField()
    organisation = PlainTextField(
        required=False,
        max_length=200,
        error_messages={"max_length": "Please shorten the organisation to 200 characters."},
    )
    consent_version = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean_consent_version(self):
        # A page cached before the wording changed sends the old version; they agreed to those
        # words, so we keep them. Anything unknown gets the current wording shown again.
        version = self.cleaned_data.get("consent_version") or ""
        if version not in consent.WORDING:
            raise ValidationError("Please read the wording beside the button and send again.")
        return version


class IssueRequestForm(PublicForm):
    email = EmailAddressField()


class PreferencesForm(forms.Form):
    name = PlainTextField(
        max_length=200,
        error_messages={
            "required": "Please give your name.",
            "max_length": "Please shorten your name to 200 characters.",
        },
    )
    organisation = PlainTextField(
        required=False,
        max_length=200,
        error_messages={"max_length": "Please shorten the organisation to 200 characters."},
    )


# services.IMPORT_MAX_ROWS rows of about 50 characters (QA's list) are 7.5 MB, of 95 (the
# benchmark's) 14.3 MB; this leaves room for long names and sources, and the file is read
# into memory whole. nginx lets a little more through to the import page
# (deploy/nginx-sca-briefings.conf), so that Django is the one to say no, in words.
IMPORT_MAX_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Columns: name, email, organisation, consent source, consent date (YYYY-MM-DD). "
            "The first row holds the column names."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(
                f"The file is larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB, more than "
                "one import can take. Nothing has been imported. Please split it into smaller "
                "files, each with the row of column names first, and import them one after "
                "another."
            )
        return upload
