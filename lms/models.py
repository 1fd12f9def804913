"""Learning and events. Course and event pages, cohorts and registrations arrive with
their issues; the section roots exist from the start so the site's URLs are stable."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models import BasePage


class LmsSectionPage(BasePage):
    body = StreamField(BodyBlock(), verbose_name=_("introduction"), blank=True)

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []
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


class CourseIndexPage(LmsSectionPage):
    """The course catalogue (``/courses/``)."""

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")


class EventIndexPage(LmsSectionPage):
    """Events and webinars (``/events/``)."""

    class Meta:
        verbose_name = _("events and webinars")
        verbose_name_plural = _("events and webinars")
