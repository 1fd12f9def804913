"""Wagtail admin wiring of courses: cohorts with deadlines, reference data, learners' ДПО
data (read-only), and the guard that keeps course pages with learners' records."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import messages
from django.db import models
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
)
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.models import Page
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.courses.forms import CohortAdminForm
from lms.courses.models import Cohort, LabourFunction, LearnerProfile, ProfessionalStandard
from lms.courses.services.enrollment import cohort_capacity_changed

# Apps whose records point at course pages; their PROTECT references block deletion.
RECORD_APPS = ("courses", "quizzes", "assignments")


class CohortEditView(generic.EditView):
    def save_instance(self):
        cohort = super().save_instance()
        # More places (or a waiting list switched back on) go to the queue at once.
        cohort_capacity_changed(cohort_id=cohort.pk)
        return cohort


class GuardedDeleteView(generic.DeleteView):
    """Records that others still point at (a cohort's enrollments, a standard's functions)
    are not deleted; the admin says why instead of failing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(object)s” is still used by other records and cannot be deleted.")
                % {"object": self.object},
            )
            return redirect(self.get_success_url())


class CohortIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("course")


class CohortViewSet(ModelViewSet):
    model = Cohort
    icon = "group"
    menu_label = gettext_lazy("Cohorts")
    index_view_class = CohortIndexView
    edit_view_class = CohortEditView
    delete_view_class = GuardedDeleteView
    list_display = ["title", "course", "starts_on", "ends_on", "mode", "capacity"]
    list_filter = ["mode", "starts_on"]
    search_fields = ["title", "course__title"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("course"),
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [FieldPanel("enrollment_opens"), FieldPanel("enrollment_closes")]
                    ),
                    FieldRowPanel([FieldPanel("capacity"), FieldPanel("waitlist_enabled")]),
                    FieldRowPanel([FieldPanel("mode"), FieldPanel("invitation_code")]),
                ],
                heading=gettext_lazy("Enrollment"),
            ),
            FieldPanel("teachers", widget=forms.CheckboxSelectMultiple),
            InlinePanel(
                "deadlines",
                heading=gettext_lazy("Deadlines"),
                label=gettext_lazy("deadline"),
                panels=[
                    PageChooserPanel(
                        "page",
                        page_type=[
                            "quizzes.QuizPage",
                            "assignments.AssignmentPage",
                            "courses.LessonPage",
                        ],
                    ),
                    FieldPanel("due_at"),
                ],
            ),
        ],
        base_form_class=CohortAdminForm,
    )


class ProfessionalStandardViewSet(ModelViewSet):
    model = ProfessionalStandard
    icon = "doc-full"
    menu_label = gettext_lazy("Professional standards")
    delete_view_class = GuardedDeleteView
    form_fields = ["code", "title", "act"]
    list_display = ["code", "title", "act"]
    search_fields = ["code", "title"]


class LabourFunctionViewSet(ModelViewSet):
    model = LabourFunction
    icon = "list-ul"
    menu_label = gettext_lazy("Labour functions")
    delete_view_class = GuardedDeleteView
    form_fields = ["standard", "level", "code", "title"]
    list_display = ["code", "title", "level", "standard"]
    list_filter = ["standard", "level"]
    search_fields = ["code", "title"]


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    """Learners enter their ДПО data themselves; staff may only look at it."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


class LearnerProfileIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user")


class LearnerProfileViewSet(ModelViewSet):
    model = LearnerProfile
    icon = "user"
    index_view_class = LearnerProfileIndexView
    menu_label = gettext_lazy("Learners' ДПО data")
    form_fields = ["education_level"]
    list_display = ["user", "education_level", "updated"]
    list_filter = ["education_level"]
    search_fields = ["user__last_name", "user__email", "diploma_surname"]
    inspect_view_enabled = True
    copy_view_enabled = False


register_permission_policy(LearnerProfile, ViewOnlyPermissionPolicy(LearnerProfile))


class CoursesViewSetGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("Courses")
    menu_icon = "group"
    menu_order = 250
    items = (
        CohortViewSet("courses_cohorts", url_prefix="courses/cohorts"),
        ProfessionalStandardViewSet("courses_standards", url_prefix="courses/standards"),
        LabourFunctionViewSet("courses_functions", url_prefix="courses/functions"),
        LearnerProfileViewSet("courses_learners", url_prefix="courses/learners"),
    )


@hooks.register("register_admin_viewset")
def register_courses_viewsets():
    return CoursesViewSetGroup()


# --- deletion guard ---------------------------------------------------------------------


def _protected_page_references() -> list[tuple[type[models.Model], str]]:
    """(model, field) pairs of the course record apps that point at pages with PROTECT."""
    references = []
    for label in RECORD_APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                remote = field.remote_field
                if (
                    remote is not None
                    and isinstance(remote.model, type)
                    and issubclass(remote.model, Page)
                    and remote.on_delete is models.PROTECT
                ):
                    references.append((model, field.attname))
    return references


def pages_hold_learner_records(pages) -> bool:
    """Whether any of ``pages`` or the pages below them is referenced by a learner record
    (cohort, deadline, completion, quiz attempt, submission...)."""
    condition = models.Q()
    for page in pages:
        condition |= models.Q(path__startswith=page.path)
    subtree = Page.objects.filter(condition).values("pk")
    return any(
        model._default_manager.filter(**{f"{attname}__in": subtree}).exists()
        for model, attname in _protected_page_references()
    )


def _refuse_deletion(request) -> None:
    messages.error(
        request,
        _(
            "This page, or a page below it, has learners' records (cohorts, enrollments, "
            "progress, attempts or submissions) and cannot be deleted. Unpublish it instead: "
            "the records stay and the page disappears from the site."
        ),
    )


@hooks.register("before_delete_page")
def protect_course_pages_with_records(request, page):
    if not pages_hold_learner_records([page]):
        return None
    _refuse_deletion(request)
    return redirect(AdminURLFinder(request.user).get_edit_url(page))


@hooks.register("before_bulk_action")
def protect_course_pages_from_bulk_delete(request, action_type, objects, action_class_instance):
    if action_type != "delete" or not objects or not isinstance(objects[0], Page):
        return None
    if not pages_hold_learner_records(objects):
        return None
    _refuse_deletion(request)
    return redirect(reverse("wagtailadmin_explore", args=[objects[0].get_parent().pk]))
