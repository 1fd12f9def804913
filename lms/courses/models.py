"""ДПО courses.

Content is Wagtail pages (CoursePage → ModulePage → LessonPage; quiz and
assignment pages of ``lms.quizzes`` and ``lms.assignments`` sit beside the
lessons). Everything about people is records that reference the pages with
PROTECT: cohorts, the learner's ДПО data, enrollments, completions.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.models.base import BasePage
from lms.courses.validators import validate_snils

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


class CoursePage(BasePage):
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


class LessonPage(BasePage):
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


class EnrollmentMode(models.TextChoices):
    OPEN = "open", _("open enrollment")
    APPROVAL = "approval", _("approval by a methodist")
    CODE = "code", _("by invitation code")


class Cohort(models.Model):
    """One run (поток) of a course."""

    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("study starts"))
    ends_on = models.DateField(_("study ends"))
    enrollment_opens = models.DateTimeField(_("enrollment opens"), null=True, blank=True)
    enrollment_closes = models.DateTimeField(_("enrollment closes"), null=True, blank=True)
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
        ]

    def __str__(self):
        return f"{self.course.title}: {self.title}"


class CohortDeadline(models.Model):
    """The cohort's own due date for a quiz or an assignment page of its course."""

    cohort = models.ForeignKey(
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


class EducationLevel(models.TextChoices):
    HIGHER = "higher", _("higher education")
    SECONDARY = "secondary", _("secondary vocational education")
    STUDYING_HIGHER = "studying_higher", _("studying for higher education")
    STUDYING_SECONDARY = "studying_secondary", _("studying for secondary vocational education")


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


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
        _("citizenship (OKSM code)"), max_length=3, default="643", help_text=_("643 is Russia.")
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("learner's ДПО data")
        verbose_name_plural = _("learners' ДПО data")

    def __str__(self):
        return str(self.user)


class EnrollmentStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    WAITLISTED = "waitlisted", _("on the waiting list")
    ENROLLED = "enrolled", _("studying")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("rejected")


HOLDS_PLACE = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)


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
        ]

    def __str__(self):
        return f"{self.user} — {self.cohort}"


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
