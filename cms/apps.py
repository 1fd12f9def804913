from django.utils.translation import gettext_lazy as _

from core.plugins import HomeSection, NavItem, NotificationKind, PluginConfig


class CmsConfig(PluginConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from cms import signals  # noqa: F401
        from cms.services.editorial import editorial_workflow_after_migrate

        post_migrate.connect(
            editorial_workflow_after_migrate, sender=self, dispatch_uid="cms_editorial_workflow"
        )

    def seed_demo(self, *, log):
        from cms import demo

        demo.seed(log)

    def get_nav_items(self, request):
        from cms import selectors
        from cms.models import (
            AssociationIndexPage,
            ConsultationIndexPage,
            DocumentIndexPage,
            NewsIndexPage,
            PracticeIndexPage,
            RecommendationIndexPage,
        )

        labels = {
            RecommendationIndexPage: (_("Recommendations"), 20),
            PracticeIndexPage: (_("Best practice"), 30),
            DocumentIndexPage: (_("Documents"), 40),
            ConsultationIndexPage: (_("Consultations"), 50),
            AssociationIndexPage: (_("Association"), 60),
            NewsIndexPage: (_("News"), 70),
        }
        for page_type, page in selectors.section_pages().items():
            label, order = labels[page_type]
            url = page.get_url(request)
            yield NavItem(label=label, url=url, order=order, section=url)

    def get_home_sections(self, request):
        from cms import selectors

        news = list(selectors.latest_news())
        if news:
            index = news[0].get_parent()
            yield HomeSection(
                key="news",
                title=_("News"),
                template="cms/includes/home_news.html",
                context={"news": news},
                order=40,
                more_url=index.get_url(request),
            )
        from cms.models import RecommendationIndexPage
        from cms.selectors.practices import practice_home_sections
        from cms.selectors.recommendations import recommendations_latest

        recommendations = recommendations_latest(limit=4)
        recommendation_index = selectors.section_pages().get(RecommendationIndexPage)
        if recommendations and recommendation_index is not None:
            url = recommendation_index.get_url(request)
            yield HomeSection(
                key="recommendations",
                title=_("New recommendations"),
                template="cms/includes/home_recommendations.html",
                context={"recommendations": recommendations, "index_url": url},
                order=25,
                more_url=url,
            )
        yield from practice_home_sections(request)

    def get_role_permissions(self):
        editors = ["cms.view_topic", "cms.add_topic", "cms.change_topic"]
        return {
            "methodist": editors,
            "head": [*editors, "cms.delete_topic"],
            "administrator": [*editors, "cms.delete_topic"],
        }

    def get_cabinet_sections(self, request):
        from cms.selectors.practices import practice_cabinet_sections

        yield from practice_cabinet_sections(request)

    def get_organisation_sections(self, request, organisation):
        from cms.selectors.practices import practice_organisation_sections

        yield from practice_organisation_sections(request, organisation)

    def get_notification_kinds(self):
        return [
            NotificationKind(
                "content.submitted", _("Content waiting for my review"), email_by_default=False
            ),
            NotificationKind("content.approved", _("My content approved"), email_by_default=False),
            NotificationKind(
                "content.changes_requested",
                _("Changes requested to my content"),
                email_by_default=False,
            ),
            NotificationKind("practices.published", _("My practice published")),
            NotificationKind(
                "practices.changes_requested", _("My practice returned with comments")
            ),
            NotificationKind("practices.rejected", _("My practice declined")),
        ]
