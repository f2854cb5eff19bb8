import datetime

import factory
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.utils import timezone

from briefings.models import Article, Issue, Organisation, Person, Section
from subscribers.models import Subscriber


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ("name",)

    name = factory.Iterator(["On the ground", "Policy", "Funding", "Research"])
    order = factory.Sequence(lambda n: n)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Trust {n}")
    kind = Organisation.Kind.CHARITY
    website = "https://example.org/"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Morag Campbell {n}")
    role = "Chief Executive"


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    date = factory.Sequence(lambda n: datetime.date(2024, 1, 3) + datetime.timedelta(days=14 * n))
    leader = "<p>Community anchors are carrying more than their share this winter.</p>"
    status = Issue.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Issue.Status.DRAFT, publish_at=None)
        scheduled = factory.Trait(
            publish_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
        )


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    issue = factory.SubFactory(IssueFactory)
    section = factory.SubFactory(SectionFactory)
    title = factory.Sequence(lambda n: f"Halls that hold a village together {n}")
    teaser = "A village hall committee in Angus has turned a draughty building into a hub."
    body = "<p>The committee raised the money in eighteen months.</p>"
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        if create and extracted:
            self.people.add(*extracted)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.add(*extracted)


class PlainPageFactory(factory.django.DjangoModelFactory):
    """An editor's plain page (contrib.flatpages) on this site, as the admin saves one."""

    class Meta:
        model = FlatPage
        skip_postgeneration_save = True

    url = "/about/"
    title = "About"
    content = "<p>About the SCA.</p>"

    @factory.post_generation
    def on_this_site(self, create, extracted, **kwargs):
        if create:
            self.sites.add(Site.objects.get_current())


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    name = factory.Sequence(lambda n: f"Reader {n}")
    status = Subscriber.Status.ACTIVE
    confirmed_at = factory.LazyFunction(timezone.now)
