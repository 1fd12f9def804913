"""Certificates: the templates editors design (content) and the documents issued (records).

A template is a snippet with revisions. Each issued certificate keeps the
revision it was rendered from, so editing a template never changes a document
already issued; the holder's name and the programme are copied onto the
certificate for the same reason. Certificates reference learners, enrollments
and events with PROTECT: a register of issued documents is never erased by
deleting a page or an account.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable, RevisionMixin

from core.storage import private_storage


class CertificateKind(models.TextChoices):
    QUALIFICATION = "qualification", _("certificate of professional development")
    DIPLOMA = "diploma", _("diploma of professional retraining")
    STUDY_RECORD = "study_record", _("record of study")
    PARTICIPATION = "participation", _("participation certificate")


#: Kinds that go to the state register ФИС ФРДО (documents on qualification).
FRDO_KINDS = (CertificateKind.QUALIFICATION, CertificateKind.DIPLOMA)
#: Kinds issued for a course enrollment; participation certificates are for events.
COURSE_KINDS = (
    CertificateKind.QUALIFICATION,
    CertificateKind.DIPLOMA,
    CertificateKind.STUDY_RECORD,
)


class Orientation(models.TextChoices):
    PORTRAIT = "portrait", _("A4 portrait")
    LANDSCAPE = "landscape", _("A4 landscape")


class CertificateTemplate(RevisionMixin, ClusterableModel):
    """How one kind of document looks. Text fields take placeholders such as {full_name}."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of document"), max_length=16, choices=CertificateKind.choices)
    is_default = models.BooleanField(
        _("default for its kind"),
        default=False,
        help_text=_("Used when a document of this kind is issued."),
    )
    orientation = models.CharField(
        _("page"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    organisation = models.CharField(_("issuing organisation"), max_length=500)
    city = models.CharField(_("city"), max_length=100)
    organisation_details = models.TextField(
        _("organisation details"),
        blank=True,
        help_text=_("Licence, address and other lines printed under the organisation's name."),
    )
    heading = models.CharField(_("heading"), max_length=200)
    subheading = models.CharField(_("subheading"), max_length=300, blank=True)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Placeholders: {full_name}, {programme}, {programme_kind}, {hours}, {period}, "
            "{start_date}, {end_date}, {event}, {event_date}, {attendance}, {issue_date}, "
            "{number}, {city}, {organisation}."
        ),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    background = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("background"),
    )

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_default=True),
                name="certificates_one_default_template_per_kind",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        from lms.certificates.rendering import template_placeholders_check

        errors = {}
        for field in ("heading", "subheading", "body"):
            problem = template_placeholders_check(getattr(self, field))
            if problem:
                errors[field] = problem
        if self.is_default:
            taken = CertificateTemplate.objects.filter(kind=self.kind, is_default=True)
            if self.pk:
                taken = taken.exclude(pk=self.pk)
            if taken.exists():
                errors["is_default"] = _(
                    "Another template is already the default for this kind of document."
                )
        if errors:
            raise ValidationError(errors)


class CertificateSignatory(Orderable):
    template = ParentalKey(
        CertificateTemplate, on_delete=models.CASCADE, related_name="signatories"
    )
    position = models.CharField(_("position"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    signature = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature image"),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self):
        return f"{self.position} {self.name}"


class CertificateCounter(models.Model):
    """The last registration number used for a kind in a year (locked while issuing)."""

    kind = models.CharField(max_length=16, choices=CertificateKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="certificates_counter_unique")
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("valid")
    REPLACED = "replaced", _("replaced by a duplicate")
    REVOKED = "revoked", _("revoked")


def certificate_upload_to(instance: Certificate, filename: str) -> str:
    return f"certificates/{instance.issue_date:%Y}/{instance.uuid}.pdf"


class Certificate(models.Model):
    uuid = models.UUIDField(_("verification id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind of document"), max_length=16, choices=CertificateKind.choices)
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    blank_series = models.CharField(_("blank series"), max_length=20, blank=True)
    blank_number = models.CharField(_("blank number"), max_length=30, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        db_index=True,
    )
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("original (for a duplicate)"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("enrollment"),
    )
    event = models.ForeignKey(
        "lms.EventPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("event"),
    )
    # What the document says, copied at issue time.
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    title = models.CharField(_("programme or event"), max_length=500)
    programme_kind = models.CharField(_("programme kind"), max_length=12, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    attendance_percent = models.DecimalField(
        _("attendance, %"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    issuer = models.CharField(_("issued by"), max_length=500)
    issue_date = models.DateField(_("date of issue"))
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by (staff)"),
    )
    template = models.ForeignKey(
        CertificateTemplate,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("template"),
    )
    template_revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("template revision"),
    )
    pdf = models.FileField(
        _("PDF"), upload_to=certificate_upload_to, storage=private_storage, max_length=255
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        permissions = [("issue_certificate", "Can issue, revoke and export certificates")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="certificates_number_unique"
            ),
            # One valid document per enrollment (any course kind) and per event participant.
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=models.Q(status="valid", enrollment__isnull=False),
                name="certificates_one_valid_per_enrollment",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(status="valid", event__isnull=False),
                name="certificates_one_valid_per_participant",
            ),
            models.CheckConstraint(
                condition=models.Q(enrollment__isnull=True) | models.Q(event__isnull=True),
                name="certificates_course_or_event",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="revoked")
                | (models.Q(revoked_at__isnull=False) & ~models.Q(revocation_reason="")),
                name="certificates_revoked_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["kind", "issue_date"], name="certificates_kind_date_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.registration_number}"

    def get_absolute_url(self):
        return reverse("lms:certificates:verify", args=[self.registration_number])

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def is_duplicate(self) -> bool:
        return self.original_id is not None

    @property
    def verify_url(self) -> str:
        return settings.SITE_URL + self.get_absolute_url()


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class CertificateBatch(models.Model):
    """A bulk issue for a whole cohort, run in the background; its progress is shown."""

    cohort = models.ForeignKey(
        "courses.Cohort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_batches",
        verbose_name=_("cohort"),
    )
    event = models.ForeignKey(
        "lms.EventPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificate_batches",
        verbose_name=_("event"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("to process"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    issued = models.PositiveIntegerField(_("issued"), default=0)
    skipped = models.PositiveIntegerField(_("already had one or not eligible"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk issue")
        verbose_name_plural = _("bulk issues")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cohort__isnull=False) | models.Q(event__isnull=False),
                name="certificates_batch_has_target",
            )
        ]

    def __str__(self):
        return str(self.cohort or self.event)

    def get_absolute_url(self):
        return reverse("lms:certificates:batch", args=[self.pk])

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100
