"""Section roots of the learning plugin: their URLs are fixed by CONTRACTS.md."""

from django.utils.translation import gettext_lazy as _

from cms.models.sections import SectionIndexPage


class CourseIndexPage(SectionIndexPage):
    """The course catalogue (``/courses/``)."""

    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")
