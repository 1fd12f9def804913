"""Reads for the learning path: the course outline with every item's state for a
learner, access to one page, progress, the learner's dashboard and their deadlines.

One rule decides everything here (:func:`course_outlines`): the cohort's dates, the
module prerequisites and the course's access mode. It loads a whole course — or
all of a learner's courses — with a fixed number of queries, so the course page,
the lesson page and the cabinet cost the same however long the course is.

What counts as done: a lesson the learner marked as studied (``LessonCompletion``),
a quiz with a passed closed attempt (``lms.quizzes.selectors.passed_quizzes_by_enrollment``),
an assignment whose work was accepted
(``lms.assignments.selectors.accepted_assignments_by_enrollment``); each of those
reads many enrollments in one query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page

from core.plugins import CalendarItem
from lms.assignments.models import AssignmentPage
from lms.courses.models import (
    HOLDS_PLACE,
    AccessMode,
    Cohort,
    CohortDeadline,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    LessonCompletion,
    LessonPage,
    ModulePage,
)
from lms.courses.selectors.enrollment import can_manage_all_cohorts
from lms.quizzes.models import QuizPage

DONE = "done"
AVAILABLE = "available"
LOCKED = "locked"

MODULE = "module"
LESSON = "lesson"
QUIZ = "quiz"
ASSIGNMENT = "assignment"

ITEM_MODELS = {LESSON: LessonPage, QUIZ: QuizPage, ASSIGNMENT: AssignmentPage}
KIND_LABELS = {
    LESSON: gettext_lazy("lesson"),
    QUIZ: gettext_lazy("quiz"),
    ASSIGNMENT: gettext_lazy("assignment"),
}
#: The course's completion rule switch for each kind of item.
RULE_FIELDS = {
    LESSON: "require_lessons",
    QUIZ: "require_quizzes",
    ASSIGNMENT: "require_assignments",
}
STAFF_PERMISSION = "wagtailadmin.access_admin"


@dataclass(frozen=True)
class Access:
    """Whether a learner may open a page (``allowed``) and hand anything in on it
    (``can_submit``), with the reason to show when either is refused."""

    allowed: bool
    reason: str = ""
    can_submit: bool = False

    @property
    def open(self) -> bool:
        """Open for work: reading and handing in."""
        return self.allowed and self.can_submit


@dataclass
class OutlineItem:
    """A lesson, quiz or assignment of a module, as one learner stands with it."""

    page: Page
    kind: str
    required: bool
    counts: bool  # counts for progress and the completion rule
    done: bool = False
    access: Access = field(default_factory=lambda: Access(allowed=False))
    due_at: dt.datetime | None = None

    @property
    def page_id(self) -> int:
        return self.page.pk

    @property
    def title(self) -> str:
        return self.page.title

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def state(self) -> str:
        if self.done:
            return DONE
        return AVAILABLE if self.access.allowed else LOCKED


@dataclass
class OutlineModule:
    page: Page
    prerequisite_ids: tuple[int, ...]
    items: list[OutlineItem]
    access: Access = field(default_factory=lambda: Access(allowed=False))

    @property
    def page_id(self) -> int:
        return self.page.pk

    @property
    def title(self) -> str:
        return self.page.title

    @property
    def complete(self) -> bool:
        """Every required item is done (what prerequisites and «module by module» wait for)."""
        return all(item.done for item in self.items if item.required)

    @property
    def total(self) -> int:
        return sum(1 for item in self.items if item.counts)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.counts and item.done)

    @property
    def percent(self) -> int:
        return _percent(self.done, self.total)

    @property
    def state(self) -> str:
        if any(item.required for item in self.items) and self.complete:
            return DONE
        return AVAILABLE if self.access.allowed else LOCKED


@dataclass
class CourseOutline:
    course: CoursePage
    enrollment: Enrollment | None
    modules: list[OutlineModule]
    #: Why the learner cannot study at all now (not enrolled, not started), else "".
    notice: str = ""

    @property
    def items(self) -> list[OutlineItem]:
        return [item for module in self.modules for item in module.items]

    @property
    def total(self) -> int:
        return sum(module.total for module in self.modules)

    @property
    def done(self) -> int:
        return sum(module.done for module in self.modules)

    @property
    def completed(self) -> bool:
        return self.enrollment is not None and self.enrollment.status == EnrollmentStatus.COMPLETED

    @property
    def percent(self) -> int:
        return 100 if self.completed else _percent(self.done, self.total)

    @property
    def rule_met(self) -> bool:
        """The course's completion rule holds: every counted item is done (and there is one)."""
        return self.total > 0 and self.done == self.total

    @property
    def next_item(self) -> OutlineItem | None:
        """The first item the learner can work on and has not done yet."""
        return next((item for item in self.items if item.state == AVAILABLE), None)

    def find(self, page_id: int) -> OutlineModule | OutlineItem | None:
        for module in self.modules:
            if module.page_id == page_id:
                return module
            for item in module.items:
                if item.page_id == page_id:
                    return item
        return None

    def module_of(self, page_id: int) -> OutlineModule | None:
        for module in self.modules:
            if module.page_id == page_id or any(i.page_id == page_id for i in module.items):
                return module
        return None

    def neighbours(self, page_id: int) -> tuple[OutlineItem | None, OutlineItem | None]:
        """The items before and after ``page_id`` in the course's order."""
        items = self.items
        for index, item in enumerate(items):
            if item.page_id == page_id:
                previous = items[index - 1] if index > 0 else None
                following = items[index + 1] if index + 1 < len(items) else None
                return previous, following
        return None, None


