from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.services.organisations import CsvImportError, organisations_import_csv


class Command(BaseCommand):
    help = (
        "Import organisations from a CSV file (columns: name; short_name; kind; district; inn; "
        "address; email; website). Idempotent: rows match by INN, else by name in the district."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            report = organisations_import_csv(raw=raw)
        except CsvImportError as exc:
            raise CommandError(str(exc)) from exc
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"errors {len(report.errors)}"
        )
        if report.errors:
            raise CommandError("Some rows were skipped; see the messages above.", returncode=2)
