"""Wagtail admin wiring of quizzes: the question bank.

Pages that attempts (``QuizAttempt.quiz``) or a bank (``Question.course``)
refer to are kept from deletion by the generic hook of ``lms.courses``, which
covers every PROTECT reference to a page."""

from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from lms.quizzes.forms import QuestionForm
from lms.quizzes.models import Question


class QuestionViewSet(ModelViewSet):
    model = Question
    icon = "help"
    menu_label = gettext_lazy("Question bank")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["__str__", "course", "kind", "points", "version", "is_active"]
    list_filter = ["kind", "is_active", "pool"]
    search_fields = ["text", "pool"]
    search_backend_name = None
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return QuestionForm


@hooks.register("register_admin_viewset")
def register_question_viewset():
    return QuestionViewSet("quiz_questions")