def _percent(done: int, total: int) -> int:
    # Rounded down: a learner never sees 100 % before the last item is done.
    return done * 100 // total if total else 0


def _date(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


# --- what the other parts of lms report as done -----------------------------------------


def _done_pages(enrollment_ids: list[int]) -> dict[int, set[int]]:
    """Enrollment id → ids of its lessons studied, quizzes passed, assignments accepted."""
    # Imported here: those parts import the enrollment selectors of this package.
    from lms.assignments.selectors import accepted_assignments_by_enrollment
    from lms.quizzes.selectors import passed_quizzes_by_enrollment

    done: dict[int, set[int]] = defaultdict(set)
    if not enrollment_ids:
        return done
    for enrollment_id, page_id in LessonCompletion.objects.filter(
        enrollment_id__in=enrollment_ids
    ).values_list("enrollment_id", "page_id"):
        done[enrollment_id].add(page_id)
    for provider in (passed_quizzes_by_enrollment, accepted_assignments_by_enrollment):
        for enrollment_id, page_ids in provider(enrollment_ids).items():
            done[enrollment_id].update(page_ids)
    return done


# --- the structure of courses ---------------------------------------------------------


@dataclass(frozen=True)
class _Structure:
    """A course's live modules in tree order, each with its live items."""

    modules: list[tuple[Page, tuple[int, ...], list[tuple[Page, str, bool]]]]


def _kinds_by_content_type() -> dict[int, str]:
    models = {MODULE: ModulePage, **ITEM_MODELS}
    content_types = ContentType.objects.get_for_models(*models.values())
    return {content_types[model].pk: kind for kind, model in models.items()}


def _structures(courses: Iterable[CoursePage]) -> dict[int, _Structure]:
    """Course id → structure, for all ``courses`` in at most five queries."""
    courses = {course.pk: course for course in courses}
    if not courses:
        return {}
    below = Q()
    for course in courses.values():
        below |= Q(path__startswith=course.path, depth__in=(course.depth + 1, course.depth + 2))
    kinds = _kinds_by_content_type()
    pages = [
        page
        for page in Page.objects.live().filter(below).order_by("path")
        if page.content_type_id in kinds
    ]
    required: dict[int, bool] = {}
    for kind, model in ITEM_MODELS.items():
        if any(kinds[page.content_type_id] == kind for page in pages):
            required.update(model.objects.filter(below).values_list("pk", "required"))
    module_ids = [page.pk for page in pages if kinds[page.content_type_id] == MODULE]
    prerequisites: dict[int, list[int]] = defaultdict(list)
    if module_ids:
        through = ModulePage.prerequisites.through
        for module_id, prerequisite_id in through.objects.filter(
            from_modulepage_id__in=module_ids
        ).values_list("from_modulepage_id", "to_modulepage_id"):
            prerequisites[module_id].append(prerequisite_id)

    course_by_path = {course.path: course.pk for course in courses.values()}
    structures = {pk: _Structure(modules=[]) for pk in courses}
    current: dict[int, list] = {}  # course id → the module row items are added to
    for page in pages:
        kind = kinds[page.content_type_id]
        if kind == MODULE:
            course_id = _course_of(page, course_by_path, levels=1)
            if course_id is None:
                continue
            row = (page, tuple(prerequisites.get(page.pk, ())), [])
            structures[course_id].modules.append(row)
            current[course_id] = row
            continue
        course_id = _course_of(page, course_by_path, levels=2)
        row = current.get(course_id)
        # An item under a module that is not live (or not a module) is not part of the course.
        if row is None or not page.path.startswith(row[0].path):
            continue
        row[2].append((page, kind, required.get(page.pk, True)))
    return structures


def _course_of(page: Page, course_by_path: dict[str, int], *, levels: int) -> int | None:
    return course_by_path.get(page.path[: len(page.path) - Page.steplen * levels])


# --- the rule -------------------------------------------------------------------------


def _viewing_access(enrollment: Enrollment | None, today: dt.date) -> tuple[Access | None, str]:
    """What the enrollment allows before the course's own rules: a refusal for every
    page (with the notice to show), or None and the read-only reason ("" when the
    learner may hand things in)."""
    if enrollment is None or enrollment.status not in HOLDS_PLACE:
        reason = _("Enroll in a cohort of this course to study its lessons.")
        return Access(allowed=False, reason=reason), reason
    cohort = enrollment.cohort
    if today < cohort.starts_on:
        reason = _("Study in your cohort starts on %(date)s.") % {"date": _date(cohort.starts_on)}
        return Access(allowed=False, reason=reason), reason
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return None, _("You have completed this course; its materials stay open for reading.")
    if today > cohort.ends_on:
        return None, _(
            "Study in your cohort ended on %(date)s: you can read the materials, "
            "but not hand anything in."
        ) % {"date": _date(cohort.ends_on)}
    return None, ""


def _first_module_lock(module, modules, previous, mode) -> str:
    # Prerequisites in the course's order; one that is not a live module of this course
    # cannot be met and is ignored.
    for prerequisite in modules:
        if (
            prerequisite.page_id in module.prerequisite_ids
            and prerequisite is not module
            and not prerequisite.complete
        ):
            return _("Finish the module «%(title)s» first.") % {"title": prerequisite.title}
    if mode == AccessMode.BY_MODULE and previous is not None and not previous.complete:
        return _("Finish the module «%(title)s» first.") % {"title": previous.title}
    return ""


def _apply_rules(outline: CourseOutline, *, today: dt.date, sees_all: bool) -> None:
    if sees_all:
        for module in outline.modules:
            module.access = Access(allowed=True)
            for item in module.items:
                item.access = Access(allowed=True)
        return
    refusal, read_only = _viewing_access(outline.enrollment, today)
    if refusal is not None:
        outline.notice = refusal.reason
        for module in outline.modules:
            module.access = refusal
            for item in module.items:
                item.access = refusal
        return
    open_access = Access(allowed=True, reason=read_only, can_submit=not read_only)
    mode = outline.course.access_mode
    previous_module: OutlineModule | None = None
    previous_required: OutlineItem | None = None
    for module in outline.modules:
        lock = _first_module_lock(module, outline.modules, previous_module, mode)
        module.access = Access(allowed=False, reason=lock) if lock else open_access
        for item in module.items:
            if item.done:
                # Done work stays open to re-read whatever changed in the course since.
                item.access = open_access
            elif lock:
                item.access = module.access
            elif (
                mode == AccessMode.SEQUENTIAL
                and previous_required is not None
                and not previous_required.done
            ):
                item.access = Access(
                    allowed=False,
                    reason=_("Complete «%(title)s» first.") % {"title": previous_required.title},
                )
            else:
                item.access = open_access
            if item.required:
                previous_required = item
        previous_module = module


def _build(
    course: CoursePage,
    structure: _Structure,
    enrollment: Enrollment | None,
    done: set[int],
    *,
    today: dt.date,
    sees_all: bool,
) -> CourseOutline:
    modules = []
    for module_page, prerequisite_ids, rows in structure.modules:
        items = [
            OutlineItem(
                page=page,
                kind=kind,
                required=required,
                counts=required and getattr(course, RULE_FIELDS[kind]),
                done=page.pk in done,
            )
            for page, kind, required in rows
        ]
        modules.append(
            OutlineModule(page=module_page, prerequisite_ids=prerequisite_ids, items=items)
        )
    outline = CourseOutline(course=course, enrollment=enrollment, modules=modules)
    _apply_rules(outline, today=today, sees_all=sees_all)
    return outline


def course_outlines(
    enrollments: Iterable[Enrollment], *, today: dt.date | None = None
) -> dict[int, CourseOutline]:
    """Enrollment id → its course's outline, for many enrollments in a fixed number of
    queries (the enrollments need ``cohort__course`` selected)."""
    enrollments = list(enrollments)
    today = today or timezone.localdate()
    structures = _structures({e.cohort.course_id: e.cohort.course for e in enrollments}.values())
    done = _done_pages([e.pk for e in enrollments])
    return {
        enrollment.pk: _build(
            enrollment.cohort.course,
            structures[enrollment.cohort.course_id],
            enrollment,
            done.get(enrollment.pk, set()),
            today=today,
            sees_all=False,
        )
        for enrollment in enrollments
    }


def course_outline(
    enrollment: Enrollment | None,
    *,
    course: CoursePage | None = None,
    sees_all: bool = False,
    today: dt.date | None = None,
) -> CourseOutline:
    """The course's modules and items with their state for ``enrollment`` (None: a
    visitor who has not enrolled). ``sees_all`` opens every item (staff, the cohort's
    teachers, previews) without giving anyone the right to hand anything in."""
    if course is None:
        if enrollment is None:
            raise ValueError("course_outline needs an enrollment or a course")
        course = enrollment.cohort.course
    today = today or timezone.localdate()
    structure = _structures([course])[course.pk]
    done = _done_pages([enrollment.pk]).get(enrollment.pk, set()) if enrollment else set()
    return _build(course, structure, enrollment, done, today=today, sees_all=sees_all)


def page_access(enrollment: Enrollment, page: Page, *, today: dt.date | None = None) -> Access:
    """May the learner of ``enrollment`` open ``page`` (a module, lesson, quiz or
    assignment of the cohort's course), and hand anything in on it?"""
    outline = course_outline(enrollment, today=today)
    entry = outline.find(page.pk)
    if entry is None:
        if page.pk == outline.course.pk:
            return Access(allowed=True)
        return Access(allowed=False, reason=_("This page is not open to learners of the course."))
    return entry.access


def course_progress(enrollment: Enrollment) -> CourseOutline:
    """Progress is read off the outline: ``percent``/``done``/``total`` for the course and
    for each of its ``modules``."""
    return course_outline(enrollment)


def enrollments_meeting_rule(
    *, batch_size: int = 500, today: dt.date | None = None
) -> Iterator[Enrollment]:
    """Studying enrollments whose completion rule is met but not recorded, in batches
    of ``batch_size`` (what ``reconcile_completions`` records)."""
    studying = (
        Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED)
        .select_related("cohort", "cohort__course")
        .order_by("pk")
    )
    last = 0
    while batch := list(studying.filter(pk__gt=last)[:batch_size]):
        outlines = course_outlines(batch, today=today)
        yield from (enrollment for enrollment in batch if outlines[enrollment.pk].rule_met)
        last = batch[-1].pk


