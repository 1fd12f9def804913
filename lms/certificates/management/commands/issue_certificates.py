import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from lms.certificates.services.batches import certificates_pending_issue


class Command(BaseCommand):
    help = (
        "Issue the certificates the automatic issue missed: participation certificates of "
        "ended events that issue them, and the documents of completed enrollments of "
        "auto-issuing courses that never had one. Run it from cron (hourly is plenty); "
        "running it twice issues nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="Look at events that ended in the last DAYS days (default 30).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be issued."
        )

    def handle(self, *args, days, dry_run, **options):
        now = timezone.now()
        summary = certificates_pending_issue(
            since=now - dt.timedelta(days=days), dry_run=dry_run, now=now
        )
        for problem in summary.problems:
            self.stderr.write(problem)
        if dry_run:
            self.stdout.write(
                f"Dry run. Events: {summary.events}; participation certificates to issue: "
                f"{summary.event_eligible}; below the threshold: {summary.below_threshold}; "
                f"completed enrollments without a document: {summary.enrollments}."
            )
            return
        self.stdout.write(
            f"Events: {summary.events}; participation certificates issued: "
            f"{summary.event_issued}; below the threshold: {summary.below_threshold}; "
            f"course documents issued: {summary.enrollment_issued} of {summary.enrollments}; "
            f"problems: {len(summary.problems)}."
        )
