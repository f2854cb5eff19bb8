from django.urls import path, register_converter

from . import views


class FourDigitYear:
    regex = r"[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigits:
    regex = r"[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigits, "dd")

app_name = "briefings"

urlpatterns = [
    path("", views.home, name="home"),
    path("briefings/<yyyy:year>/<dd:month>/<dd:day>/", views.issue_detail, name="issue-detail"),
    path(
        "briefings/<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.article_detail,
        name="article-detail",
    ),
    path("people/<slug:slug>/", views.person_detail, name="person-detail"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
]