# --- who is looking -------------------------------------------------------------------


def course_of_page(page: Page) -> CoursePage | None:
    return CoursePage.objects.ancestor_of(page).first()


def learner_enrollment(user, course: CoursePage) -> Enrollment | None:
    """The user's enrollment that counts in ``course``: the studying one first, else the
    latest completed one."""
    if not user.is_authenticated:
        return None
    enrollments = list(
        Enrollment.objects.filter(user=user, cohort__course=course, status__in=HOLDS_PLACE)
        .select_related("cohort")
        .order_by("-cohort__starts_on", "-pk")
    )
    studying = [e for e in enrollments if e.status == EnrollmentStatus.ENROLLED]
    found = (studying or enrollments or [None])[0]
    if found is not None:
        found.cohort.course = course
    return found


def sees_whole_course(user, course: CoursePage) -> bool:
    """Staff with the Wagtail admin, methodists managing all cohorts and the teachers of
    the course's cohorts see every lesson whatever the learner's rules."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm(STAFF_PERMISSION) or can_manage_all_cohorts(user):
        return True
    return Cohort.objects.filter(course=course, teachers=user).exists()


# --- the learner's dashboard ------------------------------------------------------------


@dataclass(frozen=True)
class DashboardCourse:
    enrollment: Enrollment
    outline: CourseOutline | None
    next_deadline: CohortDeadline | None = None
    #: The outline item the next deadline is for.
    next_deadline_item: OutlineItem | None = None

    @property
    def course(self) -> CoursePage:
        return self.enrollment.cohort.course


DASHBOARD_STATUSES = (
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.COMPLETED,
)


def learner_dashboard(user, *, now: dt.datetime | None = None) -> list[DashboardCourse]:
    """The user's courses (studying first, then waiting, then completed) with progress,
    the next item and the next deadline of something not done yet, in a fixed number
    of queries however many courses and items there are."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    enrollments = list(
        Enrollment.objects.filter(user=user, status__in=DASHBOARD_STATUSES)
        .select_related("cohort", "cohort__course")
        .order_by("-cohort__starts_on", "pk")
    )
    studying = [e for e in enrollments if e.status in HOLDS_PLACE]
    outlines = course_outlines(studying, today=timezone.localdate(now))
    deadlines: dict[int, list[CohortDeadline]] = defaultdict(list)
    if studying:
        for deadline in CohortDeadline.objects.filter(
            cohort_id__in={e.cohort_id for e in studying}, due_at__gte=now, page__live=True
        ).order_by("due_at", "pk"):
            deadlines[deadline.cohort_id].append(deadline)
    rows = []
    for enrollment in enrollments:
        outline = outlines.get(enrollment.pk)
        row = DashboardCourse(enrollment=enrollment, outline=outline)
        if outline is not None and enrollment.status == EnrollmentStatus.ENROLLED:
            items = {item.page_id: item for item in outline.items}
            for deadline in deadlines[enrollment.cohort_id]:
                item = items.get(deadline.page_id)
                if item is not None and not item.done:
                    row = DashboardCourse(
                        enrollment=enrollment,
                        outline=outline,
                        next_deadline=deadline,
                        next_deadline_item=item,
                    )
                    break
        rows.append(row)
    order = {
        EnrollmentStatus.ENROLLED: 0,
        EnrollmentStatus.REQUESTED: 1,
        EnrollmentStatus.WAITLISTED: 1,
        EnrollmentStatus.COMPLETED: 2,
    }
    return sorted(rows, key=lambda row: order[row.enrollment.status])


