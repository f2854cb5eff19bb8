from django import template

from .. import consent, spam

register = template.Library()


@register.simple_tag
def form_started_token():
    """A signed timestamp for the minimum fill time (the same for every visitor of a page)."""
    return spam.make_started_token()


@register.simple_tag
def consent_wording():
    return consent.current_wording()


@register.simple_tag
def consent_version():
    return consent.CURRENT_VERSION
