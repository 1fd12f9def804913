from django.utils.translation import gettext_lazy as _

from core.plugins import PluginConfig


class ConsultationsConfig(PluginConfig):
    """The consultation desk: questions, the methodists' queue and the public FAQ."""

    name = "cms.consultations"
    label = "consultations"
    verbose_name = _("Consultation desk")
    default_auto_field = "django.db.models.BigAutoField"
