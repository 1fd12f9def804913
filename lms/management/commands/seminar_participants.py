from django.core.management.base import BaseCommand, CommandError

from lms.loadtest import cookie_line, load_participants_create, room_refusal
from lms.models import EventPage


class Command(BaseCommand):
    help = (
        "Create N synthetic participants registered for an online event (capacity planning "
        "before a large webinar) and print one session cookie line each (sessionid=…). "
        "The registrations bypass capacity and consent on purpose; running it again reuses "
        "the same people and prints fresh sessions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", type=int, required=True, help="event page id")
        parser.add_argument("--count", type=int, required=True, help="number of participants")

    def handle(self, *args, event, count, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if not EventPage.objects.filter(pk=event).exists():
            raise CommandError(f"There is no event with id {event}.")
        refusal = room_refusal(event)
        if refusal:
            self.stderr.write(f"Warning: {refusal}; the participants cannot enter it now.")
        for session_key in load_participants_create(event_id=event, count=count):
            self.stdout.write(cookie_line(session_key))
