from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.attachments import AttachmentBase
from cms.models.base import BasePage
from cms.models.sections import SectionIndexPage
from cms.models.taxonomy import Audience


class RecommendationKind(models.TextChoices):
    RECOMMENDATIONS = "recommendations", _("methodological recommendations")
    MANUAL = "manual", _("manual")
    COLLECTION = "collection", _("collection")
    MEMO = "memo", _("memo")


def current_year() -> int:
    return timezone.localdate().year


PAGE_SIZE = 12


class RecommendationIndexPage(RoutablePageMixin, SectionIndexPage):
    """``/recommendations/``: the filtered list, plus ``rss/`` and ``atom/`` feeds."""

    subpage_types = ["cms.RecommendationPage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("methodological recommendations")
        verbose_name_plural = _("methodological recommendations")

    def get_template(self, request, *args, **kwargs):
        return "cms/recommendation_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import recommendations as selectors

        context = super().get_context(request, *args, **kwargs)
        facets = selectors.recommendation_facets(index=self)
        filters = selectors.RecommendationFilters.from_params(
            request.GET, topics={facet.value for facet in facets["topics"]}
        )
        listing = selectors.recommendation_listing(index=self, filters=filters)
        context.update(
            filters=filters,
            facets=facets,
            page_obj=Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page")),
        )
        return context

    @path("rss/", name="rss")
    def rss_feed(self, request):
        from cms.feeds import recommendation_feed_response

        return recommendation_feed_response(request, self, "rss")

    @path("atom/", name="atom")
    def atom_feed(self, request):
        from cms.feeds import recommendation_feed_response

        return recommendation_feed_response(request, self, "atom")


class RecommendationPage(BasePage):
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    annotation = models.TextField(_("annotation"), max_length=2000)
    kind = models.CharField(
        _("type"),
        max_length=20,
        choices=RecommendationKind.choices,
        default=RecommendationKind.RECOMMENDATIONS,
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    year = models.PositiveSmallIntegerField(_("year"), default=current_year)
    topics = ParentalManyToManyField("cms.Topic", blank=True, verbose_name=_("topics"))
    tags = ClusterTaggableManager(through="cms.RecommendationTag", blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("content"), blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("authors"),
        index.SearchField("annotation"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("audience"),
        index.FilterField("year"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("authors"),
                FieldPanel("kind"),
                FieldPanel("audience"),
                FieldPanel("year"),
                FieldPanel("topics"),
                FieldPanel("tags"),
            ],
            heading=_("Description"),
        ),
        FieldPanel("annotation"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attached files")),
        InlinePanel("related_links", label=_("Related materials")),
    ]
    parent_page_types = ["cms.RecommendationIndexPage"]
    subpage_types = []
    template = "cms/recommendation_page.html"

    class Meta:
        verbose_name = _("methodological recommendation")
        verbose_name_plural = _("methodological recommendations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1990) & models.Q(year__lte=2100),
                name="cms_recommendation_year_range",
            )
        ]

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import recommendations as selectors

        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = selectors.recommendation_attachments(self)
        context["related_pages"] = selectors.recommendation_related(self)
        return context


class RecommendationAttachment(AttachmentBase):
    page = ParentalKey(RecommendationPage, on_delete=models.CASCADE, related_name="attachments")


class RecommendationRelated(Orderable):
    page = ParentalKey(RecommendationPage, on_delete=models.CASCADE, related_name="related_links")
    related_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("related page"),
    )

    panels = [FieldPanel("related_page")]

    class Meta(Orderable.Meta):
        verbose_name = _("related material")
        verbose_name_plural = _("related materials")
