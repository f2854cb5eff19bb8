import pytest
from django.contrib.auth.models import Group, User

from briefings.services import EDITOR_GROUP, set_up_roles


@pytest.fixture
def editor(db):
    """A member of the Editor group: staff, not a superuser."""
    set_up_roles()
    user = User.objects.create_user("morag", "morag@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
