"""Drafts and private pages of every page type stay hidden from people without the right.

For each concrete page type of the project, one live page of the demo is
turned into a draft (unpublished), another one is put behind a sign-in
restriction; neither may be served to an anonymous visitor, listed by the
site search or appear in the sitemap.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from wagtail.models import Page, PageViewRestriction, get_page_models

from cms.models import HomePage
from core.selectors import pages_search

PROJECT_APPS = {"cms", "consultations", "association", "lms", "courses", "quizzes", "assignments"}


def _page_types():
    return [
        model
        for model in get_page_models()
        if model._meta.app_label in PROJECT_APPS and model is not HomePage
    ]


def _found_by_search(page) -> bool:
    request = RequestFactory().get("/search/")
    request.user = AnonymousUser()
    query = " ".join(page.title.split()[:3])
    return any(hit.url in (page.url, page.full_url) for hit in pages_search(request, query))


def _one_live_page(model):
    content_type = ContentType.objects.get_for_model(model)
    return (
        Page.objects.live().public().filter(content_type=content_type).order_by("pk").specific()
    ).first()


@pytest.mark.django_db
def test_unpublished_pages_of_every_type_are_not_served_or_found(client, demo_site):
    missing = [model.__name__ for model in _page_types() if _one_live_page(model) is None]
    assert missing == [], "the demo should have a live page of every type"
    for model in _page_types():
        page = _one_live_page(model)
        url = page.url
        assert client.get(url).status_code == 200, url
        assert _found_by_search(page), url
        page.unpublish()
        assert client.get(url).status_code == 404, url
        sitemap = client.get("/sitemap.xml").content.decode()
        assert f"<loc>{page.full_url}</loc>" not in sitemap, url
        assert not _found_by_search(page), url


@pytest.mark.django_db
def test_sign_in_restricted_pages_of_every_type_send_visitors_to_sign_in(client, demo_site):
    for model in _page_types():
        page = _one_live_page(model)
        url = page.url
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.LOGIN
        )
        response = client.get(url)
        assert response.status_code == 302, url
        assert page.title not in response.content.decode(), url
        assert not _found_by_search(page), url
        # Lift it again: a restricted section would hide the next types' pages below it.
        restriction.delete()
