from django.urls import include, path

from . import views, views_email

app_name = "subscribers"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscribe/preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("briefings/request/<int:pk>/", views.issue_request, name="issue-request"),
]

# The email edition (issue #5): tracked links and the mail provider's webhooks. Only the
# provider we send through gets a webhook (Postmark here; wrap another anymail.webhooks view
# as views_email does): anymail's full URL list includes providers whose client libraries
# are not installed, and those would answer 500.
webhook_patterns = (
    [
        path(
            "postmark/tracking/",
            views_email.PostmarkTrackingWebhook.as_view(),
            name="postmark_tracking_webhook",
        ),
    ],
    "anymail",
)

urlpatterns += [
    path("r/<str:token>/", views_email.click, name="click"),
    path("webhooks/anymail/", include(webhook_patterns)),
]
