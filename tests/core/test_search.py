"""Site search: Russian morphology, visibility, grouping, highlights, the empty result."""

import importlib
import itertools
import os
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import HomePage, NewsIndexPage, NewsPage, StandardPage
from core import plugins
from core.models import SearchEntry
from core.search import highlight, normalise, parse_query, stems_of

pytestmark = pytest.mark.django_db


def paragraph(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


@pytest.fixture
def home(db):
    """The site's root page, with a title no query below matches."""
    home = HomePage(title="Главная", slug="search-home")
    Page.get_first_root_node().add_child(instance=home)
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


@pytest.fixture
def news_index(home):
    index = NewsIndexPage(title="Новости", slug="news")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@pytest.fixture
def make_page(home):
    numbers = itertools.count(1)

    def make(title, text="", *, parent=None, publish=True, page_type=StandardPage, **fields):
        page = page_type(title=title, slug=f"page-{next(numbers)}", body=paragraph(text), **fields)
        if not publish:
            page.live = False
        (parent or home).add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
            page.refresh_from_db()
        return page

    return make


def found(client, query: str, **params) -> list[str]:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    results = response.context["results"]
    return [hit.title for group in results.visible for hit in group.shown]


# --- words -------------------------------------------------------------------------------------


def test_normalise_folds_case_yo_stress_marks_and_soft_hyphens():
    assert normalise("Ёлка") == "елка"
    assert normalise("библиоте\u0301ка") == "библиотека"
    assert normalise("ком\u00adпьютер") == "компьютер"
    assert normalise("Йошкар-Ола") == "йошкар-ола"  # «й» stays a letter of its own
    assert normalise("café") == "cafe"


def test_stems_cover_russian_and_english_words_and_keep_numbers():
    assert stems_of("Библиотеки школ") == stems_of("библиотека школы")
    assert stems_of("libraries 2026") == stems_of("library 2026")
    assert "2026" in stems_of("план на 2026 год")


# --- morphology and matching -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Школьная библиотека как центр чтения", "библиотеки"),
        ("Новый учебник по литературе", "учебников"),
        ("Новогодняя елка в читальном зале", "ёлка"),
        ("Новогодняя ёлка в читальном зале", "елка"),
        ("Информационно-библиотечный центр колледжа", "информационно-библиотечного"),
    ],
)
def test_any_form_of_a_word_finds_the_page(client, make_page, text, query):
    make_page("Страница", text)
    make_page("Другая страница", "Совсем о другом: расписание занятий")
    assert found(client, query) == ["Страница"]


def test_every_word_of_the_query_must_occur(client, make_page):
    make_page("Библиотека и школа", "Библиотека помогает школе.")
    make_page("Только библиотека", "Библиотека работает по субботам.")
    make_page("Только школа", "Школа открыта.")
    assert found(client, "библиотеки школ") == ["Библиотека и школа"]
    assert sorted(found(client, "библиотека")) == ["Библиотека и школа", "Только библиотека"]


def test_the_last_word_also_matches_as_a_prefix(client, make_page):
    make_page("Фонд", "Комплектование фонда школьной библиотеки")
    assert found(client, "библиот") == ["Фонд"]
    assert found(client, "библиот фонд") == []  # only the last word is a prefix
    assert found(client, "фонд библиот") == ["Фонд"]


def test_title_matches_rank_first(client, make_page):
    make_page("Расписание", "Консультации по вопросам библиотеки проходят по средам.")
    make_page("Библиотека колледжа", "Часы работы и контакты.")
    assert found(client, "библиотека") == ["Библиотека колледжа", "Расписание"]


def test_every_searchable_field_of_the_page_type_is_indexed(client, news_index, make_page):
    make_page(
        "Итоги года",
        "Текст новости.",
        parent=news_index,
        page_type=NewsPage,
        summary="Подведены итоги краевого конкурса чтецов.",
    )
    assert found(client, "конкурсы чтецов") == ["Итоги года"]


# --- what must never be found ------------------------------------------------------------------


def test_drafts_and_unpublished_changes_are_not_searchable(client, make_page):
    make_page("Черновик", "Секретный проект положения", publish=False)
    page = make_page("Опубликованная", "Обычный текст о библиотеке")
    page.body = paragraph("Неопубликованная правка про секретный проект")
    page.save_revision()  # a draft of a live page: the live text stays what is indexed
    assert found(client, "секретный проект") == []
    assert found(client, "библиотека") == ["Опубликованная"]

    page.get_latest_revision().publish()
    assert found(client, "секретный проект") == ["Опубликованная"]


def test_unpublishing_removes_the_page_and_deleting_drops_its_entry(client, make_page):
    page = make_page("Положение о конкурсе", "Конкурс библиотечных проектов")
    assert found(client, "конкурс") == ["Положение о конкурсе"]
    page.unpublish()
    assert found(client, "конкурс") == []
    assert not SearchEntry.objects.filter(page=page).exists()

    other = make_page("Другое положение", "Конкурс чтецов")
    other.delete()
    assert not SearchEntry.objects.filter(page_id=other.pk).exists()


def test_pages_under_a_view_restriction_are_not_searchable(client, make_page):
    section = make_page("Закрытый раздел", "Материалы для членов объединения")
    make_page("Протокол заседания", "Протокол методического объединения", parent=section)
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Члены объединения"))
    assert found(client, "протокол") == []
    assert found(client, "объединения") == []
    restriction.delete()
    assert found(client, "протокол") == ["Протокол заседания"]


