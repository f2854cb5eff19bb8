from briefings.services import content_changed, content_version


def test_content_changed_gives_a_new_content_version():
    before = content_version()
    content_changed()
    assert content_version() != before
