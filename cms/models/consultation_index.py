"""Root of the consultation desk (/consultations/); its records live in cms.consultations."""

from django.utils.translation import gettext_lazy as _

from cms.models.sections import SectionIndexPage


class ConsultationIndexPage(SectionIndexPage):
    class Meta:
        verbose_name = _("consultation desk")
        verbose_name_plural = _("consultation desks")
