from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock


class BasePage(Page):
    """Common parts of every content page: an introduction and breadcrumbs."""

    class Meta:
        abstract = True

    def get_breadcrumbs(self):
        """(title, url) pairs from the home page down to the parent page."""
        return [
            (ancestor.title, ancestor.url)
            for ancestor in self.get_ancestors().filter(depth__gt=2).specific(defer=True)
        ]


class StandardPage(BasePage):
    """A plain content page: about the department, contacts, privacy policy."""

    body = StreamField(BodyBlock(), verbose_name=_("content"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = [
        "cms.HomePage",
        "cms.StandardPage",
        "cms.RecommendationIndexPage",
        "cms.PracticeIndexPage",
        "cms.DocumentIndexPage",
        "cms.ConsultationIndexPage",
        "cms.AssociationIndexPage",
    ]
    subpage_types = ["cms.StandardPage"]
    template = "cms/standard_page.html"

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")