# --- the private calendar feed ---------------------------------------------------------


def deadline_uid(cohort_id: int, page_id: int) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"deadline-{cohort_id}-{page_id}@{host}"


def user_course_deadlines(user, start: dt.datetime, end: dt.datetime) -> list[CalendarItem]:
    """Calendar provider: the due dates of the cohorts the user studies (or studied) in.

    Items already done stay in the feed with a «✓» in front, so a calendar keeps the
    history and a deadline never vanishes from it without a reason.
    """
    enrollments = list(
        Enrollment.objects.filter(user=user, status__in=HOLDS_PLACE).values_list("pk", "cohort_id")
    )
    if not enrollments:
        return []
    enrollment_of = {cohort_id: pk for pk, cohort_id in enrollments}
    deadlines = CohortDeadline.objects.filter(
        cohort_id__in=enrollment_of, due_at__gte=start, due_at__lte=end, page__live=True
    ).select_related("page", "cohort", "cohort__course")
    done = _done_pages(list(enrollment_of.values()))
    items = []
    for deadline in deadlines:
        page, course = deadline.page, deadline.cohort.course
        finished = deadline.page_id in done.get(enrollment_of[deadline.cohort_id], set())
        title = _("Due: %(item)s") % {"item": page.title}
        url = f"{settings.SITE_URL}{page.url or ''}"
        items.append(
            CalendarItem(
                uid=deadline_uid(deadline.cohort_id, deadline.page_id),
                title=f"✓ {title}" if finished else title,
                start=deadline.due_at,
                end=None,
                url=url,
                kind=_("Course deadline"),
                description=f"{course.title}\n{deadline.cohort.title}\n\n{url}",
            )
        )
    return items
