import io

from django.core.management.base import BaseCommand, CommandError

from subscribers import services


class Command(BaseCommand):
    help = (
        "Import subscribers from a CSV file with the columns name, email, organisation, "
        "consent source, consent date. Bad rows are reported by line and skipped; known, "
        "unsubscribed and erased addresses are left alone. All or nothing; at most "
        f"{services.IMPORT_MAX_ROWS:,} rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of a UTF-8 CSV file")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as file:
                text = file.read()  # whole, so a bad byte stops the import before any row
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError("The file is not UTF-8 text; save it as CSV (UTF-8).") from None
        try:
            report = services.import_subscribers(lines=io.StringIO(text, newline=""))
        except services.ImportTooLarge as error:
            raise CommandError(str(error)) from None
        for line, message in report.errors:
            self.stderr.write(f"Line {line} skipped. {message}")
        self.stdout.write(
            f"{report.added} added, {report.unchanged} already on the list, "
            f"{report.refused} not added (unsubscribed or erased), "
            f"{len(report.errors)} rows skipped for errors"
        )
