from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import BodyBlock
from cms.models.base import BasePage


class AssignmentPage(BasePage):
    """A practical assignment inside a course module, reviewed by the cohort's teachers."""

    instructions = StreamField(BodyBlock(), verbose_name=_("instructions"), blank=True)
    required = models.BooleanField(_("required for completion"), default=True)
    is_final = models.BooleanField(_("final assignment"), default=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("instructions"),
        FieldPanel("required"),
        FieldPanel("is_final"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "assignments/assignment_page.html"

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
