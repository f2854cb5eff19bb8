from django.core.management.base import BaseCommand

from subscribers import services


class Command(BaseCommand):
    help = "Delete sign-up requests that nobody confirmed within 30 days."

    def handle(self, *args, **options):
        count = services.purge_pending()
        self.stdout.write(f"Deleted {count} unconfirmed sign-up request(s) older than 30 days.")
