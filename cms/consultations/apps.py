from django.utils.translation import gettext_lazy as _

from core.plugins import CabinetSection, DashboardWidget, NotificationKind, PluginConfig

ANSWER_PERMISSIONS = ["consultations.answer_question", "consultations.view_question"]


class ConsultationsConfig(PluginConfig):
    """The consultation desk: questions, the methodists' queue and the public FAQ."""

    name = "cms.consultations"
    label = "consultations"
    verbose_name = _("Consultation desk")
    default_auto_field = "django.db.models.BigAutoField"

    def get_cabinet_sections(self, request):
        from cms.consultations import selectors

        user = request.user
        index = selectors.consultation_index()
        if index is None or not user.is_authenticated:
            return
        url = index.get_url(request)
        if selectors.has_questions(user):
            yield CabinetSection(
                key="consultations",
                title=_("My questions"),
                template="consultations/includes/cabinet_questions.html",
                context={
                    "counts": selectors.question_counts_of(user),
                    "my_url": url + index.reverse_subpage("my"),
                    "ask_url": url + index.reverse_subpage("ask"),
                },
                order=45,
            )
        if selectors.can_answer(user):
            yield CabinetSection(
                key="consultation-queue",
                title=_("Consultation queue"),
                template="consultations/includes/cabinet_queue.html",
                context={
                    "summary": selectors.queue_summary(user),
                    "sla_days": selectors.sla_days(),
                    "queue_url": url + index.reverse_subpage("queue"),
                },
                order=46,
            )

    def get_dashboard_widgets(self, request):
        from cms.consultations import selectors

        if not request.user.has_perm("core.view_dashboard"):
            return
        yield DashboardWidget(
            key="consultations",
            title=_("Consultations"),
            template="consultations/includes/dashboard_consultations.html",
            context={"stats": selectors.dashboard_stats(), "sla_days": selectors.sla_days()},
            order=40,
        )

    def get_notification_kinds(self):
        return [
            NotificationKind("consultations.answered", _("Answers to my questions")),
            NotificationKind(
                "consultations.new",
                _("New questions in the consultation queue"),
                email_by_default=False,
            ),
        ]

    def get_role_permissions(self):
        return {
            "methodist": ANSWER_PERMISSIONS,
            "head": ANSWER_PERMISSIONS,
            "administrator": ANSWER_PERMISSIONS,
        }

    def seed_demo(self, *, log):
        from cms.consultations import demo

        demo.seed(log)
