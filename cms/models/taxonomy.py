from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase


class Topic(ClusterableModel):
    """A subject heading editors share across recommendations, practices and questions."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class Audience(models.TextChoices):
    SCHOOL = "school", _("school libraries")
    COLLEGE = "college", _("college libraries")
    ALL = "all", _("schools and colleges")


# ClusterTaggableManager needs a ParentalKey here: the admin edits tags of unsaved
# pages and previews them, which a plain ForeignKey cannot hold in memory.
class RecommendationTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.RecommendationPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class PracticeTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.PracticePage", on_delete=models.CASCADE, related_name="tagged_items"
    )
