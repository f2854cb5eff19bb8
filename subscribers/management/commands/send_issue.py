import datetime
import time

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize
from tqdm import tqdm

from briefings.models import Issue
from subscribers import sending
from subscribers.models import Delivery


class Command(BaseCommand):
    help = (
        "Send a published issue to every active subscriber who has not had it. By default the "
        "work goes to background workers; --foreground sends from this process (run it again "
        "after an interruption and it carries on). --due starts issues marked “send on "
        "publish” whose time has come and restarts stalled sends: run it every minute from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("date", nargs="?", help="The issue's date, YYYY-MM-DD.")
        parser.add_argument("--dry-run", action="store_true", help="Only count the recipients.")
        parser.add_argument(
            "--foreground", action="store_true", help="Send from this process, with progress."
        )
        parser.add_argument(
            "--wait", action="store_true", help="Follow the background workers' progress."
        )
        parser.add_argument("--due", action="store_true", help="Start scheduled and stalled sends.")

    def handle(self, *args, date=None, dry_run=False, foreground=False, wait=False, due=False,
               **options):  # fmt: skip
        if due:
            return self.handle_due()
        if not date:
            raise CommandError("Give the issue's date (YYYY-MM-DD), or --due.")
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"“{date}” is not a date; use YYYY-MM-DD.") from None
        issue = Issue.objects.filter(date=day).first()
        if issue is None:
            raise CommandError(f"There is no issue dated {day:%-d %B %Y}.")
        if not Issue.objects.published().filter(pk=issue.pk).exists():
            raise CommandError(
                f"{issue} is not published yet, so it cannot be sent to subscribers."
            )

        new = sending.count_new_recipients(issue=issue)
        if dry_run:
            unfinished = Delivery.objects.filter(issue=issue).unfinished().count()
            self.stdout.write(
                f"{issue}: would queue {intcomma(new)} subscriber{pluralize(new)} who "
                f"{pluralize(new, 'has,have')} not had it; {intcomma(unfinished)} already "
                "queued and unsent."
            )
            return

        try:
            if foreground:
                created = sending.queue_issue(issue=issue)
            else:
                created = sending.start_sending(issue=issue)
        except sending.NotPublished as error:
            raise CommandError(str(error)) from None
        if created:
            self.stdout.write(
                f"Queued {intcomma(created)} subscriber{pluralize(created)} for {issue}."
            )
        elif Delivery.objects.filter(issue=issue).exists():
            self.stdout.write(f"No new subscribers since the last send of {issue}.")
        else:
            self.stdout.write(f"There are no confirmed subscribers to send {issue} to.")

        tally = Delivery.objects.filter(issue=issue).tally()
        if foreground:
            self.send_here(issue)
        elif not created and not tally["waiting"]:
            # Workers are enqueued anyway, but they would find nothing to do.
            self.stdout.write(
                f"Nothing is waiting to be sent. So far: {intcomma(tally['sent'])} sent, "
                f"{intcomma(tally['failed'])} failed, {intcomma(tally['skipped'])} not sent "
                "because they left before their turn."
            )
        elif wait:
            self.follow(issue)
        else:
            self.stdout.write("Background workers will send it; see progress in the admin.")
        self.report_duplicates(issue)

    def send_here(self, issue):
        total = Delivery.objects.filter(issue=issue).unfinished().count()
        with tqdm(total=total, unit="msg", disable=total == 0) as bar:
            report = sending.send_pending(issue=issue, on_result=lambda outcome: bar.update(1))
        self.stdout.write(
            f"Sent {intcomma(report.sent)}, failed {intcomma(report.failed)}, will retry "
            f"{intcomma(report.retrying)}, skipped {intcomma(report.skipped)} (no longer "
            "subscribed)."
        )
        if report.held:
            self.stdout.write(
                f"Held {intcomma(report.held)}: {issue} was unpublished while it was being "
                "sent. They go out once it is public again."
            )
        if report.stopped_by:
            # A non-zero exit, so cron and scripts notice; what was sent stays sent.
            self.report_duplicates(issue)
            raise CommandError(f"Stopped: {report.stopped_by}. Run this again to carry on.")

    def follow(self, issue):
        deliveries = Delivery.objects.filter(issue=issue)
        total = deliveries.count()
        with tqdm(total=total, unit="msg") as bar:
            while True:
                done = total - deliveries.unfinished().count()
                bar.update(done - bar.n)
                if done >= total:
                    break
                time.sleep(1)

    def report_duplicates(self, issue):
        duplicates = sending.possible_duplicates(issue=issue)
        if duplicates:
            self.stdout.write(
                "These readers may have received it twice (a worker stopped while sending to them):"
            )
            for delivery in duplicates:
                self.stdout.write(f"  {delivery.subscriber.email}")

    def handle_due(self):
        started = sending.queue_due_issues()
        for issue in started:
            self.stdout.write(f"Started sending {issue} (send on publish).")
        resumed = sending.resume_stalled()
        if resumed:
            self.stdout.write(f"Restarted stalled sends for {len(resumed)} issue(s).")
