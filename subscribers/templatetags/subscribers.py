from django import template

from .. import consent, forms, spam

register = template.Library()


@register.simple_tag
def form_started_token(previous=None):
    """A signed timestamp for the minimum fill time (the same for every visitor of a page).

    `previous`: the one a form shown again was sent with, kept while it is still good.
    """
    return spam.started_token_for(previous)


@register.simple_tag
def consent_wording():
    return consent.current_wording()


@register.simple_tag
def consent_version():
    return consent.CURRENT_VERSION


@register.filter
def readable_address(address):
    """An address as its owner typed it: one kept in ASCII is shown in its own script."""
    return forms.readable_address(address)
