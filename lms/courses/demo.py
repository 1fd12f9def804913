"""Demo ДПО courses: two programmes with modules, lessons, a quiz and a final assignment,
professional standards with labour functions, one open cohort each, and the demo
participant half-way through the first course.

``lms.demo`` calls :func:`seed` after it has created the course catalogue. Dates are
relative to the day of seeding. Running it again changes nothing. The labour
function codes below are editable demo data, not a copy of the acts.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cms.models import Topic
from core.demo import DEMO_ACCOUNTS
from core.models import ConsentPurpose, User
from core.services.consent import consent_grant, consent_is_active
from lms.assignments.models import AssignmentPage
from lms.courses.models import (
    AccessMode,
    Cohort,
    CohortDeadline,
    CourseAudience,
    CourseFormat,
    CoursePage,
    Enrollment,
    EnrollmentStatus,
    LabourFunction,
    LearnerProfile,
    LessonCompletion,
    LessonPage,
    ModulePage,
    ProfessionalStandard,
)
from lms.quizzes.demo import seed_quiz
from lms.quizzes.models import QuizPage

DEMO_SNILS = "112-233-445 95"

# code, title, act, [(level, code, title)]
STANDARDS = [
    (
        "01.005",
        "Специалист в области воспитания",
        "Приказ Минтруда России от 30.01.2023 № 53н",
        [
            (
                "otf",
                "D",
                "Педагогическая деятельность по организации информационно-библиотечной "
                "работы в образовательной организации",
            ),
            (
                "tf",
                "D/01.6",
                "Организация деятельности информационно-библиотечного центра "
                "образовательной организации",
            ),
            (
                "tf",
                "D/02.6",
                "Формирование информационной грамотности и культуры чтения обучающихся",
            ),
            (
                "tf",
                "D/03.6",
                "Методическая поддержка педагогов в использовании информационных ресурсов",
            ),
        ],
    ),
    (
        "527н",
        "Специалист по библиотечно-информационной деятельности",
        "Приказ Минтруда России от 14.09.2022 № 527н",
        [
            ("otf", "C", "Информационно-библиографическое обслуживание пользователей"),
            (
                "tf",
                "C/01.6",
                "Справочно-библиографическое и информационное обслуживание пользователей",
            ),
            (
                "otf",
                "F",
                "Библиотечная исследовательская, методическая и проектная деятельность",
            ),
            (
                "tf",
                "F/02.7",
                "Методическое обеспечение деятельности библиотек и проектная работа",
            ),
        ],
    ),
]


def _heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def _text(*paragraphs: str) -> dict:
    return {"type": "paragraph", "value": "".join(f"<p>{p}</p>" for p in paragraphs)}


def _list(*entries: str) -> dict:
    return {
        "type": "paragraph",
        "value": "<ul>" + "".join(f"<li>{e}</li>" for e in entries) + "</ul>",
    }


def _quote(text: str, source: str) -> dict:
    return {"type": "quote", "value": {"text": text, "source": source}}


def _table(caption: str, rows: list[list[str]]) -> dict:
    return {
        "type": "table",
        "value": {
            "data": rows,
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "table_caption": caption,
        },
    }


# --- course 1 -----------------------------------------------------------------------

IBC_LESSONS = [
    (
        "koncepciya-i-normativnaya-baza",
        "Концепция и нормативная база ИБЦ",
        "Зачем школе информационно-библиотечный центр и какие документы определяют его работу.",
        [
            (
                "chto-takoe-ibc",
                "Что такое информационно-библиотечный центр",
                40,
                [
                    _heading("От библиотеки к центру"),
                    _text(
                        "Информационно-библиотечный центр (ИБЦ) — это не новая вывеска над "
                        "абонементом, а иная модель работы школьной библиотеки. Центр "
                        "обеспечивает доступ к информации в любом формате, поддерживает "
                        "учебные проекты и становится площадкой для самостоятельной работы "
                        "обучающихся и педагогов.",
                        "Главное отличие ИБЦ — ориентация не на фонд, а на пользователя: "
                        "педагог-библиотекарь выступает консультантом по поиску и оценке "
                        "информации, модератором читательских и проектных групп, партнёром "
                        "учителей-предметников.",
                    ),
                    _heading("Функции ИБЦ", "h3"),
                    _list(
                        "образовательная: библиотечные уроки, консультации, поддержка проектов;",
                        "информационная: доступ к печатным и электронным ресурсам;",
                        "культурно-просветительская: клубы, выставки, встречи с авторами;",
                        "методическая: помощь педагогам в подборе материалов к урокам.",
                    ),
                    _quote(
                        "Школьная библиотека предоставляет информацию и идеи, без которых "
                        "невозможно успешное существование в современном обществе.",
                        "Манифест ИФЛА/ЮНЕСКО о школьной библиотеке",
                    ),
                ],
            ),
            (
                "normativnye-dokumenty",
                "Нормативные документы школьной библиотеки",
                45,
                [
                    _heading("Федеральный уровень"),
                    _text(
                        "Право обучающихся бесплатно пользоваться библиотечно-информационными "
                        "ресурсами закреплено Федеральным законом «Об образовании в Российской "
                        "Федерации». Общие основы библиотечного дела устанавливает "
                        "Федеральный закон № 78-ФЗ «О библиотечном деле».",
                    ),
                    _heading("Локальные акты образовательной организации", "h3"),
                    _list(
                        "положение об ИБЦ (о библиотеке) образовательной организации;",
                        "правила пользования библиотекой;",
                        "план работы ИБЦ на учебный год;",
                        "должностная инструкция педагога-библиотекаря.",
                    ),
                    _text(
                        "Проверьте, что положение об ИБЦ согласовано с уставом школы и "
                        "программой развития, а правила пользования доступны читателям на "
                        "сайте образовательной организации.",
                    ),
                ],
            ),
        ],
    ),
    (
        "prostranstvo-i-resursy",
        "Пространство и ресурсы ИБЦ",
        "Как организовать пространство центра и собрать фонд печатных и электронных ресурсов.",
        [
            (
                "zonirovanie-prostranstva",
                "Зонирование пространства ИБЦ",
                45,
                [
                    _heading("Функциональные зоны"),
                    _text(
                        "Пространство ИБЦ проектируют от задач пользователей: где ученик "
                        "работает один, где группа готовит проект, где проходит урок, а где "
                        "можно просто почитать. Даже небольшое помещение можно разделить "
                        "мобильной мебелью и стеллажами.",
                    ),
                    _table(
                        "Зоны ИБЦ и их оснащение",
                        [
                            ["Зона", "Назначение", "Оснащение"],
                            [
                                "Абонемент и открытый доступ",
                                "Выдача и самостоятельный выбор книг",
                                "Стеллажи открытого доступа, станция выдачи",
                            ],
                            [
                                "Индивидуальная работа",
                                "Поиск информации, чтение, подготовка к урокам",
                                "Рабочие места с компьютерами, доступ к ЭБС",
                            ],
                            [
                                "Групповая и проектная работа",
                                "Учебные проекты, занятия в малых группах",
                                "Мобильные столы, флипчарт, интерактивная панель",
                            ],
                            [
                                "Рекреация",
                                "Свободное чтение и общение",
                                "Мягкая мебель, выставки новинок",
                            ],
                        ],
                    ),
                ],
            ),
            (
                "fond-i-elektronnye-resursy",
                "Фонд и электронные ресурсы",
                45,
                [
                    _heading("Комплектование"),
                    _text(
                        "Фонд ИБЦ включает учебники, художественную и научно-популярную "
                        "литературу, справочные издания и электронные ресурсы. Учебный фонд "
                        "комплектуют по федеральному перечню учебников, а остальной — по "
                        "запросам учителей и читательским интересам обучающихся.",
                        "Не забывайте о регулярной сверке фонда с Федеральным списком "
                        "экстремистских материалов: её результаты оформляются актом.",
                    ),
                    _heading("Электронные ресурсы", "h3"),
                    _list(
                        "электронный каталог фонда школы;",
                        "подключение к национальным электронным библиотекам;",
                        "подборки проверенных образовательных сайтов по предметам.",
                    ),
                ],
            ),
        ],
    ),
    (
        "programma-razvitiya",
        "Программа развития ИБЦ",
        "Итоговый модуль: проект программы развития центра вашей школы.",
        [
            (
                "kak-napisat-programmu",
                "Как написать программу развития ИБЦ",
                60,
                [
                    _heading("Структура программы"),
                    _text(
                        "Программа развития связывает задачи ИБЦ с целями школы. Начните с "
                        "анализа: что есть сейчас (фонд, помещение, кадры, мероприятия), "
                        "чего не хватает и какие ресурсы доступны. Затем сформулируйте цели "
                        "на два-три года и измеримые показатели.",
                    ),
                    _list(
                        "паспорт программы и аналитическая справка;",
                        "цели, задачи и ожидаемые результаты;",
                        "план мероприятий по этапам;",
                        "ресурсное обеспечение и показатели эффективности.",
                    ),
                    _quote(
                        "Хорошая программа развития помещается на пяти страницах и понятна "
                        "директору, учителям и родителям.",
                        "Из практики методистов отдела",
                    ),
                ],
            ),
        ],
    ),
]

IBC_ASSIGNMENT = (
    "itogovaya-rabota",
    "Итоговая работа: проект программы развития ИБЦ",
    [
        _text(
            "Подготовьте проект программы развития информационно-библиотечного центра вашей "
            "образовательной организации на 2–3 года объёмом 5–7 страниц.",
        ),
        _list(
            "аналитическая справка о текущем состоянии библиотеки;",
            "цели и задачи развития с измеримыми показателями;",
            "план мероприятий по этапам с ответственными и сроками;",
            "ресурсы: кадры, помещение, фонд, оборудование.",
        ),
        _text(
            "Загрузите файл в формате PDF или DOCX. Преподаватель проверит работу в течение "
            "пяти рабочих дней и при необходимости вернёт её на доработку с комментариями.",
        ),
    ],
)

# --- course 2 -----------------------------------------------------------------------

LITERACY_LESSONS = [
    (
        "modeli-informacionnoj-gramotnosti",
        "Модели информационной грамотности",
        "Что понимают под информационной грамотностью и как её формировать в школе.",
        [
            (
                "ponyatie-i-modeli",
                "Понятие и модели информационной грамотности",
                45,
                [
                    _heading("Что такое информационная грамотность"),
                    _text(
                        "Информационная грамотность — умение осознать потребность в "
                        "информации, найти её, оценить и эффективно использовать. Для "
                        "школьника это значит уметь сформулировать вопрос, выбрать "
                        "источник, проверить сведения и правильно на них сослаться.",
                    ),
                    _heading("Известные модели", "h3"),
                    _list(
                        "«Большая шестёрка» (Big6): шесть шагов решения информационной задачи;",
                        "модель ЮНЕСКО медийной и информационной грамотности;",
                        "отечественные программы формирования информационной культуры личности.",
                    ),
                ],
            ),
            (
                "informacionnaya-gramotnost-vo-fgos",
                "Информационная грамотность в требованиях ФГОС",
                40,
                [
                    _heading("Метапредметные результаты"),
                    _text(
                        "Обновлённые ФГОС включают работу с информацией в состав "
                        "универсальных учебных действий: поиск, анализ, систематизацию и "
                        "интерпретацию информации разных видов. Педагог-библиотекарь "
                        "помогает учителям достигать этих результатов на уроках и во "
                        "внеурочной деятельности.",
                    ),
                    _quote(
                        "Умение работать с информацией — основа самостоятельного обучения "
                        "в течение всей жизни.",
                        "Из методических рекомендаций отдела",
                    ),
                ],
            ),
        ],
    ),
    (
        "poisk-i-ocenka-informacii",
        "Поиск и оценка информации",
        "Библиотечные уроки по поиску и проверке достоверности источников.",
        [
            (
                "bibliotechnyj-urok-poisk",
                "Библиотечный урок по поиску информации",
                45,
                [
                    _heading("Сценарий урока"),
                    _text(
                        "Урок строится вокруг реальной учебной задачи: например, подготовить "
                        "справку о местном памятнике архитектуры. Обучающиеся сравнивают "
                        "поиск в каталоге, в поисковой системе и в электронной библиотеке.",
                    ),
                    _table(
                        "Этапы урока",
                        [
                            ["Этап", "Время", "Деятельность обучающихся"],
                            ["Постановка задачи", "5 мин", "Формулируют поисковый вопрос"],
                            ["Поиск", "20 мин", "Ищут в каталоге и в сети, фиксируют источники"],
                            ["Сравнение", "10 мин", "Сопоставляют найденное, отбирают лучшее"],
                            ["Рефлексия", "5 мин", "Обсуждают, какой способ оказался удобнее"],
                        ],
                    ),
                ],
            ),
            (
                "proverka-dostovernosti",
                "Проверка достоверности источников",
                45,
                [
                    _heading("Признаки надёжного источника"),
                    _list(
                        "указаны автор и его квалификация;",
                        "есть дата публикации или обновления;",
                        "приведены ссылки на первоисточники и данные;",
                        "сведения подтверждаются другими независимыми источниками.",
                    ),
                    _text(
                        "Популярность материала и яркий дизайн сайта ничего не говорят о "
                        "достоверности. Научите обучающихся задавать вопросы «кто это "
                        "написал?», «откуда это известно?» и «что говорят другие?».",
                    ),
                ],
            ),
        ],
    ),
    (
        "proektnaya-deyatelnost",
        "Проектная деятельность с обучающимися",
        "Итоговый модуль: информационный проект и сценарий библиотечного урока.",
        [
            (
                "uchebnyj-informacionnyj-proekt",
                "Учебный информационный проект",
                60,
                [
                    _heading("Этапы проекта"),
                    _text(
                        "Информационный проект объединяет все навыки курса: от постановки "
                        "проблемы до презентации результата. Роль ИБЦ — дать источники, "
                        "место для работы группы и консультации на каждом этапе.",
                    ),
                    _list(
                        "постановка проблемы и цели;",
                        "поиск и отбор источников;",
                        "анализ и проверка достоверности сведений;",
                        "создание информационного продукта;",
                        "презентация и рефлексия.",
                    ),
                ],
            ),
        ],
    ),
]

LITERACY_ASSIGNMENT = (
    "itogovaya-rabota",
    "Итоговая работа: сценарий библиотечного урока",
    [
        _text(
            "Разработайте сценарий библиотечного урока по информационной грамотности для "
            "выбранного класса (курса СПО). Укажите цель, планируемые результаты, этапы урока "
            "с хронометражем, используемые источники и критерии оценки работы обучающихся.",
        ),
        _text(
            "Ответ можно написать в форме или приложить файл (PDF, DOCX, ODT). Работа "
            "проверяется преподавателем потока; при возврате на доработку учтите его "
            "комментарии и отправьте исправленную версию.",
        ),
    ],
)

COURSES = [
    {
        "slug": "shkolnyj-ibc",
        "title": "Школьный ИБЦ: от концепции к практике",
        "hours": 36,
        "format": CourseFormat.DISTANCE,
        "audience": CourseAudience.SCHOOL,
        "access_mode": AccessMode.SEQUENTIAL,
        "topics": ["ibc", "normativnaya-baza", "professionalnoe-razvitie"],
        "annotation": (
            "Программа повышения квалификации для педагогов-библиотекарей общеобразовательных "
            "организаций: концепция информационно-библиотечного центра, нормативная база, "
            "организация пространства и ресурсов, программа развития ИБЦ."
        ),
        "outcomes": (
            "<ul><li>знать нормативные основы деятельности ИБЦ;</li>"
            "<li>уметь спроектировать зонирование пространства центра;</li>"
            "<li>разработать проект программы развития ИБЦ своей школы.</li></ul>"
        ),
        "teachers": "Кузнецова И. В., методист отдела; Соловьёва Т. А., к. пед. н.",
        "functions": ["D/01.6", "D/03.6", "F/02.7"],
        "modules": IBC_LESSONS,
        "assignment": IBC_ASSIGNMENT,
        "learner_midway": True,
    },
    {
        "slug": "informacionnaya-gramotnost",
        "title": "Информационная грамотность обучающихся",
        "hours": 72,
        "format": CourseFormat.BLENDED,
        "audience": CourseAudience.ALL,
        "access_mode": AccessMode.BY_MODULE,
        "topics": ["informacionnaya-gramotnost", "bibliotechnye-uroki", "proektnaya-deyatelnost"],
        "annotation": (
            "Программа повышения квалификации для педагогов-библиотекарей школ и "
            "библиотекарей колледжей: модели информационной грамотности, библиотечные уроки "
            "по поиску и оценке информации, учебные информационные проекты."
        ),
        "outcomes": (
            "<ul><li>применять модели информационной грамотности в работе с обучающимися;</li>"
            "<li>проводить библиотечные уроки по поиску и проверке источников;</li>"
            "<li>сопровождать учебные информационные проекты.</li></ul>"
        ),
        "teachers": "Кузнецова И. В., методист отдела; Ершов П. Н., преподаватель колледжа",
        "functions": ["D/02.6", "C/01.6"],
        "modules": LITERACY_LESSONS,
        "assignment": LITERACY_ASSIGNMENT,
        "learner_midway": False,
    },
]

TOPIC_NAMES = {
    "ibc": "ИБЦ",
    "normativnaya-baza": "Нормативная база",
    "professionalnoe-razvitie": "Профессиональное развитие",
    "informacionnaya-gramotnost": "Информационная грамотность",
    "bibliotechnye-uroki": "Библиотечные уроки",
    "proektnaya-deyatelnost": "Проектная деятельность",
}


def _topic(slug: str) -> Topic:
    name = TOPIC_NAMES[slug]
    topic = Topic.objects.filter(slug=slug).first() or Topic.objects.filter(name=name).first()
    return topic or Topic.objects.create(slug=slug, name=name)


def _standards() -> dict[str, LabourFunction]:
    functions = {}
    for code, title, act, rows in STANDARDS:
        standard, _created = ProfessionalStandard.objects.get_or_create(
            code=code, defaults={"title": title, "act": act}
        )
        for level, function_code, function_title in rows:
            function, _created = LabourFunction.objects.get_or_create(
                standard=standard,
                code=function_code,
                defaults={"level": level, "title": function_title},
            )
            functions[function_code] = function
    return functions


def _publish_child(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _course(index, row: dict, functions: dict[str, LabourFunction], log) -> CoursePage:
    course = CoursePage(
        title=row["title"],
        slug=row["slug"],
        hours=row["hours"],
        format=row["format"],
        audience=row["audience"],
        access_mode=row["access_mode"],
        annotation=row["annotation"],
        outcomes=row["outcomes"],
        teachers=row["teachers"],
    )
    course.topics = [_topic(slug) for slug in row["topics"]]
    course.labour_functions = [functions[code] for code in row["functions"]]
    _publish_child(index, course)

    modules = []
    for module_slug, module_title, summary, lessons in row["modules"]:
        module = _publish_child(
            course, ModulePage(title=module_title, slug=module_slug, summary=summary)
        )
        for lesson_slug, lesson_title, minutes, body in lessons:
            _publish_child(
                module,
                LessonPage(
                    title=lesson_title, slug=lesson_slug, duration_minutes=minutes, body=body
                ),
            )
        modules.append(module)

    seed_quiz(course, modules[1], log)
    assignment_slug, assignment_title, instructions = row["assignment"]
    _publish_child(
        modules[-1],
        AssignmentPage(
            title=assignment_title,
            slug=assignment_slug,
            instructions=instructions,
            is_final=True,
            file_kinds="pdf,docx,odt",
        ),
    )
    # The final module opens only after the first one is finished.
    modules[-1].prerequisites = [modules[0]]
    modules[-1].save_revision().publish()
    return course


def _users() -> dict[str, User]:
    emails = {role: email for role, email, _password in DEMO_ACCOUNTS}
    by_email = {user.email: user for user in User.objects.filter(email__in=emails.values())}
    return {role: by_email[email] for role, email in emails.items() if email in by_email}


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def _cohort(course: CoursePage, teacher: User | None) -> Cohort:
    cohort = Cohort.objects.filter(course=course).order_by("pk").first()
    if cohort is not None:
        return cohort
    today = timezone.localdate()
    now = timezone.now()
    cohort = Cohort.objects.create(
        course=course,
        title="Поток 1",
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=46),
        enrollment_opens=now - dt.timedelta(days=30),
        enrollment_closes=now + dt.timedelta(days=10),
        capacity=25,
    )
    if teacher is not None:
        cohort.teachers.add(teacher)
    quiz = QuizPage.objects.descendant_of(course).first()
    assignment = AssignmentPage.objects.descendant_of(course).filter(is_final=True).first()
    for page, due in (
        (quiz, today + dt.timedelta(days=10)),
        (assignment, cohort.ends_on - dt.timedelta(days=3)),
    ):
        if page is not None:
            CohortDeadline.objects.create(cohort=cohort, page=page, due_at=_end_of_day(due))
    return cohort


def _learner_midway(cohort: Cohort, learner: User) -> None:
    """The demo participant studies the first course: module 1 done, module 2 begun."""
    if not consent_is_active(user=learner, purpose=ConsentPurpose.PERSONAL_DATA):
        consent_grant(user=learner, purpose=ConsentPurpose.PERSONAL_DATA)
    LearnerProfile.objects.get_or_create(
        user=learner,
        defaults={
            "education_level": "higher",
            "diploma_surname": learner.last_name,
            "diploma_series": "107718",
            "diploma_number": "0456123",
            "snils": DEMO_SNILS,
            "birth_date": dt.date(1984, 3, 17),
            "sex": "F",
            "citizenship": "643",
        },
    )
    enrollment, created = Enrollment.objects.get_or_create(
        cohort=cohort,
        user=learner,
        defaults={
            "status": EnrollmentStatus.ENROLLED,
            "enrolled_at": timezone.now() - dt.timedelta(days=13),
        },
    )
    if not created:
        return
    lessons = list(LessonPage.objects.live().descendant_of(cohort.course).order_by("path"))
    for lesson in lessons[:3]:
        LessonCompletion.objects.create(enrollment=enrollment, page=lesson)


def seed(log) -> None:
    from lms.models import CourseIndexPage

    index = CourseIndexPage.objects.first()
    if index is None:
        log("  courses: no course catalogue page, skipped")
        return
    functions = _standards()
    users = _users()
    created = 0
    for row in COURSES:
        course = CoursePage.objects.child_of(index).filter(slug=row["slug"]).first()
        if course is None:
            course = _course(index, row, functions, log)
            created += 1
        cohort = _cohort(course, users.get("methodist"))
        if row["learner_midway"] and "participant" in users:
            _learner_midway(cohort, users["participant"])
    log(f"  courses: {created} demo courses added ({len(COURSES)} in the demo)")
