"""Demo consultations: answered questions published as FAQ, and a few still in the queue.

Idempotent: each demo question has a fixed form token, so a second run finds
it and changes nothing. Records are written directly (no notifications or
e-mails go out while seeding); FAQ pages go through the publishing service.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from cms.consultations.models import Question, QuestionStatus
from cms.consultations.services import question_publish_faq, question_text_anonymised
from cms.models import ConsultationIndexPage, Topic
from core.models import Membership, User

TOKEN_NAMESPACE = uuid.UUID("6f1d2c0e-4b7a-4f39-9a55-1c3e0d8b2a71")
ASKER_EMAIL = "participant@demo.ibc-portal.ru"
METHODIST_EMAIL = "methodist@demo.ibc-portal.ru"

# The same slugs and names as the content demo (cms.demo_content), whichever runs first.
TOPICS = {
    "rabota-s-fondom": "Работа с фондом",
    "normativnaya-baza": "Нормативная база",
    "informacionnaya-bezopasnost": "Информационная безопасность",
    "ibc": "ИБЦ",
    "cifrovye-resursy": "Цифровые ресурсы",
    "monitoring": "Мониторинг и отчётность",
}

# key, topic, asked (days ago), answered (days ago, None = waiting), FAQ title, question, answer
ANSWERED = [
    (
        "spisanie-uchebnikov",
        "rabota-s-fondom",
        40,
        36,
        "Как списать учебники, исключённые из федерального перечня?",
        "Здравствуйте! Я Соколова Анна Петровна, педагог-библиотекарь. В этом году из "
        "федерального перечня исключили линию учебников по технологии, а у нас в фонде их "
        "около 300 экземпляров, многие в хорошем состоянии. Можно ли их списать как "
        "устаревшие по содержанию и как правильно оформить акт? Мой телефон для связи "
        "8 (913) 555-12-34, почта sokolova.ap@example.org.",
        "Учебники, исключённые из федерального перечня, списываются по причине "
        "«устаревшие по содержанию» независимо от физического состояния.\n\n"
        "Порядок такой: приказом руководителя создаётся комиссия по списанию; комиссия "
        "составляет акт о списании с перечнем изданий (автор, название, год, количество, "
        "цена); акт утверждает руководитель, после чего экземпляры исключаются из книги "
        "суммарного учёта (часть 2) и из картотеки учебного фонда.\n\n"
        "Учебники, которые ещё можно использовать как дополнительную литературу, разрешается "
        "после списания передать в читальный зал или в классные библиотеки — об этом "
        "делается отметка в акте.",
    ),
    (
        "sverka-s-fsem",
        "normativnaya-baza",
        30,
        27,
        "Как часто сверять фонд с Федеральным списком экстремистских материалов?",
        "Подскажите, пожалуйста, с какой периодичностью школьная библиотека обязана сверять "
        "фонд с Федеральным списком экстремистских материалов и как оформлять результаты? "
        "Прокуратура при проверке спрашивала журнал сверки, а у нас его не было.",
        "Периодичность сверки устанавливает локальный акт школы (положение о библиотеке или "
        "отдельный приказ); на практике рекомендуется сверять фонд не реже одного раза в "
        "квартал, а поступления — до их постановки на учёт.\n\n"
        "Результаты оформляются записью в журнале сверки: дата, номер актуальной редакции "
        "списка на сайте Минюста России, кто проводил сверку, результат. Если издание из "
        "списка найдено, его изымают из открытого доступа, составляют акт и уничтожают "
        "в установленном порядке.\n\n"
        "Образец положения о сверке и форму журнала можно найти в разделе «Нормативные "
        "документы».",
    ),
    (
        "markirovka-436",
        "informacionnaya-bezopasnost",
        25,
        20,
        "Нужно ли маркировать по 436-ФЗ книги, полученные до 2012 года?",
        "Нам передали в дар большую подборку художественной литературы, изданной в 2000-х "
        "годах. На книгах нет знаков возрастной классификации. Нужно ли нам самим "
        "проставлять маркировку по 436-ФЗ перед выдачей ученикам и кто должен определять "
        "возрастную категорию?",
        "Требование о знаке информационной продукции распространяется на продукцию, "
        "выпущенную в оборот после 1 сентября 2012 года; издания, выпущенные раньше, "
        "дополнительно маркировать не требуется.\n\n"
        "Однако библиотека образовательной организации обязана не допускать к детям "
        "информацию, запрещённую или ограниченную для их возраста. Поэтому дары "
        "просматривают до постановки на учёт; при сомнениях издания размещают в фонде для "
        "старших классов или для педагогов. Удобно закрепить порядок приёма даров в "
        "положении о библиотеке.",
    ),
    (
        "ibc-zony",
        "ibc",
        20,
        14,
        "Какие зоны должны быть в школьном информационно-библиотечном центре?",
        "Наша школа МБОУ «СОШ № 1» планирует подавать документы на статус ИБЦ. Какие зоны "
        "обязательно должны быть в помещении и можно ли совместить читальный зал с "
        "медиатекой, если площадь всего 60 квадратных метров?",
        "Концепция развития школьных информационно-библиотечных центров называет типовые "
        "зоны: абонемент и открытый доступ к фонду, читальный зал, медиазону с рабочими "
        "местами, зону для групповой и проектной работы и зону отдыха и свободного "
        "чтения.\n\n"
        "Отдельные помещения не обязательны: при небольшой площади зоны организуются "
        "трансформируемой мебелью, и совмещение читального зала с медиазоной — обычное "
        "решение. Для экспертизы важно показать на плане, как каждая функция обеспечена, "
        "и описать режим работы центра.",
    ),
    (
        "elektronnye-uchebniki",
        "cifrovye-resursy",
        15,
        12,
        "Как учитывать электронные учебники в фонде школьной библиотеки?",
        "Школа получила доступ к электронным формам учебников на платформе издательства по "
        "лицензии на год. Нужно ли ставить их на учёт в библиотеке и как отражать в "
        "отчётах по обеспеченности учебниками?",
        "Электронные формы учебников, доступ к которым предоставлен по лицензии, не являются "
        "собственностью школы и в книгу суммарного учёта как экземпляры фонда не вносятся.\n\n"
        "Рекомендуется вести реестр сетевых удалённых ресурсов: название, издательство, "
        "реквизиты договора, срок доступа, число лицензий. В отчётах по обеспеченности "
        "электронные формы показывают отдельной строкой — они дополняют печатные учебники, "
        "но не заменяют их в расчёте обеспеченности.",
    ),
    (
        "otchet-monitoring",
        "monitoring",
        10,
        8,
        "Что считать посещением при заполнении краевого мониторинга?",
        "При заполнении формы мониторинга не понимаю, как считать посещения: учитывать ли "
        "учеников, которые пришли на библиотечный урок всем классом, и посещения "
        "электронного каталога?",
        "В краевом мониторинге посещение — это каждый приход пользователя в библиотеку, "
        "включая участие в массовых мероприятиях и библиотечных уроках: класс из 25 "
        "человек даёт 25 посещений.\n\n"
        "Обращения к электронному каталогу и сайту библиотеки учитываются отдельно, в "
        "показателе удалённых обращений, и в число посещений не входят.",
    ),
]

WAITING = [
    (
        "inventarizaciya",
        "rabota-s-fondom",
        9,
        True,
        "Как провести инвентаризацию фонда, если с прошлой проверки сменились два "
        "библиотекаря и часть документов учёта утеряна? С чего начать и нужен ли приказ?",
    ),
    (
        "polozhenie-o-biblioteke",
        "normativnaya-baza",
        3,
        False,
        "Нужно обновить положение о школьной библиотеке. Есть ли актуальный образец с учётом "
        "требований к сверке с Федеральным списком экстремистских материалов?",
    ),
    (
        "eb-dostup",
        "cifrovye-resursy",
        1,
        False,
        "Можно ли организовать для учеников доступ к электронной библиотеке с домашних "
        "компьютеров и как это согласовать с требованиями к контентной фильтрации?",
    ),
]


def _topic(slug: str) -> Topic:
    name = TOPICS[slug]
    topic = Topic.objects.filter(slug=slug).first() or Topic.objects.filter(name=name).first()
    return topic or Topic.objects.create(slug=slug, name=name)


def _token(key: str) -> uuid.UUID:
    return uuid.uuid5(TOKEN_NAMESPACE, key)


def _organisation(user: User):
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    return membership.organisation if membership else None


def seed(log) -> None:
    index = ConsultationIndexPage.objects.first()
    if index is None:
        log("  consultations: skipped, there is no consultation desk page")
        return
    asker = User.objects.filter(email=ASKER_EMAIL).first()
    methodist = User.objects.filter(email=METHODIST_EMAIL).first()
    if asker is None or methodist is None:
        log("  consultations: skipped, the demo accounts are missing")
        return
    now = timezone.now()
    organisation = _organisation(asker)
    created = published = 0
    for key, topic_slug, asked_days, answered_days, title, text, answer in ANSWERED:
        question = Question.objects.filter(client_token=_token(key)).first()
        if question is None:
            question = Question.objects.create(
                asker=asker,
                organisation=organisation,
                topic=_topic(topic_slug),
                text=text,
                client_token=_token(key),
                created=now - dt.timedelta(days=asked_days, hours=3),
                status=QuestionStatus.ANSWERED,
                assignee=methodist,
                answer=answer,
                answered_by=methodist,
                answered_at=now - dt.timedelta(days=answered_days),
            )
            created += 1
        if question.faq_page_id is None:
            question_publish_faq(
                question_id=question.pk,
                actor=methodist,
                index=index,
                title=title,
                question_text=question_text_anonymised(question),
                answer=answer,
                topic=question.topic,
                date=timezone.localdate(question.answered_at),
            )
            published += 1
    for key, topic_slug, asked_days, assigned, text in WAITING:
        _question, was_created = Question.objects.get_or_create(
            client_token=_token(key),
            defaults={
                "asker": asker,
                "organisation": organisation,
                "topic": _topic(topic_slug),
                "text": text,
                "created": now - dt.timedelta(days=asked_days, hours=2),
                "status": QuestionStatus.ASSIGNED if assigned else QuestionStatus.NEW,
                "assignee": methodist if assigned else None,
            },
        )
        created += was_created
    log(f"  consultations: {created} questions, {published} FAQ entries published")
