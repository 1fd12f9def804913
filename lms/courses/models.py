"""ДПО courses.

Content is Wagtail pages (CoursePage → ModulePage → LessonPage; quiz and
assignment pages of ``lms.quizzes`` and ``lms.assignments`` sit beside the
lessons). Everything about people is records that reference the pages with
PROTECT: cohorts, the learner's ДПО data, enrollments, completions.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.base import BasePage
from lms.courses.validators import normalise_snils, validate_snils

MIN_HOURS_UPGRADE = 16  # повышение квалификации: at least 16 academic hours (DOMAIN.md)


class ProfessionalStandard(ClusterableModel):
    """A professional standard a course develops functions of (editable reference data)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    act = models.CharField(_("approved by"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("professional standard")
        verbose_name_plural = _("professional standards")

    def __str__(self):
        return f"{self.code} {self.title}"


class LabourFunction(models.Model):
    class Level(models.TextChoices):
        GENERALISED = "otf", _("generalised labour function")
        FUNCTION = "tf", _("labour function")

    standard = models.ForeignKey(
        ProfessionalStandard,
        on_delete=models.PROTECT,
        related_name="functions",
        verbose_name=_("professional standard"),
    )
    level = models.CharField(_("level"), max_length=3, choices=Level.choices)
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        ordering = ["standard__code", "code"]
        verbose_name = _("labour function")
        verbose_name_plural = _("labour functions")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="courses_function_code")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class CourseFormat(models.TextChoices):
    DISTANCE = "distance", _("distance")
    BLENDED = "blended", _("part-time with distance learning")
    FULL_TIME = "full_time", _("full-time")


class ProgrammeKind(models.TextChoices):
    UPGRADE = "upgrade", _("advanced training")
    RETRAINING = "retraining", _("professional retraining")


class CourseAudience(models.TextChoices):
    ALL = "all", _("all library workers")
    SCHOOL = "school", _("school libraries")
    COLLEGE = "college", _("college libraries")


class AccessMode(models.TextChoices):
    FREE = "free", _("any order")
    SEQUENTIAL = "sequential", _("lessons in order")
    BY_MODULE = "by_module", _("module by module")


class CoursePage(RoutablePageMixin, BasePage):
    annotation = models.TextField(_("annotation"), max_length=3000)
    programme_kind = models.CharField(
        _("programme"), max_length=12, choices=ProgrammeKind.choices, default=ProgrammeKind.UPGRADE
    )
    format = models.CharField(
        _("format"), max_length=12, choices=CourseFormat.choices, default=CourseFormat.DISTANCE
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=CourseAudience.choices, default=CourseAudience.ALL
    )
    hours = models.PositiveSmallIntegerField(
        _("volume, academic hours"), validators=[MinValueValidator(MIN_HOURS_UPGRADE)]
    )
    topics = ParentalManyToManyField("cms.Topic", blank=True, verbose_name=_("topics"))
    labour_functions = ParentalManyToManyField(
        LabourFunction, blank=True, verbose_name=_("labour functions developed")
    )
    outcomes = RichTextField(
        _("learning outcomes"), features=["bold", "italic", "ol", "ul", "link"], blank=True
    )
    teachers = models.CharField(_("authors and teachers"), max_length=500, blank=True)
    programme_document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme document"),
    )
    body = StreamField(BodyBlock(), verbose_name=_("description"), blank=True)
    access_mode = models.CharField(
        _("access to lessons"),
        max_length=12,
        choices=AccessMode.choices,
        default=AccessMode.SEQUENTIAL,
    )
    # The completion rule (all switched on by default).
    require_lessons = models.BooleanField(_("all required lessons viewed"), default=True)
    require_quizzes = models.BooleanField(_("all quizzes passed"), default=True)
    require_assignments = models.BooleanField(_("all assignments accepted"), default=True)
    certificate_auto_issue = models.BooleanField(
        _("issue the certificate automatically on completion"),
        default=True,
        help_text=_("Otherwise a methodist issues it from the cohort's page."),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("annotation"),
        index.SearchField("teachers"),
        index.SearchField("outcomes"),
        index.SearchField("body"),
        index.FilterField("format"),
        index.FilterField("audience"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("programme_kind"), FieldPanel("hours")]),
                FieldRowPanel([FieldPanel("format"), FieldPanel("audience")]),
                FieldPanel("topics"),
                FieldPanel("labour_functions"),
                FieldPanel("teachers"),
                FieldPanel("programme_document"),
            ],
            heading=_("Programme"),
        ),
        FieldPanel("annotation"),
        FieldPanel("outcomes"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("access_mode"),
                FieldPanel("require_lessons"),
                FieldPanel("require_quizzes"),
                FieldPanel("require_assignments"),
                FieldPanel("certificate_auto_issue"),
            ],
            heading=_("Access and completion"),
        ),
    ]
    parent_page_types = ["lms.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=MIN_HOURS_UPGRADE), name="courses_course_min_hours"
            )
        ]

    def get_context(self, request, *args, **kwargs):
        from lms.courses.selectors.enrollment import course_cohort_offers

        context = super().get_context(request, *args, **kwargs)
        # Each offer is (cohort, the user's enrollment or None) for
        # templates/courses/includes/cohort_enroll_box.html.
        context["cohort_offers"] = course_cohort_offers(self, user=request.user)
        from lms.courses.views.learning import course_learning_context

        context.update(course_learning_context(request, self))
        return context

    # --- routes (the index route is RoutablePageMixin's: the page itself) ----

    @path("enroll/<int:cohort_id>/", name="enroll")
    def enroll_route(self, request, cohort_id):
        from lms.courses.views.enrollment import enroll_view

        return enroll_view(request, self, cohort_id)

    @path("withdraw/<int:cohort_id>/", name="withdraw")
    def withdraw_route(self, request, cohort_id):
        from lms.courses.views.enrollment import withdraw_view

        return withdraw_view(request, self, cohort_id)


