"""Reads of the consultation desk: the public FAQ, the methodists' queue, an asker's questions."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from cms.consultations.models import (
    WAITING_STATUSES,
    ConsultationAnswerPage,
    Question,
    QuestionStatus,
)
from cms.models import ConsultationIndexPage, Topic
from core.models import User

ANSWER_PERMISSION = "consultations.answer_question"
QUERY_MAX = 200
#: The answer-time statistics of the dashboard look this far back.
STATS_WINDOW_DAYS = 90


def sla_days() -> int:
    """Days a question may wait before the queue marks it overdue."""
    return int(getattr(settings, "PORTAL_CONSULTATION_SLA_DAYS", 5))


def consultation_index() -> ConsultationIndexPage | None:
    return ConsultationIndexPage.objects.live().first()


def can_answer(user) -> bool:
    return user.is_authenticated and user.has_perm(ANSWER_PERMISSION)


def consultants() -> QuerySet[User]:
    """Active people who work the queue (by role, personal permission or superuser status)."""
    app_label, codename = ANSWER_PERMISSION.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    granted = Q(is_superuser=True)
    if permission is not None:
        granted |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return User.objects.filter(granted, is_active=True).distinct().order_by(*User._meta.ordering)


def _positive_int(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def _case_variants(text: str) -> set[str]:
    # SQLite's LIKE folds the case of ASCII letters only; trying the usual spellings
    # makes Cyrillic queries case-insensitive there too (PostgreSQL needs none of it).
    return {text, text.lower(), text.upper(), text.capitalize()}


# --- the public FAQ ---------------------------------------------------------


@dataclass(frozen=True)
class FaqFilters:
    topic: str = ""
    query: str = ""

    @classmethod
    def from_querydict(cls, data) -> FaqFilters:
        return cls(
            topic=data.get("topic", "").strip()[:120],
            query=data.get("q", "").strip()[:QUERY_MAX],
        )

    @property
    def active(self) -> bool:
        return bool(self.topic or self.query)


def faq_listing(
    *, index: ConsultationIndexPage | None, filters: FaqFilters
) -> QuerySet[ConsultationAnswerPage]:
    """Live public FAQ entries, newest first, with their topics (constant queries)."""
    entries = (
        ConsultationAnswerPage.objects.live()
        .public()
        .select_related("topic")
        .order_by("-date", "-first_published_at", "-pk")
    )
    if index is not None:
        entries = entries.child_of(index)
    if filters.topic:
        entries = entries.filter(topic__slug=filters.topic)
    if filters.query:
        condition = Q()
        for variant in _case_variants(filters.query):
            condition |= Q(title__icontains=variant) | Q(question_text__icontains=variant)
        entries = entries.filter(condition)
    return entries


def faq_topics() -> list[Topic]:
    """Topics that have at least one live public FAQ entry, for the filter."""
    live = ConsultationAnswerPage.objects.live().public().values("topic_id")
    return list(Topic.objects.filter(pk__in=live))


# --- an asker's questions -----------------------------------------------------


def questions_of(user) -> QuerySet[Question]:
    return (
        Question.objects.filter(asker=user)
        .select_related("topic", "faq_page")
        .order_by("-created", "-pk")
    )


def question_counts_of(user) -> dict[str, int]:
    """How many of the user's questions wait, and how many have an answer."""
    return Question.objects.filter(asker=user).aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=Q(status__in=WAITING_STATUSES)),
        answered=Count("pk", filter=~Q(answer="")),
    )


def has_questions(user) -> bool:
    return user.is_authenticated and Question.objects.filter(asker=user).exists()


def question_for_attachment(*, question_id: int, user) -> Question | None:
    """The question whose attachment ``user`` may download: their own, or any for methodists."""
    if not user.is_authenticated:
        return None
    questions = Question.objects.exclude(attachment="")
    if not can_answer(user):
        questions = questions.filter(asker=user)
    return questions.filter(pk=question_id).first()


