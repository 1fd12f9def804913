import asyncio
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms import loadtest


class Command(BaseCommand):
    help = (
        "Connect N participants to a live seminar room and have one moderator post M "
        "messages at R a second; report delivered/expected, duplicates, order violations "
        "and latency percentiles. Exits non-zero unless every participant received every "
        "message once and in order. Send load only to servers you run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            action="append",
            required=True,
            help="server, e.g. ws://127.0.0.1:8000; repeat to split participants between "
            "processes (the moderator uses the first)",
        )
        parser.add_argument("--event", type=int, required=True, help="event page id")
        parser.add_argument("--clients", type=int, default=100)
        parser.add_argument("--rate", type=float, default=10.0, help="messages a second")
        parser.add_argument("--messages", type=int, default=100)
        parser.add_argument(
            "--cookies",
            type=Path,
            help="file of 'sessionid=…' lines (from seminar_participants); by default the "
            "participants are created in this database",
        )
        parser.add_argument(
            "--moderator-cookie", help="'sessionid=…' of a moderator; created by default"
        )
        parser.add_argument(
            "--reconnect",
            type=float,
            metavar="SECONDS",
            help="instead: participants drop and reconnect at random for SECONDS while "
            "the moderator posts at --rate (checks replay with ?after=)",
        )
        parser.add_argument(
            "--deflate", action="store_true", help="offer permessage-deflate, as browsers do"
        )
        parser.add_argument("--drain", type=float, default=30.0, help="seconds to wait at the end")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        event_id = options["event"]
        urls = [loadtest.seminar_url(url, event_id) for url in options["url"]]
        cookies = self._cookies(options, event_id)
        moderator = options["moderator_cookie"] or loadtest.cookie_line(
            loadtest.load_moderator_session()
        )
        posters = [(urls[0], moderator)]
        if options["reconnect"]:
            run = loadtest.reconnect_storm(
                urls=urls,
                cookies=cookies,
                posters=posters,
                rate=options["rate"],
                seconds=options["reconnect"],
                drain=options["drain"],
                deflate=options["deflate"],
            )
        else:
            run = loadtest.fanout(
                urls=urls,
                cookies=cookies,
                posters=posters,
                rate=options["rate"],
                messages=options["messages"],
                drain=options["drain"],
                deflate=options["deflate"],
            )
        report = asyncio.run(run)
        if options["json"]:
            self.stdout.write(json.dumps(report.summary(), ensure_ascii=False, indent=2))
        else:
            for line in report.lines():
                self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"delivered {report.delivered}/{report.expected}, duplicates "
                f"{report.duplicates}, order violations {report.order_errors}"
            )

    def _cookies(self, options, event_id: int) -> list[str]:
        count = options["clients"]
        if options["cookies"]:
            lines = options["cookies"].read_text().split()
            cookies = [line for line in lines if "=" in line][:count]
            if len(cookies) < count:
                raise CommandError(f"{options['cookies']} holds only {len(cookies)} cookies.")
            return cookies
        refusal = loadtest.room_refusal(event_id)
        if refusal:
            raise CommandError(refusal)
        sessions = loadtest.load_participants_create(event_id=event_id, count=count)
        return [loadtest.cookie_line(key) for key in sessions]
