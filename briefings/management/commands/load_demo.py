import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from briefings.demo import load_demo_content
from briefings.services import EDITOR_GROUP, set_up_roles


class Command(BaseCommand):
    help = (
        "Load three demo issues with people, organisations and tags (only into a site with no "
        "issues), and create the demo users 'editor' and 'admin' if they do not exist. "
        "Safe to run again: it changes nothing the second time."
    )

    def handle(self, *args, **options):
        issues = load_demo_content()
        if issues is None:
            self.stdout.write("Issues exist already, so no demo content was added.")
        else:
            dates = ", ".join(f"{issue.date:%-d %B %Y}" for issue in issues)
            self.stdout.write(f"Added {len(issues)} demo issues: {dates}.")

        set_up_roles()
        self._demo_user("editor", "an editor (Editor group, not a superuser)", superuser=False)
        self._demo_user("admin", "a superuser, for managing users", superuser=True)

    def _demo_user(self, username, description, *, superuser):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"User '{username}' exists already; its password is unchanged. To set a new "
                f"one: .venv/bin/python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        if superuser:
            User.objects.create_superuser(username, f"{username}@example.org", password)
        else:
            user = User.objects.create_user(
                username, f"{username}@example.org", password, is_staff=True
            )
            user.groups.add(Group.objects.get(name=EDITOR_GROUP))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {description}. Sign in to /admin/ as  user: {username}  "
                f"password: {password}"
            )
        )
