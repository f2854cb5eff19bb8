"""The admin's headings for the two packages editors use, in the words of the public site."""

from django.contrib.flatpages.apps import FlatPagesConfig
from taggit.apps import TaggitAppConfig


class TopicsConfig(TaggitAppConfig):
    verbose_name = "Topics"


class PlainPagesConfig(FlatPagesConfig):
    verbose_name = "Plain pages"
