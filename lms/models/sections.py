"""Section roots of the learning plugin: their URLs are fixed by CONTRACTS.md."""

from django.utils.translation import gettext_lazy as _

from cms.models.sections import SectionIndexPage


class CourseIndexPage(SectionIndexPage):
    """The course catalogue (``/courses/``)."""

    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def get_template(self, request, *args, **kwargs):
        return "courses/course_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from lms.courses.views.learning import catalogue_context

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_context(request, self))
        return context
