"""Wagtail admin wiring of cms: the topics snippet and the download counter."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import Topic
from cms.services.content import document_download_record


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    menu_name = "topics"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    search_backend_name = None
    sort_order_field = "sort_order"
    panels = [FieldPanel("name"), FieldPanel("slug")]


register_snippet(TopicViewSet)


# A high order runs this after Wagtail's own check of collection privacy, so a
# visitor turned away by a restriction is not counted.
@hooks.register("before_serve_document", order=100)
def count_document_download(document, request):
    if request.method != "GET":
        return None
    for restriction in document.collection.get_view_restrictions():
        if not restriction.accept_request(request):
            return None
    document_download_record(document_id=document.pk)
    return None
