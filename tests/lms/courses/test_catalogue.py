"""The course catalogue (``/courses/``): cards, filters, search, pagination, a fixed
number of queries, and the home page's block of courses open for enrollment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import Topic
from lms.courses.views.learning import home_courses_section
from tests.lms.courses.enrollment_helpers import course_index
from tests.lms.courses.test_access import (
    build_course,
    enroll,
    in_english,  # noqa: F401 (an autouse fixture)
    running_cohort,
)

pytestmark = pytest.mark.django_db

CATALOGUE = "/courses/"


def open_cohort(course, **fields):
    now = timezone.now()
    defaults = {
        "enrollment_opens": now - dt.timedelta(days=2),
        "enrollment_closes": now + dt.timedelta(days=5),
    }
    defaults.update(fields)
    return running_cohort(course, **defaults)


def titles(response) -> list[str]:
    return [course.title for course in response.context["page_obj"].object_list]


@pytest.fixture
def index(db):
    return course_index()


def test_cards_show_hours_format_audience_topics_and_the_nearest_cohort(client, index, make_user):
    topic = Topic.objects.create(name="Информационная грамотность", slug="ig")
    course = build_course(
        (("lesson",),), hours=72, format="blended", audience="college", title="Курс с потоком"
    )
    course.page.topics = [topic]
    course.page.save_revision().publish()
    cohort = open_cohort(course, title="Весенний поток", capacity=3)
    enroll(cohort, make_user("participant"))

    html = client.get(CATALOGUE).content.decode()

    for text in (
        "Курс с потоком",
        "72 academic hours",
        "part-time with distance learning",
        "college libraries",
        "Информационная грамотность",
        "Весенний поток",
        "2 places left",
    ):
        assert text in html, text


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("format", "blended", ["Смешанный"]),
        ("audience", "college", ["Для колледжей"]),
        ("topic", "ig", ["Для колледжей"]),
        ("format", "no-such-format", ["Дистанционный", "Смешанный", "Для колледжей"]),
    ],
)
def test_filters_by_format_audience_and_topic(client, index, param, value, expected):
    topic = Topic.objects.create(name="Информационная грамотность", slug="ig")
    build_course(title="Дистанционный", format="distance", audience="school")
    build_course(title="Смешанный", format="blended", audience="school")
    college = build_course(title="Для колледжей", format="distance", audience="college")
    college.page.topics = [topic]
    college.page.save_revision().publish()

    response = client.get(CATALOGUE, {param: value})
    assert sorted(titles(response)) == sorted(expected)


def test_open_for_enrollment_means_a_window_open_now_with_a_place_or_a_queue(
    client, index, make_user
):
    now = timezone.now()
    cases = {
        "Есть места": {"capacity": 5},
        "Без ограничения": {"capacity": None},
        "Полный, есть очередь": {"capacity": 1, "waitlist_enabled": True},
        "Полный без очереди": {"capacity": 1, "waitlist_enabled": False},
        "Запись не началась": {"enrollment_opens": now + dt.timedelta(days=1)},
        "Запись закрыта": {
            "enrollment_opens": now - dt.timedelta(days=5),
            "enrollment_closes": now - dt.timedelta(days=1),
        },
    }
    for title, fields in cases.items():
        cohort = open_cohort(build_course(title=title), **fields)
        if fields.get("capacity") == 1:
            enroll(cohort, make_user("participant"))
    build_course(title="Без потоков")

    assert sorted(titles(client.get(CATALOGUE, {"open": "1"}))) == sorted(
        ["Есть места", "Без ограничения", "Полный, есть очередь"]
    )
    assert len(titles(client.get(CATALOGUE))) == len(cases) + 1


def test_text_search_finds_courses_by_annotation(client, index):
    build_course(title="Школьный ИБЦ", annotation="Зонирование пространства библиотеки.")
    build_course(title="Грамотность", annotation="Проверка достоверности источников.")

    assert titles(client.get(CATALOGUE, {"q": "достоверности"})) == ["Грамотность"]


def test_the_catalogue_pages_by_twelve(client, index):
    for number in range(13):
        build_course(title=f"Курс {number:02d}")
    first = client.get(CATALOGUE)
    second = client.get(CATALOGUE, {"page": "2"})
    assert len(titles(first)) == 12
    assert titles(second) == ["Курс 12"]
    assert "13 courses found" in first.content.decode()


def _catalogue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CATALOGUE, {"open": "1"})
    assert response.status_code == 200
    return len(queries)


def test_the_catalogue_costs_the_same_queries_for_3_and_30_courses(
    client, index, make_user, django_assert_max_num_queries
):
    topic = Topic.objects.create(name="ИБЦ", slug="ibc")

    def add_courses(count):
        for _number in range(count):
            course = build_course((("lesson",),))
            course.page.topics = [topic]
            course.page.save_revision().publish()
            enroll(open_cohort(course, capacity=10), make_user("participant"))
            open_cohort(course, capacity=None)

    add_courses(3)
    client.get(CATALOGUE)  # warm caches
    few = _catalogue_queries(client)
    add_courses(27)
    assert _catalogue_queries(client) == few
    with django_assert_max_num_queries(20):
        client.get(CATALOGUE, {"open": "1"})


def test_home_block_lists_the_latest_courses_open_for_enrollment(index):
    request = RequestFactory().get("/")
    assert home_courses_section(request) == []

    build_course(title="Без потоков")
    for number in range(4):
        open_cohort(build_course(title=f"Открытый курс {number}"))

    [section] = home_courses_section(request)
    assert [course.title for course in section.context["courses"]] == [
        "Открытый курс 3",
        "Открытый курс 2",
        "Открытый курс 1",
    ]
    assert section.more_url == index.url
    assert all(course.nearest_cohort for course in section.context["courses"])
