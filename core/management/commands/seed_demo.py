from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from core import plugins


class Command(BaseCommand):
    help = "Load the demo content of every enabled app. Idempotent: a second run changes nothing."

    def handle(self, *args, **options):
        # The demo plays out workflows (proposals returned, questions answered...): their
        # notifications stay in the site, no email goes to the invented addresses.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for plugin in plugins.enabled_plugins():
                with transaction.atomic():
                    plugin.seed_demo(log=lambda message: self.stdout.write(message))
        from core.demo import DEMO_ACCOUNTS

        self.stdout.write(self.style.SUCCESS("Demo content is ready. Demo accounts:"))
        for role, email, password in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<15} {email:<32} {password}")
