import datetime as dt

import pytest
from defusedxml import ElementTree as ET
from django.http import Http404
from django.test import RequestFactory
from wagtail.models import PageViewRestriction

from cms.feeds import practice_feed_response
from cms.models import NewsIndexPage, NewsPage, PracticeIndexPage, PracticePage
from tests.cms.test_recommendations import (  # noqa: F401
    home,
    make_recommendation,
    rec_index,
    topics,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_URL = "https://ibc.example.org"


def publish(parent, page, *, live=True):
    if not live:
        page.live = False
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    return page


@pytest.fixture
def news_index(home):  # noqa: F811
    return publish(home, NewsIndexPage(title="Новости", slug="news"))


def rss_items(response) -> list[dict]:
    channel = ET.fromstring(response.content).find("channel")
    return [
        {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "description": item.findtext("description"),
            "author": item.findtext("{http://purl.org/dc/elements/1.1/}creator"),
            "categories": [category.text for category in item.findall("category")],
        }
        for item in channel.findall("item")
    ]


def atom_entries(response) -> list[dict]:
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_news_rss_lists_published_news_newest_first(client, news_index):
    publish(news_index, NewsPage(title="Итоги мониторинга", slug="itogi", date=dt.date(2026, 5, 1)))
    publish(
        news_index,
        NewsPage(
            title="Курсы «ИБЦ» & семинары",
            slug="kursy",
            date=dt.date(2026, 9, 1),
            summary="Открыта запись.",
        ),
    )
    publish(news_index, NewsPage(title="Черновик новости", slug="chernovik"), live=False)
    private = publish(news_index, NewsPage(title="Только для своих", slug="svoi"))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    response = client.get("/news/rss/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title").startswith("Новости")
    assert channel.findtext("link") == "https://ibc.example.org/news/"
    items = rss_items(response)
    assert [item["title"] for item in items] == ["Курсы «ИБЦ» & семинары", "Итоги мониторинга"]
    assert items[0]["link"] == "https://ibc.example.org/news/kursy/"
    assert items[0]["description"] == "Открыта запись."


def test_news_atom(client, news_index):
    publish(news_index, NewsPage(title="Пять новых ИБЦ", slug="ibc", summary="Итоги экспертизы."))
    response = client.get("/news/atom/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert atom_entries(response) == [
        {
            "title": "Пять новых ИБЦ",
            "link": "https://ibc.example.org/news/ibc/",
            "summary": "Итоги экспертизы.",
        }
    ]


def test_recommendation_feeds_carry_authors_and_topics(client, make_recommendation, topics):  # noqa: F811
    page = make_recommendation(
        title="Организация ИБЦ",
        authors="Петрова Н. А.",
        annotation="Поэтапный план.",
        topics=[topics["ibc"], topics["fond"]],
    )
    make_recommendation(title="Черновик", live=False)

    response = client.get("/recommendations/rss/")
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert rss_items(response) == [
        {
            "title": "Организация ИБЦ",
            "link": f"https://ibc.example.org{page.url}",
            "description": "Поэтапный план.",
            "author": "Петрова Н. А.",
            "categories": ["ИБЦ", "Работа с фондом"],
        }
    ]
    entries = atom_entries(client.get("/recommendations/atom/"))
    assert [entry["title"] for entry in entries] == ["Организация ИБЦ"]


def test_feed_links_use_the_request_host_without_site_url(client, settings, news_index):
    settings.SITE_URL = ""
    publish(news_index, NewsPage(title="Новость", slug="novost"))
    items = rss_items(client.get("/news/rss/", HTTP_HOST="localhost"))
    assert items[0]["link"] == "http://localhost/news/novost/"


def test_practice_feed_function_for_the_practice_index(home, rf: RequestFactory):  # noqa: F811
    index = publish(home, PracticeIndexPage(title="Лучшие практики", slug="practices"))
    publish(
        index,
        PracticePage(
            title="Библиотечный квест",
            slug="kvest",
            annotation="Квест для пятиклассников.",
            author_name="Лебедева М. Ю.",
        ),
    )
    publish(index, PracticePage(title="На модерации", slug="draft", annotation="-"), live=False)

    response = practice_feed_response(rf.get("/practices/rss/"), index, "rss")
    assert [item["title"] for item in rss_items(response)] == ["Библиотечный квест"]
    assert rss_items(response)[0]["author"] == "Лебедева М. Ю."
    response = practice_feed_response(rf.get("/practices/atom/"), index, "atom")
    assert [entry["link"] for entry in atom_entries(response)] == [
        "https://ibc.example.org/practices/kvest/"
    ]
    with pytest.raises(Http404):
        practice_feed_response(rf.get("/practices/json/"), index, "json")


def test_unknown_feed_paths_are_not_found(client, news_index):
    assert client.get("/news/feed.xml").status_code == 404
