from django.urls import path

from lms.certificates.views import issuing, learner, registry, verify

app_name = "certificates"

urlpatterns = [
    # Public verification: what the QR code on every document opens.
    path("verify/", verify.verify_search, name="verify_search"),
    path("verify/<path:number>/", verify.verify_detail, name="verify"),
    # The holder's documents.
    path("cabinet/certificates/", learner.my_certificates, name="mine"),
    path("cabinet/certificates/<uuid:uuid>/download/", learner.download, name="download"),
    path(
        "cabinet/certificates/request/<int:enrollment_id>/",
        learner.study_record_request,
        name="study_record_request",
    ),
    # Methodists: issuing, bulk issues with progress.
    path(
        "cabinet/certificates/cohorts/<int:cohort_id>/",
        issuing.cohort_certificates,
        name="cohort",
    ),
    path(
        "cabinet/certificates/events/<int:event_id>/",
        issuing.event_certificates,
        name="event",
    ),
    path("cabinet/certificates/batches/<int:batch_id>/", issuing.batch_detail, name="batch"),
    # The register, revocation, duplicates, blanks and the ФИС ФРДО export.
    path("cabinet/certificates/registry/", registry.registry_list, name="registry"),
    path("cabinet/certificates/registry/frdo/", registry.frdo_check, name="frdo"),
    path("cabinet/certificates/registry/frdo.xlsx", registry.frdo_export, name="frdo_xlsx"),
    path("cabinet/certificates/registry/<uuid:uuid>/", registry.certificate_detail, name="detail"),
    path(
        "cabinet/certificates/registry/<uuid:uuid>/revoke/",
        registry.certificate_revoke_view,
        name="revoke",
    ),
    path(
        "cabinet/certificates/registry/<uuid:uuid>/duplicate/",
        registry.certificate_duplicate_view,
        name="duplicate",
    ),
    path(
        "cabinet/certificates/registry/<uuid:uuid>/blank/",
        registry.certificate_blank_view,
        name="blank",
    ),
]
