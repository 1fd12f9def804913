from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.plugins import NavItem, PluginConfig


class CatalogueConfig(PluginConfig):
    name = "catalogue"
    label = "catalogue"
    verbose_name = _("Library catalogue")
    default_auto_field = "django.db.models.BigAutoField"
    url_prefix = "catalogue/"
    urls = "catalogue.urls"
    owned_paths = ("/catalogue/",)

    def get_nav_items(self, request):
        url = reverse("catalogue:index")
        yield NavItem(label=_("Catalogue"), url=url, order=80, section=url)
