from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
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
    """The best-practice library (``/practices/``): a filtered listing and the proposal form."""

    subpage_types = ["cms.PracticePage", "cms.StandardPage"]
    PAGE_SIZE = 12

    class Meta:
        verbose_name = _("best-practice library")
        verbose_name_plural = _("best-practice libraries")

    def get_template(self, request, *args, **kwargs):
        return "cms/practice_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from cms.selectors import practices as selectors

        context = super().get_context(request, *args, **kwargs)
        filters = selectors.PracticeFilters.from_querydict(request.GET)
        practices = selectors.practice_listing(index=self, filters=filters)
        context.update(
            selectors.practice_filter_options(),
            filters=filters,
            page_obj=Paginator(practices, self.PAGE_SIZE).get_page(request.GET.get("page")),
            submit_url=self.url + self.reverse_subpage("submit"),
        )
        return context

    @path("rss/", name="rss")
    def rss_feed(self, request):
        from cms.feeds import practice_feed_response

        return practice_feed_response(request, self, "rss")

    @path("atom/", name="atom")
    def atom_feed(self, request):
        from cms.feeds import practice_feed_response

        return practice_feed_response(request, self, "atom")

    @path("submit/", name="submit")
    def submit(self, request):
        """The proposal form for signed-in library workers (works without JavaScript)."""
        import uuid

        from django.contrib import messages
        from django.contrib.auth.views import redirect_to_login
        from django.http import HttpResponseNotAllowed
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse
        from django.urls import reverse

        from cms.forms import PracticeProposalForm
        from cms.selectors.practices import proposal_organisations
        from cms.services.practices import ProposalRefused, practice_propose
        from core.models import ConsentPurpose
        from core.services.consent import ConsentUnavailable, consent_document_current

        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisations = proposal_organisations(request.user)
        try:
            consent_document_current(ConsentPurpose.PUBLISH_NAME)
        except ConsentUnavailable:
            consent_available = False
        else:
            consent_available = True
        form_options = {"organisations": organisations, "consent_available": consent_available}
        if request.method == "POST":
            form = PracticeProposalForm(request.POST, request.FILES, **form_options)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    _proposal, created = practice_propose(
                        user=request.user,
                        organisation=data["organisation"],
                        title=data["title"],
                        category=data["category"],
                        annotation=data["annotation"],
                        description=data["description"],
                        files=data["files"],
                        cover=data["cover"],
                        cover_alt=data["cover_alt"],
                        publish_name=bool(data.get("publish_name")),
                        submission_key=data["submission_key"],
                        request=request,
                    )
                except ProposalRefused as refusal:
                    form.add_error(None, refusal.message)
                else:
                    if created:
                        messages.success(
                            request,
                            _(
                                "Thank you! Your practice has been sent to the editors. "
                                "We will let you know when they have reviewed it."
                            ),
                        )
                    else:
                        messages.info(request, _("This proposal has already been received."))
                    return redirect(reverse("core:cabinet") + "#cabinet-practices")
        else:
            form = PracticeProposalForm(initial={"submission_key": uuid.uuid4()}, **form_options)
        return TemplateResponse(
            request,
            "cms/practice_submit.html",
            {
                "page": self,
                "form": form,
                "has_organisations": organisations.exists(),
                "breadcrumbs": [(self.title, self.url), (_("Propose a practice"), "")],
            },
        )


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

    def get_context(self, request, *args, **kwargs):
        from cms.selectors.practices import practice_attachments

        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = practice_attachments(self)
        return context


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
    # The one-time key of the form that sent the proposal: a resubmitted form finds it.
    submission_key = models.UUIDField(
        _("submission key"), unique=True, null=True, blank=True, editable=False
    )
    created = models.DateTimeField(_("proposed"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("practice proposal")
        verbose_name_plural = _("practice proposals")

    def __str__(self):
        return self.title
