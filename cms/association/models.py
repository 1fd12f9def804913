"""The methodological association of college library workers: pages and membership records.

Section and post pages are content editors write. Membership requests are
records: who asked to join on behalf of which college, who decided and when.
Access to members-only content is Wagtail's own page and collection privacy
for a members group that mirrors the approved memberships (see services).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.attachments import AttachmentBase
from cms.models.base import BasePage


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("request under review")
    APPROVED = "approved", _("member")
    REJECTED = "rejected", _("request rejected")
    LEFT = "left", _("left the association")


#: A person has at most one membership in these states at a time.
ACTIVE_STATUSES = (MembershipStatus.PENDING, MembershipStatus.APPROVED)


class AssociationMembership(models.Model):
    """A library worker's request to join the association on behalf of a college, and its fate."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("library worker"),
        on_delete=models.CASCADE,
        related_name="association_memberships",
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("college"),
        on_delete=models.PROTECT,
        related_name="association_memberships",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
        db_index=True,
    )
    motivation = models.TextField(_("why I want to join"), blank=True, max_length=2000)
    created = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("coordinator's comment"), blank=True, max_length=2000)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the member left on their own."),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("association membership")
        verbose_name_plural = _("association memberships")
        ordering = ["-created", "-pk"]
        permissions = [
            ("coordinate", _("Can decide on membership in the association of college libraries"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="association_membership_one_active",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "approved", "rejected", "left"]),
                name="association_membership_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"])
                | models.Q(decided_at__isnull=False),
                name="association_membership_decision_dated",
            ),
        ]
        indexes = [models.Index(fields=["status", "created"])]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class PostKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("announcement")
    PLAN = "plan", _("plan of work")
    PROTOCOL = "protocol", _("protocol of a meeting")
    MATERIAL = "material", _("material")


# A rich-text link to a document: <a linktype="document" id="12">.
_DOCUMENT_LINK = re.compile(r'<a\b[^>]*\blinktype="document"[^>]*>')
_ID = re.compile(r'\bid="(\d+)"')


def body_document_ids(body) -> set[int]:
    """Ids of the documents a StreamField of BodyBlock shows or links to."""
    ids: set[int] = set()
    for block in body or ():
        if block.block_type == "document" and block.value.get("document") is not None:
            ids.add(block.value["document"].pk)
        elif block.block_type == "paragraph":
            for tag in _DOCUMENT_LINK.findall(block.value.source):
                if found := _ID.search(tag):
                    ids.add(int(found.group(1)))
    return ids


class MembersOnlyFilesForm(WagtailAdminPageForm):
    """Files shown on members-only pages must live in a restricted collection, or ``/files/``
    would serve them to anybody who has the link."""

    def is_members_only(self, cleaned_data) -> bool:
        from cms.association.selectors import page_is_private

        return self.parent_page is not None and page_is_private(self.parent_page)

    def clean(self):
        from cms.association.selectors import document_is_restricted, unrestricted_documents

        cleaned_data = super().clean()
        if not self.is_members_only(cleaned_data):
            return cleaned_data
        message = _(
            "This page is for members only: put the file into the collection "
            "«Материалы методического объединения» first."
        )
        attachments = self.formsets.get("attachments")
        # The cluster form validates its formsets after this clean(); validate them now.
        if attachments is not None and attachments.is_bound:
            attachments.is_valid()
            for form in attachments.forms:
                data = getattr(form, "cleaned_data", None) or {}
                document = data.get("document")
                if (
                    document is not None
                    and not data.get("DELETE")
                    and not document_is_restricted(document)
                ):
                    form.add_error("document", message)
        if unrestricted_documents(body_document_ids(cleaned_data.get("body"))):
            self.add_error("body", message)
        return cleaned_data


class AssociationSectionForm(MembersOnlyFilesForm):
    def is_members_only(self, cleaned_data) -> bool:
        return bool(cleaned_data.get("members_only")) or super().is_members_only(cleaned_data)


class AssociationSectionPage(BasePage):
    """A part of the association's section: announcements, the plan of work, protocols."""

    body = StreamField(BodyBlock(), verbose_name=_("introduction"), blank=True)
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_(
            "Only members of the association and the department's staff may open this part "
            "and everything in it. Upload its files into the collection "
            "«Материалы методического объединения»."
        ),
    )

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [*Page.content_panels, FieldPanel("members_only"), FieldPanel("body")]
    base_form_class = AssociationSectionForm
    parent_page_types = ["cms.AssociationIndexPage"]
    subpage_types = ["association.AssociationPostPage"]
    template = "association/association_section_page.html"

    class Meta:
        verbose_name = _("association section")
        verbose_name_plural = _("association sections")

    def get_context(self, request, *args, **kwargs):
        from cms.association.views import section_context

        context = super().get_context(request, *args, **kwargs)
        context.update(section_context(request, self))
        return context


class AssociationPostPage(BasePage):
    """An announcement, the plan of work, a meeting protocol or a material of the association."""

    kind = models.CharField(
        _("kind"), max_length=16, choices=PostKind.choices, default=PostKind.ANNOUNCEMENT
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), blank=True, max_length=1000)
    body = StreamField(BodyBlock(), verbose_name=_("content"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("date"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("kind"), FieldPanel("date")]), FieldPanel("summary")],
            heading=_("Description"),
        ),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attached files")),
    ]
    base_form_class = MembersOnlyFilesForm
    parent_page_types = ["association.AssociationSectionPage"]
    subpage_types = []
    template = "association/association_post_page.html"

    class Meta:
        verbose_name = _("association post")
        verbose_name_plural = _("association posts")


class AssociationPostAttachment(AttachmentBase):
    page = ParentalKey(AssociationPostPage, on_delete=models.CASCADE, related_name="attachments")

    class Meta(AttachmentBase.Meta):
        verbose_name = _("attached file")
        verbose_name_plural = _("attached files")
