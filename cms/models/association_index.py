"""Root of the association section (/association/); its records live in cms.association."""

from django.utils.translation import gettext_lazy as _

from cms.models.sections import SectionIndexPage


class AssociationIndexPage(SectionIndexPage):
    class Meta:
        verbose_name = _("association of college library workers")
        verbose_name_plural = _("associations of college library workers")
