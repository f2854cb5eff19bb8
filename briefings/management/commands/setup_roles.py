from django.core.management.base import BaseCommand

from briefings.services import set_up_roles


class Command(BaseCommand):
    help = "Create or repair the Editor group with exactly the permissions editors need."

    def handle(self, *args, **options):
        group = set_up_roles()
        self.stdout.write(
            f"Group “{group.name}” has {group.permissions.count()} permissions "
            "(briefings content and tags; no users, groups or subscribers)."
        )
