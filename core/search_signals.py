"""Keep the site-search index (core.search) in step with the page tree.

Publishing, unpublishing and full saves of a page reindex it; deleting a page
takes its entry along (CASCADE). Draft saves write with ``update_fields`` and
leave the index alone, so unpublished text never becomes searchable. Moves
and view restrictions need nothing here: the query checks them.
"""

from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished


@receiver(page_published, dispatch_uid="core.search_page_published")
def index_published_page(sender, instance, **kwargs):
    from core.search import search_entry_update

    search_entry_update(page=instance)


@receiver(page_unpublished, dispatch_uid="core.search_page_unpublished")
def unindex_unpublished_page(sender, instance, **kwargs):
    from core.search import search_entry_delete

    search_entry_delete(page=instance)


@receiver(post_save, dispatch_uid="core.search_page_saved")
def index_saved_page(sender, instance, raw=False, update_fields=None, **kwargs):
    # Pages created live in code (the demo home page, imports) send no page_published.
    if raw or update_fields is not None or not isinstance(instance, Page):
        return
    from core.search import search_entry_update

    search_entry_update(page=instance)


@receiver(post_migrate, dispatch_uid="core.search_fill_after_migrate")
def fill_index_after_migrate(sender, **kwargs):
    # A database that had pages before the index existed gets it filled once.
    if sender.label != "core":
        return
    from core.models import SearchEntry
    from core.search import search_index_rebuild

    if not SearchEntry.objects.exists() and Page.objects.live().filter(depth__gt=1).exists():
        search_index_rebuild()
