import functools
import logging
import math

from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from briefings.models import Issue

from . import services, spam
from .forms import IssueRequestForm, PreferencesForm, SignupForm, readable_address

logger = logging.getLogger(__name__)


def _without_signup_form(context=None):
    # The layout's sign-up form is left off pages reached from a personal link and the replies
    # to the forms themselves: beside "check your email" or "too many requests" it invites a
    # second try that looks as if the first one failed.
    return {"hide_signup_aside": True, **(context or {})}


def _too_many(request):
    seconds = spam.seconds_until_limits_reset()
    context = _without_signup_form({"minutes": math.ceil(seconds / 60)})
    response = render(request, "subscribers/too_many_requests.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _unavailable(request):
    return render(request, "subscribers/unavailable.html", status=503)


def _invalid_link(request, *, manage=False):
    # `manage`: a link from a briefing (unsubscribe, preferences), whose reader may be trying
    # to leave, so is told how rather than to sign up.
    context = _without_signup_form({"manage": manage})
    return render(request, "subscribers/link_invalid.html", context, status=400)


def database_errors_say_try_later(view):
    """A database that is down or refusing writes gets "try again later", never a 500 and
    never a reply that claims the request went through."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DatabaseError:
            logger.exception("Database error in %s", view.__name__)
            return _unavailable(request)

    return wrapped


def _form_context(form, **extra):
    # The full form is the page's content: no second one beside it.
    return _without_signup_form({"form": form, **extra})


# CSRF-exempt on purpose: the sign-up form is on every public page, and those pages must stay
# cacheable and shared by every visitor, which a per-visitor CSRF token (and its cookie) would
# prevent. A forged cross-site sign-up achieves nothing: double opt-in means only the owner of
# the address can turn a request into a subscription, and the rate limits cap the mail.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@database_errors_say_try_later
def subscribe(request):
    # Here and below, HEAD is answered as GET is (link checkers use it); only POST acts.
    if request.method != "POST":
        return render(request, "subscribers/subscriber_form.html", _form_context(SignupForm()))
    form = SignupForm(request.POST)
    if not form.is_valid():
        # 200, as Django's form views answer: the page is the form with its errors, not a
        # failed request (which browsers log as an error in the console).
        return render(request, "subscribers/subscriber_form.html", _form_context(form))
    requested = _without_signup_form({"email": readable_address(form.cleaned_data["email"])})
    if form.is_bot:
        # Look like success, so the bot learns nothing; nothing is stored or sent.
        return render(request, "subscribers/subscriber_requested.html", requested)
    if not spam.started_token_is_fresh_enough(form.cleaned_data["started"]):
        # Too quick to be a person, or a form from a page cached too long ago: show the full
        # form again. A person presses the button once more.
        return render(
            request, "subscribers/subscriber_form.html", _form_context(form, check_again=True)
        )
    # Counted only now, and only for requests that would send mail: mistakes, the second
    # press above and presses while a confirmation is on its way send nothing, and readers
    # behind one office address should not use up its allowance on them.
    if services.confirmation_recently_sent(form.cleaned_data["email"]):
        return render(request, "subscribers/subscriber_requested.html", requested)
    if not spam.allow_ip(request, scope="signup"):
        return _too_many(request)
    data = form.cleaned_data
    if not spam.allow_address(data["email"], scope="signup"):
        return _too_many(request)
    try:
        services.request_subscription(
            email=data["email"],
            name=data["name"],
            organisation=data["organisation"],
            source=data["source"],
            consent_version=data["consent_version"],
        )
    except OSError:  # the mail server refused or is unreachable (smtplib errors included)
        logger.exception("Confirmation email could not be sent")
        return _unavailable(request)
    return render(request, "subscribers/subscriber_requested.html", requested)


# CSRF-exempt: this page is reached from a link in an email, often in a browser (or an email
# app's built-in one) with no session or cookies. The signed token in the address is what
# authorises the action, and a forger would need that token, which only the mailbox has.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@database_errors_say_try_later
def confirm(request, token):
    try:
        subscriber = services.subscriber_for_confirm_token(token)
    except services.InvalidLink:
        return _invalid_link(request)
    if request.method != "POST" and subscriber.status == subscriber.Status.ACTIVE:
        # Opened again after confirming: say so rather than ask again.
        return render(
            request,
            "subscribers/subscriber_confirmed.html",
            _without_signup_form({"subscriber": subscriber, "newly": False}),
        )
    if request.method != "POST":
        # Mail scanners follow links: a GET only shows the button.
        return render(
            request,
            "subscribers/subscriber_confirm.html",
            _without_signup_form({"subscriber": subscriber}),
        )
    try:
        subscriber, newly, welcomed = services.confirm_subscription(token=token)
    except services.InvalidLink:
        return _invalid_link(request)
    context = {"subscriber": subscriber, "newly": newly, "welcomed": welcomed}
    return render(request, "subscribers/subscriber_confirmed.html", _without_signup_form(context))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@database_errors_say_try_later
def preferences(request, token):
    try:
        subscriber = services.subscriber_for_manage_token(token)
    except services.SubscriberErased:
        # A real link whose reader was since erased: the link is fine, they are off the list.
        return render(request, "subscribers/subscriber_erased.html", _without_signup_form({}))
    except services.InvalidLink:
        return _invalid_link(request, manage=True)
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.update_preferences(
                subscriber=subscriber,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
            )
            saved = True
    else:
        form = PreferencesForm(
            initial={"name": subscriber.name, "organisation": subscriber.organisation}
        )
    return render(
        request,
        "subscribers/subscriber_preferences.html",
        _without_signup_form(
            {"subscriber": subscriber, "form": form, "saved": saved, "token": token}
        ),
    )


# CSRF-exempt because RFC 8058 one-click unsubscribe is a POST from the mail provider with the
# body "List-Unsubscribe=One-Click" and no token of ours; the signed address is the authority.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@database_errors_say_try_later
def unsubscribe(request, token):
    try:
        subscriber = services.subscriber_for_manage_token(token)
    except services.SubscriberErased:
        # A real link whose reader was since erased: they are off the list, which is what
        # they (or their mail program's one-click request) ask; that is no error.
        return render(request, "subscribers/subscriber_erased.html", _without_signup_form({}))
    except services.InvalidLink:
        return _invalid_link(request, manage=True)
    if request.method != "POST":
        context = _without_signup_form({"subscriber": subscriber})
        return render(request, "subscribers/subscriber_unsubscribe.html", context)
    services.unsubscribe(subscriber=subscriber)
    return render(
        request,
        "subscribers/subscriber_unsubscribed.html",
        _without_signup_form({"subscriber": subscriber}),
    )


# CSRF-exempt for the same reason as the sign-up form: it sits on cached issue pages. It
# sends one public issue to one address, once, within the same rate limits.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@database_errors_say_try_later
def issue_request(request, pk):
    issue = get_object_or_404(Issue.objects.published(), pk=pk)
    if request.method != "POST":
        # The address stays in the browser after the form is used; opening it again (a new
        # tab, a shared link) leads back to the issue rather than to a blank 405 page.
        return redirect(issue)
    form = IssueRequestForm(request.POST)
    # Asking again keeps what the reader typed, and when the form was first shown.
    context = _without_signup_form(
        {
            "form": form,
            "issue": issue,
            "typed_email": request.POST.get("email", ""),
            "typed_started": request.POST.get("started", ""),
        }
    )
    if not form.is_valid():
        return render(request, "subscribers/issuerequest_form.html", context)
    if form.is_bot:
        return render(request, "subscribers/issuerequest_sent.html", context)
    if not spam.started_token_is_fresh_enough(form.cleaned_data["started"]):
        return render(
            request, "subscribers/issuerequest_form.html", {**context, "check_again": True}
        )
    if not spam.allow_ip(request, scope="issue-request"):  # as for sign-ups: sends only
        return _too_many(request)
    if not spam.allow_address(form.cleaned_data["email"], scope="issue-request"):
        return _too_many(request)
    try:
        services.request_issue(
            issue=issue, email=form.cleaned_data["email"], source=form.cleaned_data["source"]
        )
    except OSError:  # the mail server refused or is unreachable
        logger.exception("Issue request email failed")
        return _unavailable(request)
    return render(request, "subscribers/issuerequest_sent.html", context)
