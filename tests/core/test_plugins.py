"""The plugin contract: each side app can be switched off and the site still works."""

import importlib
import re

import pytest
from django.conf import settings
from django.urls import clear_url_caches

from core import plugins

pytestmark = pytest.mark.django_db

PAGES = ["/", "/cabinet/", "/search/?q=библиотека", "/organisations/", "/news/", "/about/"]
HREF = re.compile(r'(?:href|action)="([^"#]*)"')


@pytest.fixture
def plugins_enabled(settings):
    """Switch plugins on/off the way PORTAL_PLUGINS does, rebuilding the URLconf."""

    def switch(enabled: list[str]):
        settings.PORTAL_PLUGINS = enabled
        import config.urls

        importlib.reload(config.urls)
        clear_url_caches()

    yield switch
    settings.PORTAL_PLUGINS = list(settings.ALL_PLUGINS)
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()


def internal_links(html: str) -> set[str]:
    return {href for href in HREF.findall(html) if href.startswith("/")}


def test_all_plugins_are_registered_apps():
    labels = {plugin.label for plugin in plugins.all_plugins()}
    assert set(settings.ALL_PLUGINS) <= labels
    assert {"core", "cms"} <= labels


def test_with_every_plugin_on_their_sections_are_linked(client, demo_site, make_user):
    client.force_login(make_user("participant"))
    html = client.get("/").content.decode()
    links = internal_links(html)
    for path in ("/courses/", "/events/", "/catalogue/", "/monitoring/", "/expertise/"):
        assert path in links, path
    for path in ("/courses/", "/events/", "/catalogue/", "/monitoring/", "/expertise/registry/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("disabled", settings.ALL_PLUGINS)
def test_site_works_with_a_plugin_off_and_never_links_into_it(
    client, demo_site, make_user, plugins_enabled, disabled
):
    plugins_enabled([label for label in settings.ALL_PLUGINS if label != disabled])
    plugin = next(p for p in plugins.all_plugins() if p.label == disabled)
    assert plugin.owned_paths, "a plugin must declare the paths it owns"
    client.force_login(make_user("head"))
    seen: set[str] = set()
    for path in [*PAGES, "/cabinet/dashboard/"]:
        response = client.get(path)
        assert response.status_code == 200, f"{path} with {disabled} off"
        seen |= internal_links(response.content.decode())
    leaking = {link for link in seen if link.startswith(plugin.owned_paths)}
    assert not leaking, f"links into disabled {disabled}: {leaking}"
    # Every internal link the pages show still works.
    for link in sorted(seen):
        if link.startswith(("/static/", "/accessibility/", "/i18n/", "/accounts/logout/")):
            continue
        assert client.get(link).status_code in (200, 302), link
    # The plugin's own URLs and pages are gone.
    for path in plugin.owned_paths:
        if path.startswith("/ws/"):
            continue
        assert client.get(path).status_code == 404, path


def test_disabled_plugin_pages_are_left_out_of_search(client, demo_site, plugins_enabled):
    query = "/search/?q=Курсы"
    assert "/courses/" in client.get(query).content.decode()
    plugins_enabled(["catalogue", "monitoring"])
    assert "/courses/" not in client.get(query).content.decode()


def test_registry_collects_hooks_only_from_enabled_plugins(rf, make_user, plugins_enabled):
    request = rf.get("/")
    request.user = make_user("participant")
    keys = {section.key for section in plugins.cabinet_sections(request)}
    assert "monitoring" in keys
    plugins_enabled(["lms", "catalogue"])
    keys = {section.key for section in plugins.cabinet_sections(request)}
    assert "monitoring" not in keys
    assert {"profile", "notifications"} <= keys
