from django.utils.translation import gettext_lazy as _

from core.plugins import NavItem, PluginConfig


class LmsConfig(PluginConfig):
    name = "lms"
    label = "lms"
    verbose_name = _("Courses and events")
    default_auto_field = "django.db.models.BigAutoField"
    owned_paths = ("/courses/", "/events/", "/verify/", "/ws/seminars/", "/cabinet/calendar/")

    def seed_demo(self, *, log):
        from lms import demo

        demo.seed(log)

    def get_nav_items(self, request):
        from wagtail.models import Page

        from lms.models import CourseIndexPage, EventIndexPage

        labels = {CourseIndexPage: (_("Courses"), 10), EventIndexPage: (_("Events"), 15)}
        for page in Page.objects.live().type(CourseIndexPage, EventIndexPage):
            label, order = labels[page.specific_class]
            url = page.get_url(request)
            yield NavItem(label=label, url=url, order=order, section=url)