class ModulePage(BasePage):
    summary = models.TextField(_("summary"), blank=True, max_length=2000)
    prerequisites = ParentalManyToManyField(
        "courses.ModulePage",
        blank=True,
        symmetrical=False,
        related_name="+",
        verbose_name=_("modules to finish first"),
    )

    search_fields = [*Page.search_fields, index.SearchField("summary")]
    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("prerequisites")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage", "quizzes.QuizPage", "assignments.AssignmentPage"]
    template = "courses/module_page.html"

    class Meta:
        verbose_name = _("course module")
        verbose_name_plural = _("course modules")

    def get_context(self, request, *args, **kwargs):
        from lms.courses.views.learning import module_learning_context

        context = super().get_context(request, *args, **kwargs)
        # The module's items with the viewer's progress and what is locked and why.
        context.update(module_learning_context(request, self))
        return context


class LessonPage(RoutablePageMixin, BasePage):
    body = StreamField(BodyBlock(), verbose_name=_("content"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration, minutes"), default=45)
    required = models.BooleanField(_("required for completion"), default=True)

    search_fields = [*Page.search_fields, index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("duration_minutes"), FieldPanel("required")]),
        FieldPanel("body"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "courses/lesson_page.html"

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    # --- routes: the content shows only to those the course's access rules let in ---

    @path("")
    def detail(self, request):
        from lms.courses.views.learning import lesson_detail

        return lesson_detail(request, self)

    @path("complete/", name="complete")
    def complete(self, request):
        from lms.courses.views.learning import lesson_complete_view

        return lesson_complete_view(request, self)


class EnrollmentMode(models.TextChoices):
    OPEN = "open", _("open enrollment")
    APPROVAL = "approval", _("approval by a methodist")
    CODE = "code", _("by invitation code")


class EnrollmentWindow(models.TextChoices):
    """Where a cohort stands for someone who wants to join it now."""

    NOT_OPEN = "not_open", _("enrollment has not opened yet")
    OPEN = "open", _("enrollment is open")
    CLOSED = "closed", _("enrollment is closed")
    ENDED = "ended", _("the cohort has finished")


class Cohort(ClusterableModel):
    """One run (поток) of a course.

    The number of people holding a place can never exceed ``capacity``. A
    database constraint cannot count rows, so the guard is the row lock on the
    cohort that every service changing enrollments takes first
    (``lms.courses.services.enrollment``).
    """

    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("study starts"))
    ends_on = models.DateField(_("study ends"))
    enrollment_opens = models.DateTimeField(_("enrollment opens"), null=True, blank=True)
    enrollment_closes = models.DateTimeField(
        _("enrollment closes"),
        null=True,
        blank=True,
        help_text=_("Empty means until the study ends."),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    waitlist_enabled = models.BooleanField(_("waiting list when full"), default=True)
    mode = models.CharField(
        _("enrollment"), max_length=10, choices=EnrollmentMode.choices, default=EnrollmentMode.OPEN
    )
    invitation_code = models.CharField(_("invitation code"), max_length=40, blank=True)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="taught_cohorts",
        verbose_name=_("teachers"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="courses_cohort_dates",
            ),
            models.CheckConstraint(
                condition=~models.Q(mode="code") | ~models.Q(invitation_code=""),
                name="courses_cohort_code_required",
            ),
            models.CheckConstraint(
                condition=models.Q(enrollment_opens__isnull=True)
                | models.Q(enrollment_closes__isnull=True)
                | models.Q(enrollment_closes__gt=models.F("enrollment_opens")),
                name="courses_cohort_enrollment_window",
            ),
        ]
        permissions = [
            ("manage_cohort", _("Can see the rosters of all cohorts and decide on requests"))
        ]

    def __str__(self):
        return f"{self.course.title}: {self.title}"

    def get_absolute_url(self):
        return self.course.url

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The study must end on or after the day it starts.")
        if (
            self.enrollment_opens
            and self.enrollment_closes
            and self.enrollment_closes <= self.enrollment_opens
        ):
            errors["enrollment_closes"] = _("Enrollment must close after it opens.")
        if self.mode == EnrollmentMode.CODE and not self.invitation_code.strip():
            errors["invitation_code"] = _("Enrollment by code needs an invitation code.")
        if self.pk and self.capacity is not None:
            taken = self.enrollments.filter(status__in=HOLDS_PLACE).count()
            if self.capacity < taken:
                errors["capacity"] = _(
                    "%(taken)d people already hold places; the capacity cannot be lower."
                ) % {"taken": taken}
        if errors:
            raise ValidationError(errors)

    def enrollment_deadline(self) -> dt.datetime:
        """Enrollment closes at ``enrollment_closes`` or, without it, when the study ends."""
        if self.enrollment_closes:
            return self.enrollment_closes
        zone = timezone.get_current_timezone()
        return dt.datetime.combine(self.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone)

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        return self.ends_on < timezone.localdate(now or timezone.now())

    def enrollment_window(self, now: dt.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.has_ended(now):
            return EnrollmentWindow.ENDED
        if self.enrollment_opens and now < self.enrollment_opens:
            return EnrollmentWindow.NOT_OPEN
        if now >= self.enrollment_deadline():
            return EnrollmentWindow.CLOSED
        return EnrollmentWindow.OPEN

    @property
    def places_taken(self) -> int:
        """People holding a place; selectors annotate ``taken_count`` to spare the query."""
        annotated = getattr(self, "taken_count", None)
        if annotated is not None:
            return annotated
        return self.enrollments.filter(status__in=HOLDS_PLACE).count()

    @property
    def places_left(self) -> int | None:
        """Free places, or None when the cohort has no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.places_taken, 0)


class CohortDeadline(models.Model):
    """The cohort's own due date for a quiz or an assignment page of its course."""

    cohort = ParentalKey(
        Cohort, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("cohort")
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    due_at = models.DateTimeField(_("due"))

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "page"], name="courses_deadline_unique")
        ]

    def __str__(self):
        return f"{self.cohort_id}/{self.page_id}: {self.due_at:%Y-%m-%d}"

    def clean(self):
        super().clean()
        try:
            cohort = self.cohort  # an unsaved cohort while the admin form creates both
        except Cohort.DoesNotExist:
            return
        if not self.page_id or not cohort.course_id:
            return
        course = CoursePage.objects.filter(pk=cohort.course_id).only("path", "depth").first()
        if course is None or not (
            Page.objects.filter(pk=self.page_id, path__startswith=course.path)
            .exclude(pk=course.pk)
            .exists()
        ):
            raise ValidationError({"page": _("Choose an item of this cohort's course.")})
        if self.due_at and cohort.starts_on and cohort.ends_on:
            due = timezone.localdate(self.due_at)
            if not cohort.starts_on <= due <= cohort.ends_on:
                raise ValidationError(
                    {"due_at": _("The due date must fall within the cohort's study dates.")}
                )


