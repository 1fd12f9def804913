from django.core.management.base import BaseCommand

from lms.courses.models import Enrollment, EnrollmentStatus
from lms.courses.selectors.progress import enrollments_meeting_rule
from lms.courses.services.progress import completion_check


class Command(BaseCommand):
    help = (
        "Record the course completions whose conditions are met but were not recorded "
        "(after a change of a course's rule or content, or an import). Completion is "
        "normally recorded the moment the last condition is met; this only catches up. "
        "Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the enrollments that would be completed; change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        studying = Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED).count()
        due = list(enrollments_meeting_rule())
        if dry_run:
            self.stdout.write(f"Would complete {len(due)} of {studying} studying enrollments.")
            return
        completed = sum(completion_check(enrollment=enrollment) for enrollment in due)
        self.stdout.write(f"Completed {completed} of {studying} studying enrollments.")
