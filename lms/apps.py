from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.plugins import (
    CabinetSection,
    DashboardWidget,
    HomeSection,
    NavItem,
    NotificationKind,
    PluginConfig,
)


class LmsConfig(PluginConfig):
    name = "lms"
    label = "lms"
    verbose_name = _("Courses and events")
    default_auto_field = "django.db.models.BigAutoField"
    urls = "lms.urls"
    websocket_urls = "lms.realtime.routing"
    sub_app_labels = ("courses", "quizzes", "assignments", "certificates")
    owned_paths = (
        "/courses/",
        "/events/",
        "/verify/",
        "/ws/seminars/",
        "/cabinet/calendar/",
        "/cabinet/cohorts/",
        "/cabinet/dpo/",
        "/cabinet/reviews/",
        "/cabinet/assignments/",
        "/cabinet/certificates/",
    )

    def ready(self):
        from lms import signals  # noqa: F401

    def seed_demo(self, *, log):
        from lms import demo
        from lms.certificates import demo as certificates_demo

        demo.seed(log)
        certificates_demo.seed(log)

    def get_nav_items(self, request):
        from wagtail.models import Page

        from lms.models import CourseIndexPage, EventIndexPage

        labels = {CourseIndexPage: (_("Courses"), 10), EventIndexPage: (_("Events"), 15)}
        for page in Page.objects.live().type(CourseIndexPage, EventIndexPage):
            label, order = labels[page.specific_class]
            url = page.get_url(request)
            yield NavItem(label=label, url=url, order=order, section=url)
        verify_url = reverse("lms:certificates:verify_search")
        yield NavItem(label=_("Verify a certificate"), url=verify_url, order=80, section=verify_url)

    def get_home_sections(self, request):
        from lms.courses.views.learning import home_courses_section

        yield from home_courses_section(request)
        from lms.models import EventIndexPage
        from lms.selectors.events import events_upcoming

        index = EventIndexPage.objects.live().first()
        events = events_upcoming(limit=4)
        if index is None or not events:
            return
        yield HomeSection(
            key="events",
            title=_("Upcoming events"),
            template="lms/includes/home_events.html",
            context={"events": events},
            order=20,
            more_url=index.get_url(request),
        )

    def get_cabinet_sections(self, request):
        from lms.courses.views.learning import cabinet_courses_section

        yield from cabinet_courses_section(request)
        from lms.selectors.events import user_registrations

        yield CabinetSection(
            key="events",
            title=_("My events"),
            template="lms/includes/cabinet_events.html",
            context={
                "registrations": list(user_registrations(request.user)[:10]),
                "calendar_url": reverse("lms:calendar_settings"),
            },
            order=30,
        )
        from lms.courses.views.enrollment import cabinet_enrollment_sections

        yield from cabinet_enrollment_sections(request)
        from lms.assignments.plugin import cabinet_sections as assignment_sections

        yield from assignment_sections(request)
        from lms.certificates.plugin import cabinet_sections as certificate_sections

        yield from certificate_sections(request)

    def get_dashboard_widgets(self, request):
        from lms.selectors.events import events_dashboard_stats

        yield DashboardWidget(
            key="events",
            title=_("Events"),
            template="lms/includes/dashboard_events.html",
            context={"stats": events_dashboard_stats()},
            order=30,
        )
        from lms.assignments.plugin import dashboard_widgets as assignment_widgets

        yield from assignment_widgets(request)

    def get_upcoming_events(self, request, *, audience="", limit=5):
        from lms.selectors.events import upcoming_event_items

        return upcoming_event_items(request, audience=audience, limit=limit)

    def get_calendar_providers(self):
        from lms.courses.selectors.progress import user_course_deadlines
        from lms.selectors.events import user_calendar_items

        return [user_calendar_items, user_course_deadlines]

    def get_notification_kinds(self):
        from lms.assignments.plugin import notification_kinds as assignment_kinds
        from lms.certificates.plugin import notification_kinds as certificate_kinds

        return [
            *assignment_kinds(),
            *certificate_kinds(),
            NotificationKind("events.registration", _("Event registration")),
            NotificationKind("events.change", _("Changes of events I am registered for")),
            NotificationKind("events.reminder", _("Event reminders")),
            NotificationKind("courses.completed", _("Course completion")),
            NotificationKind(
                "courses.enrollment", _("Course enrollment and decisions on my requests")
            ),
            NotificationKind(
                "courses.waitlist_promoted", _("A place in a course cohort became free for me")
            ),
            NotificationKind(
                "courses.enrollment_request", _("Requests to join the cohorts I teach")
            ),
        ]

    def get_role_permissions(self):
        manage = [
            "lms.manage_registrations",
            "lms.view_eventregistration",
            "lms.moderate_seminar",
        ]
        courses = [
            "courses.manage_cohort",
            "courses.add_cohort",
            "courses.change_cohort",
            "courses.delete_cohort",
            "courses.add_cohortdeadline",
            "courses.change_cohortdeadline",
            "courses.delete_cohortdeadline",
            "courses.add_professionalstandard",
            "courses.change_professionalstandard",
            "courses.delete_professionalstandard",
            "courses.add_labourfunction",
            "courses.change_labourfunction",
            "courses.delete_labourfunction",
            "courses.view_learnerprofile",
            "quizzes.view_question",
            "quizzes.add_question",
            "quizzes.change_question",
            "quizzes.delete_question",
            "quizzes.view_quizattempt",
            "certificates.view_certificate",
            "certificates.issue_certificate",
            "certificates.add_certificatetemplate",
            "certificates.change_certificatetemplate",
            "certificates.delete_certificatetemplate",
            "certificates.view_certificatetemplate",
        ]
        return {
            "methodist": manage + courses,
            "moderator": manage,
            "head": manage + courses,
            "administrator": manage + courses,
        }
