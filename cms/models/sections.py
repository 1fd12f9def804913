"""Index pages of the methodological sections.

Each one is the root of its section in the page tree (CONTRACTS.md URLs). The
section roots with their own item page types live next to those types
(recommendations, practices, documents).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.base import BasePage


class SectionIndexPage(BasePage):
    body = StreamField(BodyBlock(), verbose_name=_("introduction"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.StandardPage"]
    max_count = 1

    class Meta:
        abstract = True

    def get_template(self, request, *args, **kwargs):
        # Wagtail derives a per-class template name; all section roots share one.
        return "cms/section_index_page.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.get_children().live().public().specific()
        return context
