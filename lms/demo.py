"""Demo sections and events. Event dates are relative to the day of seeding, so a
fresh ``make run`` always has a live webinar, upcoming events and a past."""

import datetime as dt

from django.utils import timezone
from wagtail.models import Site

from core.demo import DEMO_ACCOUNTS
from core.models import User
from lms.models import (
    CourseIndexPage,
    EventAudience,
    EventFormat,
    EventIndexPage,
    EventKind,
    EventPage,
    EventRegistration,
    RegistrationStatus,
)

SECTIONS = [
    (CourseIndexPage, "courses", "Курсы повышения квалификации"),
    (EventIndexPage, "events", "Мероприятия и вебинары"),
]

ONLINE_ROOM = "https://vk.com/video/demo-ibc-portal"
PLACE = "г. Краснодар, ул. Рашпилевская, 106, ауд. 214 (краевой методический центр)"

# slug, title, kind, format, audience, days from today (None = live now), start hour,
# hours long, capacity, annotation
EVENTS = [
    (
        "vebinar-navigator-ibc",
        "Вебинар «Навигатор ИБЦ: как перезапустить школьную библиотеку»",
        EventKind.WEBINAR,
        EventFormat.ONLINE,
        EventAudience.SCHOOL,
        None,
        None,
        3,
        500,
        "Прямой эфир для педагогов-библиотекарей: пошаговый план перехода от традиционной "
        "библиотеки к информационно-библиотечному центру, ответы на вопросы участников.",
    ),
    (
        "seminar-chtenie-podrostkov",
        "Семинар «Чтение подростков: новые форматы читательских клубов»",
        EventKind.SEMINAR,
        EventFormat.IN_PERSON,
        EventAudience.SCHOOL,
        6,
        10,
        4,
        40,
        "Практики читательских клубов, буктрейлеры и сторителлинг в работе с подростками.",
    ),
    (
        "vebinar-informatsionnaya-gramotnost",
        "Вебинар «Информационная грамотность: уроки поиска и проверки источников»",
        EventKind.WEBINAR,
        EventFormat.ONLINE,
        EventAudience.ALL,
        13,
        15,
        2,
        None,
        "Как провести библиотечный урок по поиску, оценке и цитированию источников.",
    ),
    (
        "master-klass-bukkrossing",
        "Мастер-класс «Буккроссинг и открытая зона чтения в ИБЦ»",
        EventKind.MASTER_CLASS,
        EventFormat.IN_PERSON,
        EventAudience.ALL,
        20,
        11,
        3,
        2,
        "Организация открытых пространств чтения: зонирование, правила, вовлечение учеников.",
    ),
    (
        "zasedanie-mo-dekabr",
        "Заседание методического объединения библиотекарей СПО",
        EventKind.ASSOCIATION_MEETING,
        EventFormat.MIXED,
        EventAudience.COLLEGE,
        27,
        14,
        2,
        60,
        "План работы на второе полугодие, электронные библиотечные системы колледжей.",
    ),
    (
        "konferentsiya-biblioteka-2027",
        "Краевая конференция «Школьная библиотека — 2027»",
        EventKind.CONFERENCE,
        EventFormat.MIXED,
        EventAudience.ALL,
        45,
        10,
        6,
        200,
        "Пленарное заседание, секции по ИБЦ, чтению и медиаграмотности, выставка практик.",
    ),
    (
        "vebinar-fgis-moya-shkola",
        "Вебинар «Цифровые ресурсы для школьной библиотеки»",
        EventKind.WEBINAR,
        EventFormat.ONLINE,
        EventAudience.SCHOOL,
        62,
        15,
        2,
        None,
        "Обзор государственных цифровых платформ и электронных библиотек для школ.",
    ),
    (
        "seminar-fond-ekstremizm",
        "Семинар «Работа с фондом: списки экстремистских материалов и сверка фонда»",
        EventKind.SEMINAR,
        EventFormat.ONLINE,
        EventAudience.ALL,
        80,
        11,
        2,
        150,
        "Порядок сверки фонда, документирование, типичные ошибки при проверках.",
    ),
    (
        "seminar-ibc-prostranstvo",
        "Семинар «ИБЦ-пространство: зонирование и оборудование»",
        EventKind.SEMINAR,
        EventFormat.IN_PERSON,
        EventAudience.SCHOOL,
        -8,
        10,
        4,
        30,
        "Разбор проектов зонирования ИБЦ школ края и требований к оснащению.",
    ),
    (
        "vebinar-proekty-s-pedagogami",
        "Вебинар «Совместные проекты библиотекаря и педагогов»",
        EventKind.WEBINAR,
        EventFormat.ONLINE,
        EventAudience.ALL,
        -20,
        15,
        2,
        None,
        "Межпредметные проекты, индивидуальные проекты учащихся и роль библиотекаря.",
    ),
    (
        "zasedanie-mo-oktyabr",
        "Заседание методического объединения: ЭБС в колледжах",
        EventKind.ASSOCIATION_MEETING,
        EventFormat.IN_PERSON,
        EventAudience.COLLEGE,
        -35,
        14,
        2,
        40,
        "Опыт подключения электронных библиотечных систем, статистика использования.",
    ),
    (
        "master-klass-mediagramotnost",
        "Мастер-класс «Медиаграмотность: распознаём фейки вместе с учениками»",
        EventKind.MASTER_CLASS,
        EventFormat.MIXED,
        EventAudience.SCHOOL,
        -50,
        12,
        3,
        50,
        "Практические упражнения по проверке фактов и изображений для уроков.",
    ),
    (
        "seminar-monitoring-2026",
        "Семинар «Как заполнить мониторинг школьной библиотеки»",
        EventKind.SEMINAR,
        EventFormat.ONLINE,
        EventAudience.ALL,
        -70,
        11,
        2,
        None,
        "Показатели мониторинга, источники данных, типичные вопросы и ошибки.",
    ),
    (
        "vebinar-otmenen-fotokonkurs",
        "Вебинар «Фотоконкурс „Моя библиотека“: итоги»",
        EventKind.WEBINAR,
        EventFormat.ONLINE,
        EventAudience.ALL,
        9,
        16,
        1,
        None,
        "Подведение итогов краевого фотоконкурса.",
    ),
]
CANCELLED = {"vebinar-otmenen-fotokonkurs": "Итоги будут объявлены на конференции в январе."}

