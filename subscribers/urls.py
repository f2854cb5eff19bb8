from django.urls import path

from . import views

app_name = "subscribers"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribe/preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("briefings/request/<int:pk>/", views.issue_request, name="issue-request"),
]

# The email edition (issue #5): tracked links and the mail provider's webhooks.
from django.urls import include  # noqa: E402

from . import views_email  # noqa: E402

urlpatterns += [
    path("r/<str:token>/", views_email.click, name="click"),
    path("webhooks/anymail/", include("anymail.urls")),
]
