from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("processing of personal data (152-FZ)")
    MAILING = "mailing", _("information mailings")
    PUBLISH_NAME = "publish_name", _("publishing my name with my materials")


class ConsentDocument(models.Model):
    """One version of a consent text. Editors add versions; old ones stay for the record."""

    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    version = models.CharField(_("version"), max_length=32)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(_("in force from"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-published_at"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="core_consentdocument_purpose_version"
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()}, {self.version}"

    def get_absolute_url(self):
        return reverse("core:consent_document", kwargs={"pk": self.pk})


class Consent(models.Model):
    """A person's consent to one purpose, given to one version of its text."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    document = models.ForeignKey(
        ConsentDocument,
        verbose_name=_("consent text"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    granted_at = models.DateTimeField(_("given at"), auto_now_add=True)
    granted_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_ip = models.GenericIPAddressField(
        _("IP address of withdrawal"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="core_consent_one_active_per_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_purpose_display()} ({self.document.version})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
