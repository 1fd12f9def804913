"""The plugin registry: what side apps contribute to the site.

A side app ("plugin") subclasses :class:`PluginConfig` for its AppConfig and
overrides the ``get_*`` hooks it needs. The kernel collects contributions
lazily from ``apps.get_app_configs()`` (the pretix pattern) and keeps only the
plugins named in ``settings.PORTAL_PLUGINS``. Every hook receives the request
(or user) so it can apply its own permission checks; the kernel never imports
a plugin module directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig, apps
from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class NavItem:
    """An entry in the site's main navigation."""

    label: str
    url: str
    order: int = 100
    # Top-level path prefix the item owns; the shell marks it current.
    section: str = ""


@dataclass(frozen=True)
class CabinetSection:
    """A block of the personal cabinet (``/cabinet/``)."""

    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class DashboardWidget:
    """A widget on the head-of-department dashboard."""

    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True)
class HomeSection:
    """A block of the home page (upcoming events, open courses, ...)."""

    key: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    more_url: str = ""


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    kind: str
    summary: str = ""
    #: Excerpt with the matched words in <mark>: escaped HTML (a SafeString).
    highlight: str = ""
    date: dt.datetime | dt.date | None = None
    #: "app_label.model" of the hit's type; the results page filters by it (?type=).
    kind_key: str = ""


@dataclass(frozen=True)
class CalendarItem:
    """Something with a date that belongs on a user's calendar."""

    uid: str
    title: str
    start: dt.datetime
    end: dt.datetime | None
    url: str
    kind: str
    location: str = ""
    description: str = ""
    # iCalendar bookkeeping: SEQUENCE grows on every change of time, place or status.
    sequence: int = 0
    cancelled: bool = False
    last_modified: dt.datetime | None = None


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str
    email_by_default: bool = True


SearchProvider = Callable[["HttpRequest", str], Iterable[SearchHit]]
CalendarProvider = Callable[[Any, dt.datetime, dt.datetime], Iterable[CalendarItem]]


class PluginConfig(AppConfig):
    """AppConfig of an app that contributes to the site through the registry.

    The kernel (``core``) and ``cms`` use it too and are always enabled; the
    side apps listed in ``settings.ALL_PLUGINS`` can be switched off.
    """

    #: URL prefix the app's ``urls`` module is mounted under ("" = site root).
    url_prefix: str | None = None
    #: Dotted path of the URL module mounted under ``url_prefix``.
    urls: str | None = None
    #: Dotted path of a module with ``websocket_urlpatterns``.
    websocket_urls: str | None = None
    #: Top-level URL paths owned by this plugin (used to prove no link points
    #: into a disabled plugin, and to hide its Wagtail pages).
    owned_paths: tuple[str, ...] = ()
    #: Labels of the plugin's own sub-apps (their pages hide with the plugin).
    sub_app_labels: tuple[str, ...] = ()

    def get_nav_items(self, request: HttpRequest) -> Iterable[NavItem]:
        return ()

    def get_cabinet_sections(self, request: HttpRequest) -> Iterable[CabinetSection]:
        return ()

    def get_dashboard_widgets(self, request: HttpRequest) -> Iterable[DashboardWidget]:
        return ()

    def get_home_sections(self, request: HttpRequest) -> Iterable[HomeSection]:
        return ()

    def get_organisation_sections(
        self, request: HttpRequest, organisation: Any
    ) -> Iterable[HomeSection]:
        """Blocks of an organisation's public profile (its practices, its ИБЦ status...)."""
        return ()

    def get_upcoming_events(
        self, request: HttpRequest, *, audience: str = "", limit: int = 5
    ) -> Iterable[CalendarItem]:
        """Public upcoming events, optionally only those for ``audience`` (school, college)."""
        return ()

    def get_search_providers(self) -> Iterable[SearchProvider]:
        return ()

    def get_calendar_providers(self) -> Iterable[CalendarProvider]:
        return ()

    def get_notification_kinds(self) -> Iterable[NotificationKind]:
        return ()

    def seed_demo(self, *, log: Callable[[str], None]) -> None:
        """Create this app's demo content; must be idempotent (``manage.py seed_demo``)."""

    def get_role_permissions(self) -> dict[str, list[str]]:
        """Extra ``"app_label.codename"`` permissions per role code (see core.roles)."""
        return {}


