"""Background work for sending, through django.tasks.

The backend is chosen in settings.TASKS (the database backend and `manage.py db_worker` by
default); a Redis or Celery backend runs the same tasks on many machines with no code change.
"""

from django.tasks import task
from django.utils import timezone

from briefings.models import Issue

from . import sending


@task()
def send_deliveries(issue_id):
    """Send what is queued for an issue; come back later for retries that are not due yet."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return {"sent": 0}
    report = sending.send_pending(issue=issue)
    retry_at = sending.next_retry_at(issue=issue)
    if retry_at is not None and send_deliveries.get_backend().supports_defer:
        send_deliveries.using(run_after=max(retry_at, timezone.now())).enqueue(issue_id)
    return {
        "sent": report.sent,
        "failed": report.failed,
        "retrying": report.retrying,
        "skipped": report.skipped,
        "held": report.held,
        "stopped_by": report.stopped_by,
    }
