from django.core.management.base import BaseCommand

from lms.services.events import event_reminders_send


class Command(BaseCommand):
    help = (
        "Send the event reminders that are due (24 hours and 1 hour before the start). "
        "Run it from cron every few minutes; running it twice sends nothing twice."
    )

    def handle(self, *args, **options):
        sent = event_reminders_send()
        self.stdout.write(f"Reminders sent: {sent}")
