from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """A municipality (муниципальное образование) of the region."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(
        _("OKTMO code"), max_length=11, blank=True, help_text=_("Optional, 8 or 11 digits.")
    )

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("school")
    COLLEGE = "college", _("college")
    OTHER = "other", _("other organisation")


class IbcStatus(models.TextChoices):
    NONE = "none", _("no IBC status")
    APPLICANT = "applicant", _("applied for IBC status")
    IBC = "ibc", _("information-library centre")


class Organisation(models.Model):
    """A school, college or other organisation whose library the department supports."""

    name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200, blank=True)
    kind = models.CharField(
        _("type"), max_length=16, choices=OrganisationKind.choices, default=OrganisationKind.SCHOOL
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    ibc_status = models.CharField(
        _("IBC status"), max_length=16, choices=IbcStatus.choices, default=IbcStatus.NONE
    )
    ibc_status_since = models.DateField(_("IBC status since"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["district__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inn"],
                condition=~models.Q(inn=""),
                name="core_organisation_inn_unique",
            ),
            models.UniqueConstraint(
                Lower("name"), "district", name="core_organisation_name_district_unique"
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("core:organisation_detail", kwargs={"pk": self.pk})


class MembershipRole(models.TextChoices):
    STAFF = "staff", _("library worker")
    MONITORING = "monitoring", _("responsible for monitoring")
    HEAD = "head", _("head of the library / IBC")


class Membership(models.Model):
    """Links a user to an organisation with a role there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.STAFF
    )
    is_confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Confirmed by the department; needed for monitoring and applications."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__last_name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="core_membership_unique_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"
