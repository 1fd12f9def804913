from django.utils.translation import gettext_lazy as _

from core.plugins import CabinetSection, NotificationKind, PluginConfig


class AssociationConfig(PluginConfig):
    """The methodological association of college library workers: members and materials."""

    name = "cms.association"
    label = "association"
    verbose_name = _("Association of college library workers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms.association import signals  # noqa: F401

    def get_cabinet_sections(self, request):
        from cms.association import selectors
        from cms.models import AssociationIndexPage

        index = AssociationIndexPage.objects.live().first()
        user = request.user
        if index is None or not user.is_authenticated:
            return
        coordinator = selectors.is_coordinator(user)
        membership = selectors.membership_latest_for(user)
        can_join = selectors.user_college_organisations(user).exists()
        if not (coordinator or membership or can_join):
            return
        url = index.get_url(request)
        yield CabinetSection(
            key="association",
            title=_("Association of college library workers"),
            template="association/includes/cabinet_association.html",
            context={
                "membership": membership,
                "index_url": url,
                "join_url": url + index.reverse_subpage("join"),
                "can_join": can_join and not (membership and membership.is_active),
                "is_coordinator": coordinator,
                "pending_count": selectors.pending_count() if coordinator else 0,
                "requests_url": url + index.reverse_subpage("requests"),
            },
            order=40,
        )

    def get_notification_kinds(self):
        return [
            NotificationKind("association.membership", _("Membership in the association")),
            NotificationKind("association.request", _("Requests to join the association")),
        ]

    def get_role_permissions(self):
        coordinate = ["association.coordinate", "association.view_associationmembership"]
        return {"methodist": coordinate, "head": coordinate, "administrator": coordinate}

    def seed_demo(self, *, log):
        from cms.association import demo

        demo.seed(log)
