from django.utils.translation import gettext_lazy as _

from core.plugins import CabinetSection, DashboardWidget, NotificationKind, PluginConfig


class CoreConfig(PluginConfig):
    name = "core"
    label = "core"
    verbose_name = _("Portal kernel")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import search_signals, signals  # noqa: F401

    def get_cabinet_sections(self, request):
        from core import selectors

        user = request.user
        yield CabinetSection(
            key="profile",
            title=_("Profile"),
            template="core/cabinet/profile_section.html",
            context={"organisations": list(selectors.user_organisations(user))},
            order=10,
        )
        yield CabinetSection(
            key="notifications",
            title=_("Notifications"),
            template="core/cabinet/notifications_section.html",
            context={"notifications": list(selectors.notifications_for(user, limit=5))},
            order=20,
        )
        if user.has_perm("core.view_dashboard"):
            yield CabinetSection(
                key="dashboard",
                title=_("Department dashboard"),
                template="core/cabinet/dashboard_link_section.html",
                order=5,
            )

    def seed_demo(self, *, log):
        from core import demo

        demo.seed(log)

    def get_dashboard_widgets(self, request):
        from core.selectors import registry_summary

        yield DashboardWidget(
            key="registry",
            title=_("Organisations and people"),
            template="core/dashboard/registry_widget.html",
            context={"summary": registry_summary()},
            order=10,
        )

    def get_search_providers(self):
        from core.selectors import pages_search

        return [pages_search]

    def get_notification_kinds(self):
        return [
            NotificationKind("account.welcome", _("Account events")),
            NotificationKind("registry.membership", _("Membership in an organisation")),
        ]
