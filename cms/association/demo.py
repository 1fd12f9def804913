"""Demo of the association: its pages, members from college libraries, one pending request.

Runs after ``cms.demo`` (the app order in INSTALLED_APPS), which creates ``/association/``.
Idempotent: everything is looked up by slug, email or title before it is created.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from cms.association.models import (
    AssociationMembership,
    AssociationPostAttachment,
    AssociationPostPage,
    AssociationSectionPage,
    MembershipStatus,
    PostKind,
)
from cms.association.services import association_collection_ensure, association_members_group_ensure
from cms.demo import ensure_child
from cms.models import AssociationIndexPage, StandardPage
from core.models import ConsentPurpose, Membership, MembershipRole, Organisation, User
from core.roles import role_group_name
from core.services.consent import ConsentUnavailable, consent_grant

DEMO_PASSWORD = "demo-college-2026"  # noqa: S105 - demo only, printed like the other demo accounts

INTRO = (
    "Методическое объединение библиотекарей профессиональных образовательных организаций "
    "края объединяет заведующих библиотеками и библиотекарей колледжей и техникумов. "
    "Мы обмениваемся опытом, вместе готовим методические материалы и проводим заседания "
    "четыре раза в учебный год."
)
ABOUT = [
    "Методическое объединение (МО) работает при отделе методического сопровождения "
    "школьных библиотек с 2019 года. Его задачи — повышение профессиональной компетентности "
    "библиотекарей СПО, распространение лучших практик и помощь в подготовке библиотек "
    "колледжей к получению статуса информационно-библиотечного центра.",
    "Членом МО может стать любой работник библиотеки колледжа или техникума края. "
    "Заявку на вступление рассматривает координатор — методист отдела. Члены МО получают "
    "доступ к протоколам заседаний и рабочим материалам.",
]
PLAN = [
    ("Сентябрь", "Заседание № 1: утверждение плана работы; итоги мониторинга библиотек СПО."),
    ("Ноябрь", "Заседание № 2: электронные ресурсы для профессионального образования."),
    ("Февраль", "Семинар-практикум «Библиотечный урок в колледже: формы и методы»."),
    ("Апрель", "Заседание № 3: подготовка к экспертизе на статус ИБЦ."),
    ("Июнь", "Итоговое заседание: отчёты членов МО, планирование на 2027/28 год."),
]
ANNOUNCEMENTS = [
    (
        "zasedanie-noyabr-2026",
        "Заседание МО 20 ноября: электронные ресурсы для СПО",
        dt.date(2026, 11, 5),
        "Приглашаем членов объединения и всех библиотекарей колледжей на второе заседание.",
    ),
    (
        "konkurs-bibliotechnyj-urok",
        "Конкурс методических разработок «Библиотечный урок в колледже»",
        dt.date(2026, 10, 12),
        "Принимаем разработки библиотечных уроков для студентов первого курса до 1 декабря.",
    ),
    (
        "plan-utverzhden",
        "Утверждён план работы на 2026/27 учебный год",
        dt.date(2026, 9, 28),
        "План работы объединения утверждён на первом заседании; с ним можно ознакомиться "
        "в разделе «План работы».",
    ),
]
PROTOCOLS = [
    (
        "protokol-1-2026",
        "Протокол заседания № 1 от 25 сентября 2026 года",
        dt.date(2026, 9, 25),
        "Присутствовали 14 членов МО. Утверждён план работы на 2026/27 учебный год, "
        "рассмотрены итоги мониторинга библиотек колледжей.",
        "protokol-1-2026.pdf",
        ["Protokol zasedaniya MO No 1", "25.09.2026", "Prisutstvovali: 14 chlenov MO."],
    ),
    (
        "protokol-2-2026",
        "Протокол заседания № 2 от 20 ноября 2026 года",
        dt.date(2026, 11, 20),
        "Обсуждены подписки колледжей на электронные библиотечные системы и опыт работы "
        "с ними; решено подготовить сводный перечень ресурсов.",
        "protokol-2-2026.pdf",
        ["Protokol zasedaniya MO No 2", "20.11.2026", "Prisutstvovali: 12 chlenov MO."],
    ),
]
# (email, last name, first name, patronymic, position, college short name, status)
MEMBERS = [
    (
        "grigorieva@demo.ibc-portal.ru",
        "Григорьева",
        "Татьяна",
        "Владимировна",
        "заведующая библиотекой",
        "КГБПОУ «Северный педагогический колледж»",
        MembershipStatus.APPROVED,
    ),
    (
        "pavlova@demo.ibc-portal.ru",
        "Павлова",
        "Наталья",
        "Сергеевна",
        "библиотекарь",
        "КГБПОУ «Приморский технический колледж»",
        MembershipStatus.APPROVED,
    ),
    (
        "fedorova@demo.ibc-portal.ru",
        "Фёдорова",
        "Людмила",
        "Ивановна",
        "заведующая библиотекой",
        "КГБПОУ «Лесной аграрный техникум»",
        MembershipStatus.APPROVED,
    ),
    (
        "zaitseva@demo.ibc-portal.ru",
        "Зайцева",
        "Марина",
        "Олеговна",
        "педагог-библиотекарь",
        "КГБПОУ «Степной многопрофильный колледж»",
        MembershipStatus.APPROVED,
    ),
    (
        "belova@demo.ibc-portal.ru",
        "Белова",
        "Светлана",
        "Андреевна",
        "библиотекарь",
        "КГБПОУ «Речной медицинский колледж»",
        MembershipStatus.PENDING,
    ),
]


def _paragraphs(*texts: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"} for text in texts]


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` in Helvetica (ASCII only: no font is embedded)."""
    text = " ".join(
        f"({line.replace(chr(92), '').replace('(', '').replace(')', '')}) Tj T*" for line in lines
    )
    stream = f"BT /F1 14 Tf 18 TL 72 760 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _protocol_document(title: str, filename: str, lines: list[str]):
    Document = get_document_model()
    collection = association_collection_ensure()
    document = Document.objects.filter(title=title, collection=collection).first()
    if document is None:
        content = _pdf(lines)
        document = Document(title=title, collection=collection, file_size=len(content))
        document.file.save(filename, ContentFile(content), save=False)
        document.save()
    return document