def all_plugins() -> list[PluginConfig]:
    return [config for config in apps.get_app_configs() if isinstance(config, PluginConfig)]


def is_enabled(label: str) -> bool:
    """The kernel and cms are always on; side apps only when PORTAL_PLUGINS names them."""
    return label not in settings.ALL_PLUGINS or label in settings.PORTAL_PLUGINS


def enabled_plugins() -> list[PluginConfig]:
    return [config for config in all_plugins() if is_enabled(config.label)]


def disabled_plugins() -> list[PluginConfig]:
    return [config for config in all_plugins() if not is_enabled(config.label)]


def nav_items(request: HttpRequest) -> list[NavItem]:
    items = [item for plugin in enabled_plugins() for item in plugin.get_nav_items(request)]
    return sorted(items, key=lambda item: (item.order, item.label))


def cabinet_sections(request: HttpRequest) -> list[CabinetSection]:
    sections = [s for plugin in enabled_plugins() for s in plugin.get_cabinet_sections(request)]
    return sorted(sections, key=lambda s: s.order)


def dashboard_widgets(request: HttpRequest) -> list[DashboardWidget]:
    widgets = [w for plugin in enabled_plugins() for w in plugin.get_dashboard_widgets(request)]
    return sorted(widgets, key=lambda w: w.order)


def home_sections(request: HttpRequest) -> list[HomeSection]:
    sections = [s for plugin in enabled_plugins() for s in plugin.get_home_sections(request)]
    return sorted(sections, key=lambda s: s.order)


def organisation_sections(request: HttpRequest, organisation: Any) -> list[HomeSection]:
    sections = [
        s
        for plugin in enabled_plugins()
        for s in plugin.get_organisation_sections(request, organisation)
    ]
    return sorted(sections, key=lambda s: s.order)


def upcoming_events(
    request: HttpRequest, *, audience: str = "", limit: int = 5
) -> list[CalendarItem]:
    items = [
        item
        for plugin in enabled_plugins()
        for item in plugin.get_upcoming_events(request, audience=audience, limit=limit)
    ]
    return sorted(items, key=lambda item: item.start)[:limit]


def search_providers() -> list[SearchProvider]:
    return [p for plugin in enabled_plugins() for p in plugin.get_search_providers()]


def calendar_providers() -> list[CalendarProvider]:
    return [p for plugin in enabled_plugins() for p in plugin.get_calendar_providers()]


def notification_kinds() -> dict[str, NotificationKind]:
    return {
        kind.code: kind for plugin in enabled_plugins() for kind in plugin.get_notification_kinds()
    }


def role_permissions() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for plugin in enabled_plugins():
        for role, perms in plugin.get_role_permissions().items():
            merged.setdefault(role, []).extend(perms)
    return merged


def disabled_paths() -> tuple[str, ...]:
    return tuple(path for plugin in disabled_plugins() for path in plugin.owned_paths)


def disabled_app_labels() -> set[str]:
    return {
        label for plugin in disabled_plugins() for label in (plugin.label, *plugin.sub_app_labels)
    }


def plugin_urlpatterns() -> list:
    """URL patterns of the enabled plugins, each mounted under its prefix."""
    from django.urls import include, path

    return [
        path(plugin.url_prefix or "", include(plugin.urls))
        for plugin in enabled_plugins()
        if plugin.urls
    ]


def websocket_urlpatterns() -> list:
    from importlib import import_module

    patterns: list = []
    for plugin in enabled_plugins():
        if plugin.websocket_urls:
            patterns.extend(import_module(plugin.websocket_urls).websocket_urlpatterns)
    return patterns
