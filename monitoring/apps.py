from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.plugins import CabinetSection, NavItem, PluginConfig


class MonitoringConfig(PluginConfig):
    name = "monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring and IBC expertise")
    default_auto_field = "django.db.models.BigAutoField"
    urls = "monitoring.urls"
    owned_paths = ("/monitoring/", "/expertise/")

    def get_nav_items(self, request):
        if request.user.is_authenticated:
            url = reverse("monitoring:campaigns")
            yield NavItem(label=_("Monitoring"), url=url, order=90, section=url)
        url = reverse("monitoring:expertise")
        yield NavItem(label=_("IBC status"), url=url, order=95, section=url)

    def get_cabinet_sections(self, request):
        yield CabinetSection(
            key="monitoring",
            title=_("Monitoring"),
            template="monitoring/cabinet_section.html",
            order=60,
        )