def _member(email, last_name, first_name, patronymic, position, college) -> User | None:
    organisation = Organisation.objects.filter(short_name=college).first()
    if organisation is None:
        return None
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "last_name": last_name,
            "first_name": first_name,
            "patronymic": patronymic,
            "position": position,
            "email_confirmed_at": timezone.make_aware(dt.datetime(2026, 1, 15)),
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=role_group_name("participant"))[0])
        Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=MembershipRole.HEAD if "заведующая" in position else MembershipRole.STAFF,
            defaults={"is_confirmed": True},
        )
        with contextlib.suppress(ConsentUnavailable):
            consent_grant(user=user, purpose=ConsentPurpose.PERSONAL_DATA)
    return user


def _memberships(coordinator: User | None) -> tuple[int, int]:
    group = association_members_group_ensure()
    approved = pending = 0
    for email, last, first, patronymic, position, college, status in MEMBERS:
        user = _member(email, last, first, patronymic, position, college)
        if user is None:
            continue
        membership = AssociationMembership.objects.filter(user=user).first()
        if membership is None:
            decided = status == MembershipStatus.APPROVED
            membership = AssociationMembership.objects.create(
                user=user,
                organisation=Organisation.objects.get(short_name=college),
                status=status,
                motivation="Хочу обмениваться опытом с коллегами из других колледжей края.",
                created=timezone.make_aware(dt.datetime(2026, 9, 1, 10)),
                decided_by=coordinator if decided else None,
                decided_at=timezone.make_aware(dt.datetime(2026, 9, 2, 12)) if decided else None,
            )
        if membership.status == MembershipStatus.APPROVED:
            group.user_set.add(user)
            approved += 1
        elif membership.status == MembershipStatus.PENDING:
            pending += 1
    return approved, pending


def seed(log) -> None:
    index = AssociationIndexPage.objects.first()
    if index is None:
        log("  association: no /association/ page, skipped")
        return
    if not index.body:
        index.body = _paragraphs(INTRO)
        index.save_revision().publish()
    ensure_child(
        index, StandardPage, "about", title="О методическом объединении", body=_paragraphs(*ABOUT)
    )
    announcements = ensure_child(
        index,
        AssociationSectionPage,
        "announcements",
        title="Объявления",
        body=_paragraphs("Новости и приглашения на заседания методического объединения."),
    )
    plan = ensure_child(
        index,
        AssociationSectionPage,
        "plan",
        title="План работы",
        body=_paragraphs("Планы работы методического объединения по учебным годам."),
    )
    materials = ensure_child(
        index,
        AssociationSectionPage,
        "materials",
        title="Протоколы и материалы",
        members_only=True,
        body=_paragraphs("Протоколы заседаний и рабочие материалы — только для членов МО."),
    )
    ensure_child(
        plan,
        AssociationPostPage,
        "plan-2026-2027",
        title="План работы методического объединения на 2026/27 учебный год",
        kind=PostKind.PLAN,
        date=dt.date(2026, 8, 28),
        summary="Пять заседаний и семинар-практикум; главная тема года — цифровые ресурсы СПО.",
        body=[
            {
                "type": "table",
                "value": {
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                    "data": [["Месяц", "Мероприятие"], *[list(row) for row in PLAN]],
                },
            }
        ],
    )
    for slug, title, date, summary in ANNOUNCEMENTS:
        ensure_child(
            announcements,
            AssociationPostPage,
            slug,
            title=title,
            kind=PostKind.ANNOUNCEMENT,
            date=date,
            summary=summary,
            body=_paragraphs(summary),
        )
    for slug, title, date, summary, filename, lines in PROTOCOLS:
        document = _protocol_document(title, filename, lines)
        ensure_child(
            materials,
            AssociationPostPage,
            slug,
            title=title,
            kind=PostKind.PROTOCOL,
            date=date,
            summary=summary,
            body=_paragraphs(summary),
            attachments=[AssociationPostAttachment(document=document, title="Протокол (PDF)")],
        )
    coordinator = User.objects.filter(groups__name=role_group_name("methodist")).first()
    approved, pending = _memberships(coordinator)
    log(
        f"  association: 3 sections, {1 + len(ANNOUNCEMENTS) + len(PROTOCOLS)} posts, "
        f"{approved} members, {pending} pending request (password {DEMO_PASSWORD})"
    )
