from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Documents issued to learners and participants: templates, the register, verification."""

    name = "lms.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lms.certificates import receivers  # noqa: F401
