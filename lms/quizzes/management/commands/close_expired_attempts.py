from django.core.management.base import BaseCommand

from lms.quizzes.services import quiz_attempts_close_expired


class Command(BaseCommand):
    help = (
        "Close the quiz attempts whose time is up, scoring the answers saved before the end. "
        "Attempts are also closed whenever someone opens them; run this from cron every few "
        "minutes so results and course completion do not wait for that. Safe to run twice."
    )

    def handle(self, *args, **options):
        closed = quiz_attempts_close_expired()
        self.stdout.write(f"Attempts closed: {closed}")