# --- the results page --------------------------------------------------------------------------


def test_results_are_grouped_by_page_type_with_counts_and_a_type_filter(
    client, news_index, make_page
):
    for number in range(12):
        make_page(f"Новость {number}", "Библиотека", parent=news_index, page_type=NewsPage)
    make_page("О библиотеке", "Библиотека отдела")
    response = client.get("/search/", {"q": "библиотека"})
    results = response.context["results"]
    groups = {group.key: group for group in results.groups}
    assert set(groups) == {"cms.newspage", "cms.standardpage"}
    assert groups["cms.newspage"].kind == str(NewsPage._meta.verbose_name_plural)
    assert (groups["cms.newspage"].count, len(groups["cms.newspage"].shown)) == (12, 10)
    html = response.content.decode()
    assert f"?{urlencode({'q': 'библиотека'})}&amp;type=cms.newspage" in html

    filtered = client.get("/search/", {"q": "библиотека", "type": "cms.newspage"})
    visible = filtered.context["results"].visible
    assert [group.key for group in visible] == ["cms.newspage"]
    assert len(visible[0].shown) == 12
    # An unknown type is ignored rather than hiding everything.
    assert len(found(client, "библиотека", type="nope.nothing")) == 11


def test_highlight_marks_matches_and_escapes_page_text(client, make_page):
    make_page("Заметка", "Пример &lt;script&gt;alert(1)&lt;/script&gt; для школьной библиотеки")
    html = client.get("/search/", {"q": "библиотека"}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>библиотеки</mark>" in html


def test_highlight_cuts_an_excerpt_around_the_first_match():
    text = "Вступление. " * 60 + "Здесь про <b>библиотеки</b> края. " + "Хвост. " * 60
    excerpt = highlight(text, parse_query("библиотека"), length=120)
    assert excerpt.startswith("… ") and excerpt.endswith(" …")
    assert "&lt;b&gt;<mark>библиотеки</mark>&lt;/b&gt;" in excerpt
    assert len(excerpt) < 200


def test_nothing_found_suggests_sections_fewer_words_and_types(client, demo_site):
    response = client.get("/search/", {"q": "<b>квазиэлектрон</b>"})
    html = response.content.decode()
    assert response.context["results"].total == 0
    assert "&lt;b&gt;квазиэлектрон&lt;/b&gt;" in html and "<b>квазиэлектрон" not in html
    q = urlencode({"q": "<b>квазиэлектрон</b>"})
    for section in ("/recommendations/", "/documents/", "/practices/", "/events/"):
        assert f'href="{section}?{q}"' in html, section
    assert "fewer words" in html or "меньше слов" in html
    assert str(NewsPage._meta.verbose_name_plural) in html


def test_the_query_is_capped_and_the_page_is_not_for_robots(client, db):
    response = client.get("/search/", {"q": "а" * 500})
    assert response.context["query"] == "а" * 200
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "Disallow: /search/" in client.get("/robots.txt").content.decode()


def test_query_count_does_not_grow_with_the_results(
    client, make_page, django_assert_max_num_queries
):
    for number in range(10):
        make_page(f"Методичка {number}", "Работа школьной библиотеки")
    client.get("/search/", {"q": "библиотека"})  # warm the site and content-type caches
    with CaptureQueriesContext(connection) as ten:
        assert len(found(client, "библиотека")) == 10
    for number in range(30):
        make_page(f"Пособие {number}", "Работа школьной библиотеки")
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert len(found(client, "библиотека", type="cms.standardpage")) == 40


# --- keeping the index ---------------------------------------------------------------------------


def test_rebuild_command_restores_the_index(client, make_page):
    make_page("Каталогизация", "Описание изданий")
    make_page("Черновик каталога", "Описание изданий", publish=False)
    SearchEntry.objects.all().delete()
    assert found(client, "каталогизация") == []
    call_command("rebuild_search_index", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert found(client, "описание изданий") == ["Каталогизация"]


@pytest.fixture
def plugins_enabled(settings):
    """Switch plugins on/off the way PORTAL_PLUGINS does, rebuilding the URLconf."""
    import config.urls

    def switch(enabled: list[str]):
        settings.PORTAL_PLUGINS = enabled
        importlib.reload(config.urls)
        clear_url_caches()

    yield switch
    settings.PORTAL_PLUGINS = list(settings.ALL_PLUGINS)
    importlib.reload(config.urls)
    clear_url_caches()


def test_pages_of_a_disabled_plugin_are_not_found(client, demo_site, plugins_enabled, settings):
    lms = next(plugin for plugin in plugins.all_plugins() if plugin.label == "lms")
    labels = {lms.label, *lms.sub_app_labels}
    entry = SearchEntry.objects.filter(page__content_type__app_label__in=labels).first()
    assert entry is not None, "the demo has lms pages"
    assert entry.title in found(client, entry.title)
    plugins_enabled([label for label in settings.ALL_PLUGINS if label != "lms"])
    assert entry.title not in found(client, entry.title)
    types = dict(client.get("/search/").context["types"])
    assert not {key for key in types if key.split(".")[0] in labels}
