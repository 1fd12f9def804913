"""Root of the consultation desk (/consultations/); its records live in cms.consultations."""

from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path

from cms.models.sections import SectionIndexPage


class ConsultationIndexPage(RoutablePageMixin, SectionIndexPage):
    """The public FAQ with its filters; asking, my questions and the methodists' queue below it."""

    subpage_types = ["cms.StandardPage", "consultations.ConsultationAnswerPage"]

    class Meta:
        verbose_name = _("consultation desk")
        verbose_name_plural = _("consultation desks")

    def get_template(self, request, *args, **kwargs):
        return "consultations/consultation_index_page.html"

    def get_context(self, request, *args, **kwargs):
        from cms.consultations.views import index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(index_context(request, self))
        return context

    # --- routes --------------------------------------------------------------

    @path("ask/", name="ask")
    def ask_route(self, request):
        from cms.consultations.views import ask_view

        return ask_view(request, self)

    @path("my/", name="my")
    def my_route(self, request):
        from cms.consultations.views import my_questions_view

        return my_questions_view(request, self)

    @path("queue/", name="queue")
    def queue_route(self, request):
        from cms.consultations.views import queue_view

        return queue_view(request, self)

    @path("queue/<int:question_id>/", name="question")
    def question_route(self, request, question_id):
        from cms.consultations.views import question_view

        return question_view(request, self, question_id)

    @path("queue/<int:question_id>/assign/", name="assign")
    def assign_route(self, request, question_id):
        from cms.consultations.views import question_assign_view

        return question_assign_view(request, self, question_id)

    @path("queue/<int:question_id>/answer/", name="answer")
    def answer_route(self, request, question_id):
        from cms.consultations.views import question_answer_view

        return question_answer_view(request, self, question_id)

    @path("queue/<int:question_id>/publish/", name="publish")
    def publish_route(self, request, question_id):
        from cms.consultations.views import question_publish_view

        return question_publish_view(request, self, question_id)

    @path("queue/<int:question_id>/close/", name="close")
    def close_route(self, request, question_id):
        from cms.consultations.views import question_close_view

        return question_close_view(request, self, question_id)

    @path("question/<int:question_id>/attachment/", name="attachment")
    def attachment_route(self, request, question_id):
        from cms.consultations.views import attachment_view

        return attachment_view(request, self, question_id)
