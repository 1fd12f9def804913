from django.utils.translation import gettext_lazy as _

from core.plugins import PluginConfig


class AssociationConfig(PluginConfig):
    """The methodological association of college library workers: members and materials."""

    name = "cms.association"
    label = "association"
    verbose_name = _("Association of college library workers")
    default_auto_field = "django.db.models.BigAutoField"
