"""Demo topics, methodological recommendations and normative documents.

Called from ``cms.demo.seed`` after the section pages exist. Idempotent: topics
are found by slug, pages by slug under their section, files by title in their
collection, so a second run creates nothing.

The federal acts are real (title, number, date and issuing body as published);
the regional and department documents are invented for the demo.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection

from cms.models import (
    DocumentIndexPage,
    NormativeDocumentPage,
    RecommendationAttachment,
    RecommendationIndexPage,
    RecommendationPage,
    Topic,
)

COLLECTION_NAME = "Методические материалы"

TOPICS = [
    ("ibc", "ИБЦ"),
    ("informacionnaya-gramotnost", "Информационная грамотность"),
    ("prodvizhenie-chteniya", "Продвижение чтения"),
    ("rabota-s-fondom", "Работа с фондом"),
    ("normativnaya-baza", "Нормативная база"),
    ("mediagramotnost", "Медиаграмотность"),
    ("informacionnaya-bezopasnost", "Информационная безопасность"),
    ("bibliotechnye-uroki", "Библиотечные уроки"),
    ("kraevedenie", "Краеведение"),
    ("cifrovye-resursy", "Цифровые ресурсы"),
    ("proektnaya-deyatelnost", "Проектная деятельность"),
    ("monitoring", "Мониторинг и отчётность"),
    ("professionalnoe-razvitie", "Профессиональное развитие"),
    ("rabota-s-roditelyami", "Работа с родителями"),
]


def _heading(text: str) -> dict:
    return {"type": "heading", "value": {"text": text, "level": "h2"}}


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


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


# slug, title, kind, audience, year, authors, annotation, topics, tags, body, pdf title
RECOMMENDATIONS = [
    (
        "organizaciya-ibc",
        "Организация информационно-библиотечного центра в общеобразовательной организации",
        "recommendations",
        "school",
        2024,
        "Петрова Н. А., методист отдела; Смирнова О. В., заведующая отделом",
        "Рекомендации описывают, как поэтапно превратить школьную библиотеку в "
        "информационно-библиотечный центр: от анализа ресурсов и зонирования пространства "
        "до изменения локальных актов. Приведены примерная структура зон ИБЦ, перечень "
        "документов и типичные ошибки, которые мы видим при экспертизе материалов школ.",
        ["ibc", "normativnaya-baza"],
        ["зонирование", "локальные акты"],
        [
            _heading("С чего начать"),
            _paragraph(
                "Начните с самообследования: оцените фонд, площади, оборудование и кадры. "
                "Итоги оформите аналитической справкой и обсудите на педагогическом совете: "
                "ИБЦ создаётся решением школы, а не одной библиотеки."
            ),
            _heading("Зоны информационно-библиотечного центра"),
            _paragraph(
                "Концепция развития школьных ИБЦ предлагает гибкое пространство. Ниже — "
                "минимальный набор зон, который мы рекомендуем предусмотреть даже в небольшой "
                "школе."
            ),
            _table(
                "Примерная структура зон ИБЦ",
                [
                    ["Зона", "Назначение", "Минимальное оснащение"],
                    ["Абонемент", "Выдача и возврат документов", "Стойка, АРМ библиотекаря"],
                    ["Читальный зал", "Индивидуальная работа", "12–15 посадочных мест"],
                    ["Медиазона", "Работа с цифровыми ресурсами", "4–6 компьютеров, проектор"],
                    ["Зона коворкинга", "Групповые проекты", "Мобильная мебель, флипчарт"],
                    ["Зона отдыха", "Свободное чтение", "Пуфы, стеллажи открытого доступа"],
                ],
            ),
            _heading("Локальные акты"),
            _paragraph(
                "Обновите положение о библиотеке, правила пользования и должностные "
                "инструкции. В положение об ИБЦ включите цели, функции, порядок работы зон и "
                "порядок взаимодействия с педагогами."
            ),
        ],
        "Организация ИБЦ: приложения",
    ),
    (
        "informacionnaya-gramotnost-5-9",
        "Формирование информационной грамотности обучающихся 5–9 классов",
        "recommendations",
        "school",
        2025,
        "Кузнецова Е. П., методист отдела",
        "В рекомендациях собраны приёмы, которые помогают подросткам искать, оценивать и "
        "использовать информацию. Материал связан с требованиями ФГОС ООО к метапредметным "
        "результатам. Для каждого класса предложены темы занятий и критерии оценки.",
        ["informacionnaya-gramotnost", "mediagramotnost", "bibliotechnye-uroki"],
        ["ФГОС", "поиск информации"],
        [
            _heading("Зачем библиотеке этим заниматься"),
            _paragraph(
                "Информационная грамотность — метапредметный результат, за который отвечают "
                "все педагоги. Педагог-библиотекарь может взять на себя систематическое "
                "обучение поиску и оценке источников."
            ),
            _heading("Темы занятий по классам"),
            _table(
                "Примерные темы",
                [
                    ["Класс", "Тема", "Результат"],
                    ["5", "Как устроена библиотека и каталог", "Находит книгу по каталогу"],
                    ["6", "Справочные издания", "Выбирает подходящий словарь"],
                    ["7", "Поиск в интернете", "Формулирует поисковый запрос"],
                    ["8", "Проверка достоверности", "Сравнивает два источника"],
                    ["9", "Оформление списка литературы", "Оформляет ссылки по ГОСТ"],
                ],
            ),
        ],
        "Информационная грамотность: сценарии занятий",
    ),
    (
        "prodvizhenie-chteniya-v-kolledzhe",
        "Продвижение чтения в колледже: форматы работы со студентами",
        "manual",
        "college",
        2023,
        "Воронина Т. С., руководитель методического объединения библиотекарей СПО",
        "Пособие рассказывает о форматах, которые работают со студентами колледжей: "
        "буккроссинг, читательские клубы по профессии, медиапроекты. Каждый формат описан "
        "с примерами из библиотек колледжей края.",
        ["prodvizhenie-chteniya", "proektnaya-deyatelnost"],
        ["студенты", "читательский клуб"],
        [
            _heading("Чтение и профессия"),
            _paragraph(
                "Студента легче увлечь книгой, связанной с будущей профессией: биографии "
                "инженеров, производственные романы, научно-популярная литература."
            ),
            _heading("Читательский клуб"),
            _paragraph(
                "Встречи раз в месяц, одна книга, модератор из числа студентов. Библиотекарь "
                "подбирает книги и помогает с обсуждением, но не ведёт его сам."
            ),
        ],
        "",
    ),
    (
        "uchet-fonda",
        "Учёт и списание документов библиотечного фонда школы",
        "recommendations",
        "all",
        2022,
        "Морозова И. Г., методист отдела",
        "Рекомендации разъясняют порядок учёта документов, входящих в библиотечный фонд, и "
        "их списания. Приведены формы учётных документов и порядок работы комиссии по "
        "списанию. Материал подходит и для школ, и для колледжей.",
        ["rabota-s-fondom", "normativnaya-baza"],
        ["учёт фонда", "списание"],
        [
            _heading("Документы учёта"),
            _table(
                "Документы индивидуального и суммарного учёта",
                [
                    ["Документ", "Что учитывает", "Срок хранения"],
                    ["Книга суммарного учёта", "Поступление и выбытие партий", "Постоянно"],
                    ["Инвентарная книга", "Каждый экземпляр", "Постоянно"],
                    ["Тетрадь учёта изданий, принятых взамен утерянных", "Замены", "5 лет"],
                    ["Акт о списании", "Выбывшие экземпляры", "Постоянно"],
                ],
            ),
            _heading("Списание"),
            _paragraph(
                "Списание оформляется актом комиссии, утверждённым руководителем "
                "организации. Ветхие и устаревшие по содержанию издания списываются отдельными "
                "актами."
            ),
        ],
        "Формы учётных документов",
    ),
    (
        "ekstremistskie-materialy-pamyatka",
        "Памятка: сверка фонда с Федеральным списком экстремистских материалов",
        "memo",
        "all",
        2025,
        "Петрова Н. А., методист отдела",
        "Памятка напоминает, как часто и как проводить сверку фонда с Федеральным списком "
        "экстремистских материалов и как оформить её результаты. Она поможет подготовиться к "
        "проверке прокуратуры.",
        ["rabota-s-fondom", "informacionnaya-bezopasnost", "normativnaya-baza"],
        ["сверка фонда"],
        [
            _heading("Порядок сверки"),
            _paragraph(
                "Сверку проводят не реже одного раза в квартал; результаты фиксируют в журнале "
                "сверки. Обнаруженные издания изымают из открытого доступа по акту."
            ),
            _paragraph(
                "Не забудьте проверить и электронные ресурсы: сайт, подборки ссылок, "
                "компьютеры в читальном зале с контент-фильтрацией."
            ),
        ],
        "",
    ),
    (
        "vozrastnaya-markirovka",
        "Возрастная маркировка информационной продукции в школьной библиотеке",
        "memo",
        "school",
        2023,
        "Кузнецова Е. П., методист отдела",
        "Кратко о том, какие знаки возрастной классификации бывают, на какие издания они "
        "ставятся и как расставить фонд в открытом доступе с учётом возраста читателей.",
        ["informacionnaya-bezopasnost", "rabota-s-fondom"],
        ["436-ФЗ", "маркировка"],
        [
            _heading("Знаки возрастной классификации"),
            _paragraph("0+, 6+, 12+, 16+ и 18+. Знак ставит производитель или распространитель."),
            _paragraph(
                "Издания с маркировкой 16+ и 18+ не размещают в зоне открытого доступа для "
                "младших школьников."
            ),
        ],
        "",
    ),
    (
        "bibliotechnye-uroki-nachalnaya-shkola",
        "Библиотечные уроки в начальной школе: сборник сценариев",
        "collection",
        "school",
        2024,
        "Составители: Семёнова А. Д., Лебедева М. Ю.; под ред. Смирновой О. В.",
        "Сборник включает двенадцать сценариев библиотечных уроков для 1–4 классов, "
        "подготовленных педагогами-библиотекарями школ края. Сценарии прошли апробацию и "
        "сопровождаются раздаточными материалами.",
        ["bibliotechnye-uroki", "prodvizhenie-chteniya"],
        ["начальная школа", "сценарии"],
        [
            _heading("Как пользоваться сборником"),
            _paragraph(
                "Сценарии расположены по классам. Каждый содержит цель, необходимое "
                "оборудование, ход занятия и вопросы для рефлексии."
            ),
        ],
        "Сборник сценариев библиотечных уроков",
    ),
    (
        "kraevedcheskaya-rabota",
        "Краеведческая работа школьной библиотеки",
        "manual",
        "school",
        2022,
        "Лебедева М. Ю., педагог-библиотекарь, МБОУ «СОШ № 12»",
        "Пособие о том, как собрать краеведческий фонд, вести картотеку и вовлекать учеников "
        "в исследовательские проекты о родном крае. Приведены примеры виртуальных выставок и "
        "экскурсий.",
        ["kraevedenie", "proektnaya-deyatelnost"],
        ["краеведческий фонд"],
        [
            _heading("Краеведческий фонд"),
            _paragraph(
                "Включает издания о крае, документы местных авторов, периодику, фотоархив и "
                "материалы школьного музея."
            ),
        ],
        "",
    ),
    (
        "cifrovye-servisy-ibc",
        "Электронные ресурсы и цифровые сервисы ИБЦ",
        "recommendations",
        "all",
        2026,
        "Орлов Д. В., методист отдела",
        "Обзор электронных ресурсов, доступных школам и колледжам края, и рекомендации по их "
        "подключению. Отдельный раздел посвящён электронному каталогу и сайту библиотеки.",
        ["cifrovye-resursy", "ibc"],
        ["электронный каталог", "НЭБ"],
        [
            _heading("Электронный каталог"),
            _paragraph(
                "Каталог должен быть доступен читателям из любой точки школы и из дома. "
                "Выберите АБИС, которая поддерживает обмен записями в формате RUSMARC."
            ),
            _heading("Сайт библиотеки"),
            _paragraph(
                "Раздел сайта школы о библиотеке — это режим работы, правила, новости и ссылки "
                "на электронные ресурсы. Обновляйте его хотя бы раз в месяц."
            ),
        ],
        "",
    ),
    (
        "luchshie-praktiki-kolledzhej",
        "Библиотеки колледжей края: сборник практик",
        "collection",
        "college",
        2025,
        "Составитель: Воронина Т. С.",
        "В сборник вошли описания девяти практик библиотек профессиональных образовательных "
        "организаций края, представленных на заседаниях методического объединения. Практики "
        "сгруппированы по направлениям работы.",
        ["professionalnoe-razvitie", "prodvizhenie-chteniya"],
        ["СПО", "опыт"],
        [
            _heading("Направления"),
            _paragraph(
                "Профориентационные проекты, адаптация первокурсников, медиапроекты, волонтёрство."
            ),
        ],
        "Сборник практик библиотек СПО",
    ),
    (
        "monitoring-forma-pamyatka",
        "Как заполнить форму мониторинга деятельности школьной библиотеки",
        "memo",
        "all",
        2026,
        "Орлов Д. В., методист отдела",
        "Памятка поясняет показатели формы мониторинга и типичные ошибки при её заполнении. "
        "Подготовлена по итогам проверки форм за прошлый учебный год.",
        ["monitoring"],
        ["мониторинг"],
        [
            _heading("Частые ошибки"),
            _paragraph(
                "Объём фонда указывают в экземплярах, а не в названиях. Число читателей — на "
                "отчётную дату, без повторов."
            ),
        ],
        "",
    ),
    (
        "biblioteka-i-pedagogi",
        "Взаимодействие библиотеки с педагогами в проектной деятельности",
        "manual",
        "all",
        2024,
        "Смирнова О. В., заведующая отделом; Кузнецова Е. П., методист отдела",
        "Пособие показывает, как педагог-библиотекарь становится партнёром учителя в "
        "индивидуальных проектах: подбор источников, консультации по поиску, оформление "
        "списка литературы. Есть примеры совместных планов.",
        ["proektnaya-deyatelnost", "informacionnaya-gramotnost", "rabota-s-roditelyami"],
        ["индивидуальный проект"],
        [
            _heading("Роль библиотекаря"),
            _paragraph(
                "Консультирует по поиску источников, учит оценивать их достоверность, помогает "
                "оформить библиографический список."
            ),
        ],
        "",
    ),
]

FEDERAL_URL = "http://pravo.gov.ru/"
FEDERAL_ASSEMBLY = "Федеральное Собрание Российской Федерации"
REGIONAL_MINISTRY = "Министерство образования края"
DEPARTMENT = "Отдел методического сопровождения школьных библиотек"

# slug, title, doc_type, level, number, date, issuing body, status, official url, summary
DOCUMENTS = [
    (
        "273-fz",
        "Федеральный закон «Об образовании в Российской Федерации»",
        "federal_law",
        "federal",
        "273-ФЗ",
        dt.date(2012, 12, 29),
        FEDERAL_ASSEMBLY,
        "in_force",
        FEDERAL_URL,
        "Основной закон об образовании. Статья 35 закрепляет право обучающихся на "
        "бесплатное пользование учебниками и учебными пособиями, а статья 18 — требования "
        "к библиотечному фонду образовательной организации.",
    ),
    (
        "78-fz",
        "Федеральный закон «О библиотечном деле»",
        "federal_law",
        "federal",
        "78-ФЗ",
        dt.date(1994, 12, 29),
        FEDERAL_ASSEMBLY,
        "in_force",
        FEDERAL_URL,
        "Устанавливает принципы деятельности библиотек, права пользователей библиотек и "
        "обязанности библиотек перед ними.",
    ),
    (
        "77-fz",
        "Федеральный закон «Об обязательном экземпляре документов»",
        "federal_law",
        "federal",
        "77-ФЗ",
        dt.date(1994, 12, 29),
        FEDERAL_ASSEMBLY,
        "in_force",
        FEDERAL_URL,
        "Определяет виды обязательного экземпляра и порядок его доставки.",
    ),
    (
        "436-fz",
        "Федеральный закон «О защите детей от информации, причиняющей вред их здоровью и развитию»",
        "federal_law",
        "federal",
        "436-ФЗ",
        dt.date(2010, 12, 29),
        FEDERAL_ASSEMBLY,
        "in_force",
        FEDERAL_URL,
        "Вводит возрастную классификацию информационной продукции и знаки 0+, 6+, 12+, 16+, "
        "18+; определяет требования к обороту продукции среди детей.",
    ),
    (
        "114-fz",
        "Федеральный закон «О противодействии экстремистской деятельности»",
        "federal_law",
        "federal",
        "114-ФЗ",
        dt.date(2002, 7, 25),
        FEDERAL_ASSEMBLY,
        "in_force",
        FEDERAL_URL,
        "Статья 13 запрещает распространять экстремистские материалы и вводит Федеральный "
        "список экстремистских материалов; библиотеки регулярно сверяют с ним свой фонд.",
    ),
    (
        "152-fz",
        "Федеральный закон «О персональных данных»",
        "federal_law",
        "federal",
        "152-ФЗ",
        dt.date(2006, 7, 27),
        FEDERAL_ASSEMBLY,
        "in_force",
        FEDERAL_URL,
        "Регулирует обработку персональных данных читателей: согласие, сроки хранения "
        "читательских формуляров, меры защиты.",
    ),
    (
        "149-fz",
        "Федеральный закон «Об информации, информационных технологиях и о защите информации»",
        "federal_law",
        "federal",
        "149-ФЗ",
        dt.date(2006, 7, 27),
        FEDERAL_ASSEMBLY,
        "in_force",
        FEDERAL_URL,
        "Общие правила доступа к информации и её распространения в сети Интернет.",
    ),
    (
        "koncepciya-ibc-715",
        "Об утверждении Концепции развития школьных информационно-библиотечных центров",
        "order",
        "federal",
        "715",
        dt.date(2016, 6, 15),
        "Министерство образования и науки Российской Федерации",
        "in_force",
        FEDERAL_URL,
        "Приказ утверждает Концепцию: цели и задачи развития школьных библиотек как "
        "информационно-библиотечных центров, их функции и ожидаемые результаты.",
    ),
    (
        "gost-r-7-0-100-2018",
        "ГОСТ Р 7.0.100–2018 «Библиографическая запись. Библиографическое описание. Общие "
        "требования и правила составления»",
        "standard",
        "federal",
        "ГОСТ Р 7.0.100–2018",
        dt.date(2018, 12, 3),
        "Федеральное агентство по техническому регулированию и метрологии",
        "in_force",
        "",
        "Действующий стандарт библиографического описания; по нему оформляют списки "
        "литературы и каталожные записи.",
    ),
    (
        "prikaz-monitoring-2023",
        "О проведении краевого мониторинга деятельности школьных библиотек",
        "order",
        "regional",
        "412-о",
        dt.date(2023, 3, 14),
        REGIONAL_MINISTRY,
        "in_force",
        "",
        "Устанавливает ежегодный мониторинг библиотек общеобразовательных организаций и "
        "организаций СПО края; оператор — отдел методического сопровождения.",
    ),
    (
        "prikaz-monitoring-2018",
        "Об организации мониторинга школьных библиотек",
        "order",
        "regional",
        "1120",
        dt.date(2018, 9, 10),
        REGIONAL_MINISTRY,
        "repealed",
        "",
        "Утратил силу в связи с изданием приказа от 14.03.2023 № 412-о.",
    ),
    (
        "polozhenie-konkurs-ibc",
        "Положение о краевом конкурсе «Лучший информационно-библиотечный центр»",
        "regulation",
        "department",
        "",
        dt.date(2025, 1, 20),
        DEPARTMENT,
        "in_force",
        "",
        "Порядок проведения конкурса, требования к материалам и критерии оценки.",
    ),
    (
        "polozhenie-konkurs-biblioteka-2019",
        "Положение о краевом конкурсе «Лучшая школьная библиотека»",
        "regulation",
        "department",
        "",
        dt.date(2019, 2, 1),
        DEPARTMENT,
        "repealed",
        "",
        "Утратило силу: конкурс заменён конкурсом «Лучший информационно-библиотечный центр».",
    ),
    (
        "polozhenie-mo-spo",
        "Положение о методическом объединении библиотекарей профессиональных образовательных "
        "организаций края",
        "regulation",
        "department",
        "",
        dt.date(2024, 9, 2),
        DEPARTMENT,
        "in_force",
        "",
        "Цели, состав и порядок работы методического объединения, периодичность заседаний.",
    ),
]

TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            *("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n"),
            *("o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", ""),
            *("e", "iu", "ia"),
        ],
        strict=True,
    )
)


def _latin(text: str) -> str:
    """A Latin transliteration: PDF's standard fonts carry no Cyrillic glyphs."""
    out = []
    for char in text:
        lower = char.lower()
        latin = TRANSLIT.get(lower)
        if latin is None:
            out.append(char if char.isascii() else " ")
        else:
            out.append(latin.capitalize() if char != lower else latin)
    return " ".join("".join(out).split())


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(lines: list[str]) -> bytes:
    """A valid one-page PDF (A4, Helvetica) showing ``lines``, with a correct xref table."""
    shown = " ".join(f"({_pdf_escape(_latin(line))}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 16 TL 56 780 Td {shown} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)


def _collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=COLLECTION_NAME).first()
    return existing or root.add_child(name=COLLECTION_NAME)


