from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core import plugins
from core.views import site as site_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail documents live under /files/: /documents/ is the normative-documents section.
    path("files/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("core.urls")),
    *plugins.plugin_urlpatterns(),
]

if settings.SERVE_MEDIA:
    # Public media only: Wagtail documents go through the permission-checked /files/ view.
    urlpatterns.append(
        re_path(r"^media/(?P<path>(?!documents/).*)$", site_views.public_media, name="media")
    )

# Wagtail's page tree answers everything else.
urlpatterns.append(path("", include(wagtail_urls)))

handler403 = "core.views.site.error_403"
handler404 = "core.views.site.error_404"
handler500 = "core.views.site.error_500"
