from django.http import Http404


# Placeholders: the subscribers issue builds these views.
def subscribe(request):
    raise Http404


def confirm(request, token):
    raise Http404


def preferences(request, token):
    raise Http404


def unsubscribe(request, token):
    raise Http404
