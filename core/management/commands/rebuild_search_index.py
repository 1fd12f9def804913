from django.core.management.base import BaseCommand

from core.search import search_index_rebuild


class Command(BaseCommand):
    help = "Index every live page for site search again (after an import or an upgrade)."

    def handle(self, *args, **options):
        count = search_index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Search index: {count} live pages indexed."))
