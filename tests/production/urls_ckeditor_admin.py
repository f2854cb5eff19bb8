"""The real URLconf with a bare Issue admin in front, for the CSP browser test.

Used only while the project's own admin does not register Issue yet; once it does, the test
uses the real admin change form instead.
"""

from django.contrib import admin
from django.urls import path

from briefings.models import Issue
from sca_briefings.urls import urlpatterns as site_urlpatterns

site = admin.AdminSite(name="csp_test_admin")
site.register(Issue)

urlpatterns = [path("admin/", site.urls), *site_urlpatterns]
