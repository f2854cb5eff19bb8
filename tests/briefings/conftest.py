import pytest

from tests.factories import (
    ArticleFactory,
    IssueFactory,
    OrganisationFactory,
    PersonFactory,
    SectionFactory,
)


@pytest.fixture
def published_issue():
    """A public issue with articles in two sections, a person, an organisation and tags."""
    issue = IssueFactory(title="Halls and hubs")
    person = PersonFactory(name="Morag Campbell", role="Chief Executive")
    organisation = OrganisationFactory(name="Angus Community Trust")
    ground = SectionFactory(name="On the ground", order=1)
    policy = SectionFactory(name="Policy", order=2)
    ArticleFactory(
        issue=issue,
        section=ground,
        title="Village hall becomes a warm space",
        people=[person],
        organisations=[organisation],
        tags=["Community anchors"],
        source_url="https://example.org/report",
        source_label="Read the report",
    )
    ArticleFactory(issue=issue, section=policy, title="Council budgets under strain")
    return issue


@pytest.fixture
def draft_issue():
    """A draft whose article names a person, an organisation and a topic found nowhere else."""
    issue = IssueFactory(draft=True, title="Secret draft")
    ArticleFactory(
        issue=issue,
        title="Draft article about zebras",
        teaser="Zebras teaser.",
        body="<p>Zebras everywhere.</p>",
        people=[PersonFactory(name="Hidden Person")],
        organisations=[OrganisationFactory(name="Hidden Organisation")],
        tags=["Hidden topic"],
    )
    return issue


@pytest.fixture
def scheduled_issue():
    issue = IssueFactory(scheduled=True, title="Scheduled issue")
    ArticleFactory(
        issue=issue,
        title="Scheduled article about giraffes",
        teaser="Giraffes teaser.",
        body="<p>Giraffes everywhere.</p>",
        people=[PersonFactory(name="Future Person")],
        organisations=[OrganisationFactory(name="Future Organisation")],
        tags=["Future topic"],
    )
    return issue
