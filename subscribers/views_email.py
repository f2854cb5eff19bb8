"""The tracked-link redirect used by every link in an emailed issue, and the bounce webhook."""

from urllib.parse import urlsplit

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.conf import settings
from django.core import signing
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.views.decorators.cache import never_cache

from briefings.models import Article, Issue

from .emails import decode_url_target, read_click_token
from .models import Click, Delivery

BAD_LINK = (
    "This link is damaged or incomplete. Please use the link exactly as it appears in the "
    "email, or visit the site's home page."
)


def _is_web_url(url):
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@never_cache
def click(request, token):
    """Record the click, then redirect to the link's target.

    The token is signed, so only targets we put in an email can be reached: article pages,
    the issue page, an article's source link, or a link from the leader.
    """
    try:
        delivery_id, target = read_click_token(token)
    except signing.BadSignature:
        return HttpResponseBadRequest(BAD_LINK, content_type="text/plain; charset=utf-8")
    delivery = Delivery.objects.filter(pk=delivery_id).only("pk", "issue_id").first()
    article = None
    kind, rest = target[0], target[1:]
    if kind == "i":
        issue = Issue.objects.published().filter(pk=getattr(delivery, "issue_id", None)).first()
        url = settings.SITE_URL + (issue.get_absolute_url() if issue else "/")
    elif kind in "as" and rest.isdigit():
        article = Article.objects.published().select_related("issue").filter(pk=rest).first()
        if article is None:
            url = settings.SITE_URL + "/"
        elif kind == "a":
            url = settings.SITE_URL + article.get_absolute_url()
        else:
            url = article.source_url or settings.SITE_URL + article.get_absolute_url()
    elif kind == "u":
        try:
            url = decode_url_target(target)
        except ValueError:
            return HttpResponseBadRequest(BAD_LINK, content_type="text/plain; charset=utf-8")
    else:
        return HttpResponseBadRequest(BAD_LINK, content_type="text/plain; charset=utf-8")
    if not _is_web_url(url):
        return HttpResponseBadRequest(BAD_LINK, content_type="text/plain; charset=utf-8")
    Click.objects.create(delivery=delivery, article=article, url=url[:1000])
    return HttpResponseRedirect(url)


class PostmarkTrackingWebhook(PostmarkTrackingWebhookView):
    """Anymail's Postmark bounce and complaint webhook, made strict.

    Without a webhook secret anymail would accept anyone's posts with only a warning, so here
    an unconfigured secret refuses every call; a malformed body is a 400, not a 500 that the
    provider would retry for days.
    """

    warn_if_no_basic_auth = False

    def validate_request(self, request):
        if not self.basic_auth:
            raise AnymailWebhookValidationFailure("The webhook secret is not configured.")
        super().validate_request(request)

    def parse_events(self, request):
        try:
            return super().parse_events(request)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise AnymailWebhookValidationFailure("The webhook body is not valid.") from error
