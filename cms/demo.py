"""Demo pages: the home page as the site root, the section roots and a few news items."""

import datetime as dt

from wagtail.models import Page, Site

from cms.demo_content import seed_recommendations_and_documents
from cms.demo_practices import seed_practices
from cms.models import (
    AssociationIndexPage,
    ConsultationIndexPage,
    DocumentIndexPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PracticeIndexPage,
    RecommendationIndexPage,
    StandardPage,
)
from cms.services.editorial import editorial_workflow_ensure

HOME_TITLE = "Методическое сопровождение школьных библиотек и ИБЦ"
HOME_LEAD = (
    "Курсы повышения квалификации для педагогов-библиотекарей, семинары и вебинары, "
    "методические рекомендации, лучшие практики, мониторинг и экспертиза информационно-"
    "библиотечных центров школ и колледжей края."
)

SECTIONS = [
    (NewsIndexPage, "news", "Новости", {"intro": "Новости отдела и библиотечного сообщества."}),
    (RecommendationIndexPage, "recommendations", "Методические рекомендации", {}),
    (PracticeIndexPage, "practices", "Лучшие практики", {}),
    (DocumentIndexPage, "documents", "Нормативные документы", {}),
    (ConsultationIndexPage, "consultations", "Консультации", {}),
    (AssociationIndexPage, "association", "Методическое объединение библиотекарей СПО", {}),
]

NEWS = [
    (
        "Открыта запись на курсы «Школьный ИБЦ: от концепции к практике»",
        "kursy-ibc-zapis",
        dt.date(2026, 11, 20),
        "Программа повышения квалификации объёмом 36 часов для педагогов-библиотекарей.",
    ),
    (
        "Итоги краевого мониторинга школьных библиотек за 2025/26 учебный год",
        "itogi-monitoringa-2026",
        dt.date(2026, 10, 15),
        "В мониторинге участвовали библиотеки 28 школ и колледжей края.",
    ),
    (
        "Пять школ края получили статус информационно-библиотечного центра",
        "status-ibc-2026",
        dt.date(2026, 9, 1),
        "Экспертная комиссия рассмотрела материалы девяти библиотек.",
    ),
]

STANDARD_PAGES = [
    (
        "about",
        "Об отделе",
        "Отдел методического сопровождения школьных библиотек поддерживает библиотеки "
        "общеобразовательных организаций и организаций среднего профессионального образования "
        "края: обучает, консультирует, изучает и распространяет лучший опыт.",
    ),
]


def _paragraph(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def home_page() -> HomePage:
    """The site's HomePage, created as the default site's root if missing."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    # Wagtail's "Welcome" placeholder (a plain Page) gives way to our home page; deleting
    # it also removes the site pointing at it, which is recreated below.
    for placeholder in root.get_children().exact_type(Page):
        placeholder.delete()
    home = root.add_child(instance=HomePage(title=HOME_TITLE, slug="home", lead=HOME_LEAD))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="ИБЦ-портал",
        )
    else:
        site.root_page = home
        site.save(update_fields=["root_page"])
    return home


def ensure_child(parent: Page, page_type: type[Page], slug: str, **fields) -> Page:
    """The live child with ``slug`` under ``parent``, created (and published) if missing."""
    existing = parent.get_children().filter(slug=slug).specific().first()
    if existing is not None:
        return existing
    page = page_type(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def seed(log) -> None:
    home = home_page()
    sections = {}
    for page_type, slug, title, fields in SECTIONS:
        sections[slug] = ensure_child(home, page_type, slug, title=title, **fields)
    for title, slug, date, summary in NEWS:
        ensure_child(
            sections["news"],
            NewsPage,
            slug,
            title=title,
            date=date,
            summary=summary,
            body=_paragraph(summary),
        )
    for slug, title, text in STANDARD_PAGES:
        ensure_child(home, StandardPage, slug, title=title, body=_paragraph(text))
    editorial_workflow_ensure()
    seed_recommendations_and_documents(log)
    seed_practices(log)
    log(f"  pages: home, {len(SECTIONS)} sections, {len(NEWS)} news items; editorial workflow")