# --- the methodists' queue ----------------------------------------------------

STATUS_WAITING = "waiting"
STATUS_ALL = "all"


@dataclass(frozen=True)
class QueueFilters:
    status: str = STATUS_WAITING
    topic: int | None = None
    mine: bool = False

    @classmethod
    def from_querydict(cls, data) -> QueueFilters:
        status = data.get("status", STATUS_WAITING)
        if status not in (STATUS_WAITING, STATUS_ALL, *QuestionStatus.values):
            status = STATUS_WAITING
        return cls(
            status=status,
            topic=_positive_int(data.get("topic")),
            mine=data.get("mine") == "1",
        )

    @property
    def active(self) -> bool:
        return self != QueueFilters()


def queue_listing(*, filters: QueueFilters, user) -> QuerySet[Question]:
    """Questions for the queue, oldest first, with everything a row shows."""
    questions = Question.objects.select_related(
        "asker", "organisation", "topic", "assignee"
    ).order_by("created", "pk")
    if filters.status == STATUS_WAITING:
        questions = questions.filter(status__in=WAITING_STATUSES)
    elif filters.status != STATUS_ALL:
        questions = questions.filter(status=filters.status)
    if filters.topic:
        questions = questions.filter(topic_id=filters.topic)
    if filters.mine:
        questions = questions.filter(assignee=user)
    return questions


def queue_topics() -> list[Topic]:
    return list(Topic.objects.all())


def question_for_staff(question_id: int) -> Question | None:
    return (
        Question.objects.select_related(
            "asker", "organisation", "topic", "assignee", "answered_by", "faq_page"
        )
        .filter(pk=question_id)
        .first()
    )


@dataclass(frozen=True)
class QueueSummary:
    waiting: int
    mine: int
    overdue: int
    oldest_days: int | None


def queue_summary(user, *, now: dt.datetime | None = None) -> QueueSummary:
    now = now or timezone.now()
    overdue_before = now - dt.timedelta(days=sla_days())
    figures = Question.objects.filter(status__in=WAITING_STATUSES).aggregate(
        waiting=Count("pk"),
        mine=Count("pk", filter=Q(assignee=user)),
        overdue=Count("pk", filter=Q(created__lt=overdue_before)),
        oldest=Min("created"),
    )
    oldest = figures["oldest"]
    return QueueSummary(
        waiting=figures["waiting"],
        mine=figures["mine"],
        overdue=figures["overdue"],
        oldest_days=max((now - oldest).days, 0) if oldest else None,
    )


# --- the head's dashboard -----------------------------------------------------


@dataclass(frozen=True)
class DashboardStats:
    asked_this_month: int
    answered_this_month: int
    waiting: int
    overdue: int
    median_days_to_answer: float | None
    window_days: int


def dashboard_stats(*, now: dt.datetime | None = None) -> DashboardStats:
    now = now or timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    overdue_before = now - dt.timedelta(days=sla_days())
    figures = Question.objects.aggregate(
        asked=Count("pk", filter=Q(created__gte=month_start)),
        answered=Count("pk", filter=Q(answered_at__gte=month_start)),
        waiting=Count("pk", filter=Q(status__in=WAITING_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=WAITING_STATUSES, created__lt=overdue_before)),
    )
    window_start = now - dt.timedelta(days=STATS_WINDOW_DAYS)
    durations = [
        (answered_at - created).total_seconds() / 86400
        for created, answered_at in Question.objects.filter(
            answered_at__gte=window_start
        ).values_list("created", "answered_at")
    ]
    return DashboardStats(
        asked_this_month=figures["asked"],
        answered_this_month=figures["answered"],
        waiting=figures["waiting"],
        overdue=figures["overdue"],
        median_days_to_answer=round(statistics.median(durations), 1) if durations else None,
        window_days=STATS_WINDOW_DAYS,
    )
