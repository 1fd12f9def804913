from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import BodyBlock
from core import plugins


class HomePage(Page):
    """The site root. Its news, events, courses... blocks come from the plugin registry."""

    lead = models.TextField(_("lead"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    # No subpage_types on purpose: section roots of cms and of the plugins each name
    # HomePage in their parent_page_types, so cms never has to know the plugins' pages.
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["home_sections"] = plugins.home_sections(request)
        return context