class EducationLevel(models.TextChoices):
    HIGHER = "higher", _("higher education")
    SECONDARY = "secondary", _("secondary vocational education")
    STUDYING_HIGHER = "studying_higher", _("studying for higher education")
    STUDYING_SECONDARY = "studying_secondary", _("studying for secondary vocational education")


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


LEARNER_MIN_AGE = 16
LEARNER_MAX_AGE = 100


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class LearnerProfile(models.Model):
    """The ДПО data a certificate and the ФИС ФРДО export need; entered once, reused."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="learner_profile",
        verbose_name=_("user"),
    )
    education_level = models.CharField(
        _("education level"), max_length=20, choices=EducationLevel.choices
    )
    diploma_surname = models.CharField(_("surname in the diploma"), max_length=150)
    diploma_series = models.CharField(_("diploma series"), max_length=20, blank=True)
    diploma_number = models.CharField(_("diploma number"), max_length=30)
    snils = models.CharField(_("SNILS"), max_length=14, validators=[validate_snils])
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    citizenship = models.CharField(
        _("citizenship (OKSM code)"),
        max_length=3,
        default="643",
        validators=[RegexValidator(r"^\d{3}$", _("Enter the three-digit OKSM country code."))],
        help_text=_("643 is Russia."),
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("learner's ДПО data")
        verbose_name_plural = _("learners' ДПО data")

    def __str__(self):
        return str(self.user)

    def clean(self):
        super().clean()
        self.snils = normalise_snils(self.snils)
        if self.birth_date:
            age = age_on(self.birth_date, timezone.localdate())
            if not LEARNER_MIN_AGE <= age <= LEARNER_MAX_AGE:
                raise ValidationError(
                    {
                        "birth_date": _(
                            "Check the date of birth: a learner must be %(min)d to %(max)d "
                            "years old."
                        )
                        % {"min": LEARNER_MIN_AGE, "max": LEARNER_MAX_AGE}
                    }
                )

    def is_complete(self) -> bool:
        """Whether everything a certificate needs is there and valid (data may predate a rule)."""
        try:
            self.full_clean(exclude=["user"])
        except ValidationError:
            return False
        return True


class EnrollmentStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    WAITLISTED = "waitlisted", _("on the waiting list")
    ENROLLED = "enrolled", _("studying")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("rejected")


HOLDS_PLACE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)
# Statuses of a live enrollment: a repeated request returns it unchanged.
ACTIVE_STATUSES = (
    EnrollmentStatus.REQUESTED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.COMPLETED,
)


class Enrollment(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("cohort")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("learner"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=EnrollmentStatus.choices, db_index=True
    )
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="courses_enrollment_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_at__isnull=False),
                name="courses_completed_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["enrolled", "completed"])
                | models.Q(enrolled_at__isnull=False),
                name="courses_place_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status", "queued_at"], name="courses_enr_queue_idx")
        ]

    def __str__(self):
        return f"{self.user} — {self.cohort}"

    def get_absolute_url(self):
        return self.cohort.course.url

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def waitlist_position(self) -> int:
        """1-based place in the cohort's queue (0 when not waiting)."""
        if self.status != EnrollmentStatus.WAITLISTED:
            return 0
        ahead = Enrollment.objects.filter(
            models.Q(queued_at__lt=self.queued_at)
            | models.Q(queued_at=self.queued_at, pk__lt=self.pk),
            cohort_id=self.cohort_id,
            status=EnrollmentStatus.WAITLISTED,
        )
        return ahead.count() + 1


class LessonCompletion(models.Model):
    """A learner finished (viewed) one lesson page of their cohort's course."""

    enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("enrollment"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="+", verbose_name=_("lesson")
    )
    completed_at = models.DateTimeField(_("completed"), auto_now_add=True)

    class Meta:
        ordering = ["completed_at"]
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "page"], name="courses_completion_unique")
        ]

    def __str__(self):
        return f"{self.enrollment_id}/{self.page_id}"
