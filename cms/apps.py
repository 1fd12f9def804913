from django.utils.translation import gettext_lazy as _

from core.plugins import HomeSection, NavItem, PluginConfig


class CmsConfig(PluginConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Content")
    default_auto_field = "django.db.models.BigAutoField"

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
