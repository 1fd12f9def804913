"""Demo certificates: a default template of every kind, and the participation
certificates earned at the demo's past seminars (the demo participant has one)."""

from __future__ import annotations

from django.utils import timezone

from lms.certificates.models import CertificateKind, CertificateSignatory, CertificateTemplate

ORGANISATION = "ГАУ ДПО «Региональный институт развития образования»"
DETAILS = (
    "Отдел методического сопровождения школьных библиотек и ИБЦ\n"
    "Лицензия на осуществление образовательной деятельности № 07718 от 01.02.2016"
)
TEMPLATES = [
    (
        CertificateKind.QUALIFICATION,
        "Удостоверение о повышении квалификации",
        "Удостоверение",
        "о повышении квалификации",
        "{period} прошёл(а) повышение квалификации в {organisation} по дополнительной "
        "профессиональной программе «{programme}» в объёме {hours} часов.",
    ),
    (
        CertificateKind.DIPLOMA,
        "Диплом о профессиональной переподготовке",
        "Диплом",
        "о профессиональной переподготовке",
        "{period} прошёл(а) профессиональную переподготовку в {organisation} по программе "
        "«{programme}» в объёме {hours} часов.",
    ),
    (
        CertificateKind.STUDY_RECORD,
        "Справка об обучении",
        "Справка",
        "об обучении",
        "обучался(ась) {period} по дополнительной профессиональной программе "
        "«{programme}» и не завершил(а) её освоение.",
    ),
    (
        CertificateKind.PARTICIPATION,
        "Сертификат участника",
        "Сертификат",
        "участника",
        "принял(а) участие в мероприятии «{event}» ({event_date}).",
    ),
]
SIGNATORIES = [
    ("Ректор", "Е. В. Смирнова"),
    ("Начальник отдела", "О. Н. Белова"),
]


def _templates() -> int:
    created = 0
    for kind, title, heading, subheading, body in TEMPLATES:
        if CertificateTemplate.objects.filter(kind=kind).exists():
            continue
        template = CertificateTemplate(
            title=title,
            kind=kind,
            is_default=True,
            organisation=ORGANISATION,
            city="Краснодар",
            organisation_details=DETAILS,
            heading=heading,
            subheading=subheading,
            body=body,
        )
        template.signatories = [
            CertificateSignatory(position=position, name=name) for position, name in SIGNATORIES
        ]
        template.save()
        template.save_revision(log_action=False)
        created += 1
    return created


def _participation() -> int:
    from lms.certificates.services.issuing import CertificateRefused, certificate_issue_for_event
    from lms.models import EventPage, EventRegistration, RegistrationStatus

    issued = 0
    events = EventPage.objects.live().filter(
        issues_certificate=True, is_cancelled=False, end__lt=timezone.now()
    )
    for event in events:
        registrations = EventRegistration.objects.filter(
            event=event, status=RegistrationStatus.REGISTERED, checked_in_at__isnull=False
        ).select_related("user")
        for registration in registrations:
            try:
                _certificate, created = certificate_issue_for_event(
                    event=event, user=registration.user
                )
            except CertificateRefused:
                continue
            issued += created
    return issued


def seed(log) -> None:
    templates = _templates()
    issued = _participation()
    log(f"  certificates: {templates} templates, {issued} participation certificates")