SPEAKERS = [
    {"name": "Васильева Елена Михайловна", "position": "начальник отдела"},
    {"name": "Кузнецова Ирина Викторовна", "position": "методист"},
]


def _start(days: int | None, hour: int | None, now: dt.datetime) -> dt.datetime:
    if days is None:
        # "Live now": started half an hour ago, on a five-minute boundary.
        started = now - dt.timedelta(minutes=30)
        return started.replace(minute=started.minute - started.minute % 5, second=0, microsecond=0)
    local = timezone.localtime(now).date() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(local, dt.time(hour)))


def _event_fields(row, now: dt.datetime) -> dict:
    slug, title, kind, fmt, audience, days, hour, hours, capacity, lead = row
    start = _start(days, hour, now)
    return {
        "title": title,
        "slug": slug,
        "kind": kind,
        "format": fmt,
        "audience": audience,
        "start": start,
        "end": start + dt.timedelta(hours=hours),
        "lead": lead,
        "location": PLACE if fmt != EventFormat.ONLINE else "",
        "online_url": ONLINE_ROOM if fmt != EventFormat.IN_PERSON else "",
        "capacity": capacity,
        "issues_certificate": kind in (EventKind.WEBINAR, EventKind.SEMINAR),
        "speakers": [("speaker", speaker) for speaker in SPEAKERS],
        "programme": [
            ("item", {"time": "Первые 15 минут", "title": "Открытие, цели встречи", "speaker": ""}),
            ("item", {"time": "Основная часть", "title": lead, "speaker": SPEAKERS[1]["name"]}),
            ("item", {"time": "Последние 20 минут", "title": "Вопросы и ответы", "speaker": ""}),
        ],
        "is_cancelled": slug in CANCELLED,
        "cancellation_note": CANCELLED.get(slug, ""),
    }


def _demo_users() -> dict[str, User]:
    emails = {role: email for role, email, _password in DEMO_ACCOUNTS}
    users = User.objects.filter(email__in=emails.values())
    by_email = {user.email: user for user in users}
    return {role: by_email[email] for role, email in emails.items() if email in by_email}


# slug: roles registered (in order); the participant's own story runs through them.
REGISTRATIONS = {
    "vebinar-navigator-ibc": ["participant", "methodist", "moderator", "head"],
    "seminar-chtenie-podrostkov": ["participant", "expert"],
    "master-klass-bukkrossing": ["methodist", "moderator", "participant"],
    "seminar-ibc-prostranstvo": ["participant", "methodist", "expert"],
    "vebinar-proekty-s-pedagogami": ["participant", "moderator"],
    "zasedanie-mo-oktyabr": ["expert", "head", "participant"],
}
CHECKED_IN = {
    "seminar-ibc-prostranstvo": ["participant", "methodist"],
    "zasedanie-mo-oktyabr": ["expert", "head"],
}


def seed(log) -> None:
    home = Site.objects.get(is_default_site=True).root_page
    for page_type, slug, title in SECTIONS:
        if home.get_children().filter(slug=slug).exists():
            continue
        page = page_type(title=title, slug=slug)
        home.add_child(instance=page)
        page.save_revision().publish()
    log("  pages: courses and events sections")
    from lms.courses import demo as courses_demo

    courses_demo.seed(log)

    index = EventIndexPage.objects.get()
    if EventPage.objects.child_of(index).exists():
        log("  events: already there")
        return
    now = timezone.now()
    for row in EVENTS:
        event = EventPage(**_event_fields(row, now))
        index.add_child(instance=event)
        event.save_revision().publish()

    users = _demo_users()
    events = {event.slug: event for event in EventPage.objects.child_of(index)}
    for slug, roles in REGISTRATIONS.items():
        event = events[slug]
        for position, role in enumerate(roles):
            if role not in users:
                continue
            over = event.capacity is not None and position >= event.capacity
            checked = role in CHECKED_IN.get(slug, [])
            EventRegistration.objects.create(
                event=event,
                user=users[role],
                status=RegistrationStatus.WAITLISTED if over else RegistrationStatus.REGISTERED,
                queued_at=now + dt.timedelta(seconds=position),
                confirmation_sent_at=now,
                checked_in_at=event.start if checked else None,
            )
    log(f"  events: {len(EVENTS)} events with registrations")