def _pdf_document(title: str, filename: str, lines: list[str]):
    Document = get_document_model()
    collection = _collection()
    document = Document.objects.filter(title=title, collection=collection).first()
    if document is None:
        content = pdf_bytes(lines)
        document = Document(
            title=title,
            collection=collection,
            file_size=len(content),
            file_hash=hashlib.sha1(content, usedforsecurity=False).hexdigest(),
        )
        document.file.save(filename, ContentFile(content), save=False)
        document.save()
    return document


def _topics() -> dict[str, Topic]:
    # Other demo modules (consultations) may have created some of these topics already.
    topics = {}
    for order, (slug, name) in enumerate(TOPICS, start=1):
        topics[slug] = (
            Topic.objects.filter(slug=slug).first()
            or Topic.objects.filter(name=name).first()
            or Topic.objects.create(slug=slug, name=name, sort_order=order * 10)
        )
    return topics


def _recommendation(index, topics, row) -> bool:
    slug, title, kind, audience, year, authors, annotation, topic_slugs, tags, body, pdf = row
    if index.get_children().filter(slug=slug).exists():
        return False
    attachments = []
    if pdf:
        document = _pdf_document(
            pdf,
            f"{slug}.pdf",
            [title, authors, f"{year}", "", "IBC portal: demo file."],
        )
        attachments.append(RecommendationAttachment(document=document))
    page = RecommendationPage(
        slug=slug,
        title=title,
        kind=kind,
        audience=audience,
        year=year,
        authors=authors,
        annotation=annotation,
        body=body,
        topics=[topics[topic] for topic in topic_slugs],
        attachments=attachments,
        first_published_at=timezone.make_aware(dt.datetime(year, 3, 1, 10, 0)),
    )
    page.tags.add(*tags)
    index.add_child(instance=page)
    page.save_revision().publish()
    return True


def seed_recommendations_and_documents(log) -> None:
    # Imported here: cms.demo calls this function and may import this module at its top.
    from cms.demo import ensure_child

    topics = _topics()
    created = 0
    recommendations = RecommendationIndexPage.objects.first()
    if recommendations is not None:
        for row in RECOMMENDATIONS:
            created += _recommendation(recommendations, topics, row)
    documents = DocumentIndexPage.objects.first()
    if documents is not None:
        for slug, title, doc_type, level, number, date, body, status, url, summary in DOCUMENTS:
            ensure_child(
                documents,
                NormativeDocumentPage,
                slug,
                title=title,
                doc_type=doc_type,
                level=level,
                number=number,
                date=date,
                issuing_body=body,
                status=status,
                official_url=url,
                summary=summary,
            )
    log(
        f"  recommendations: {len(TOPICS)} topics, {len(RECOMMENDATIONS)} recommendations "
        f"({created} new), {len(DOCUMENTS)} normative documents"
    )
