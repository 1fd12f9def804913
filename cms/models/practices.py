from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.attachments import AttachmentBase
from cms.models.base import BasePage
from cms.models.sections import SectionIndexPage


class PracticeCategory(models.TextChoices):
    READING = "reading", _("reading promotion")
    INFO_LITERACY = "info_literacy", _("information literacy")
    TEACHERS = "teachers", _("projects with teachers")
    IBC_SPACE = "ibc_space", _("IBC space")
    DIGITAL = "digital", _("digital services")
    LOCAL_HISTORY = "local_history", _("local history")
    EVENTS = "events", _("library events")
    OTHER = "other", _("other")


class PracticeIndexPage(RoutablePageMixin, SectionIndexPage):
    subpage_types = ["cms.PracticePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("best-practice library")
        verbose_name_plural = _("best-practice libraries")


class PracticePage(BasePage):
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("organisation"),
    )
    category = models.CharField(
        _("category"), max_length=20, choices=PracticeCategory.choices, default="other"
    )
    annotation = models.TextField(_("annotation"), max_length=2000)
    body = StreamField(BodyBlock(), verbose_name=_("content"), blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    author_name = models.CharField(
        _("author"),
        max_length=255,
        blank=True,
        help_text=_("Shown only when the author agreed to publish their name."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    tags = ClusterTaggableManager(through="cms.PracticeTag", blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("annotation"),
        index.SearchField("author_name"),
        index.SearchField("body"),
        index.FilterField("category"),
        index.FilterField("organisation_id"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("organisation"),
                FieldPanel("category"),
                FieldPanel("author_name"),
                FieldPanel("tags"),
            ],
            heading=_("Description"),
        ),
        FieldPanel("annotation"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attached files")),
    ]
    parent_page_types = ["cms.PracticeIndexPage"]
    subpage_types = []
    template = "cms/practice_page.html"

    class Meta:
        verbose_name = _("best practice")
        verbose_name_plural = _("best practices")


class PracticeAttachment(AttachmentBase):
    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="attachments")


class PracticeProposal(models.Model):
    """A library worker's proposal of a practice: survives the page, tracks its fate."""

    class Status(models.TextChoices):
        IN_MODERATION = "moderation", _("under review")
        CHANGES_REQUESTED = "changes", _("returned with comments")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_proposals",
        verbose_name=_("author"),
    )
    page = models.OneToOneField(
        PracticePage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("page"),
    )
    title = models.CharField(_("title"), max_length=255)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_MODERATION
    )
    editor_comment = models.TextField(_("editor's comment"), blank=True)
    publish_name = models.BooleanField(_("publish the author's name"), default=False)
    created = models.DateTimeField(_("proposed"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("practice proposal")
        verbose_name_plural = _("practice proposals")

    def __str__(self):
        return self.title
