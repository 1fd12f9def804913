import json

import pytest
from defusedxml import ElementTree as ET
from django.urls import reverse

from core.accessibility import COOKIE_NAME, A11ySettings

pytestmark = pytest.mark.django_db


def test_home_page_renders_sections_from_the_registry(client, demo_site):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Методическое сопровождение школьных библиотек и ИБЦ" in html
    assert 'href="#main"' in html  # skip link
    assert "Пять школ края получили статус" in html  # news section from cms


def test_cabinet_redirects_anonymous_to_login(client, db):
    response = client.get("/cabinet/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/cabinet/"


def test_cabinet_shows_sections_for_the_user(client, demo_site, make_user):
    user = make_user("participant", last_name="Орлова", first_name="Нина", patronymic="Павловна")
    client.force_login(user)
    html = client.get("/cabinet/").content.decode()
    assert "Орлова Нина Павловна" in html
    assert 'id="cabinet-profile"' in html
    assert 'id="cabinet-monitoring"' in html
    assert 'id="cabinet-dashboard"' not in html


def test_dashboard_only_for_head_of_department(client, demo_site, make_user):
    client.force_login(make_user("participant"))
    response = client.get("/cabinet/dashboard/")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode() or "Доступ" in response.content.decode()
    client.force_login(make_user("head"))
    response = client.get("/cabinet/dashboard/")
    assert response.status_code == 200
    summary = response.context["widgets"][0].context["summary"]
    assert summary["organisations"] == 30
    assert summary["ibc"] == 6


def test_healthz_reports_each_component(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_503_when_a_component_is_down(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "error"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_custom_404_page(client, demo_site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'id="main"' in response.content.decode()


def test_robots_and_sitemap(client, demo_site):
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in root.findall("s:url/s:loc", namespace)]
    assert any(loc.endswith("/news/") for loc in locations)
    assert any(loc.endswith("/courses/") for loc in locations)


def test_search_finds_pages_and_escapes_the_query(client, demo_site):
    response = client.get("/search/", {"q": "мониторинга"})
    html = response.content.decode()
    assert "/news/itogi-monitoringa-2026/" in html
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


def test_english_interface_is_available(client, demo_site):
    client.cookies["django_language"] = "en"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en"' in html
    assert "Forgot your password?" in html


def test_russian_is_the_default_language(client, demo_site):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="ru"' in html
    assert "Забыли пароль?" in html


def test_low_vision_settings_work_without_javascript(client, demo_site):
    response = client.post(reverse("core:accessibility"), {"action": "reset", "next": "/news/"})
    assert response.status_code == 302 and response.url == "/news/"
    assert A11ySettings.from_cookie(response.cookies[COOKIE_NAME].value).enabled
    response = client.post(reverse("core:accessibility"), {"cs": "blue", "next": "/"})
    response = client.post(reverse("core:accessibility"), {"action": "bigger", "next": "/"})
    response = client.post(reverse("core:accessibility"), {"img": "off", "next": "/"})
    html = client.get("/").content.decode()
    assert "a11y-cs-blue" in html and "a11y-fs-2" in html and "a11y-img-off" in html
    response = client.post(
        reverse("core:accessibility"), {"action": "disable", "next": "https://evil.example/"}
    )
    assert response.url == "/"
    assert 'class=""' in client.get("/").content.decode().split("<head>")[0]


def test_low_vision_cookie_ignores_garbage():
    settings = A11ySettings.from_cookie("on:1|fs:99|cs:<script>|img:off|ls:x|garbage")
    assert settings.enabled
    assert settings.font_size == 1 and settings.scheme == "bw" and settings.images == "off"
    assert "<" not in settings.html_classes


def test_organisation_list_has_no_n_plus_one(client, demo_site, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/organisations/")
    assert response.status_code == 200
    assert len(response.context["page"]) == 30


def test_organisation_filters_and_bad_input(client, demo_site):
    from core.models import District

    district = District.objects.get(name="Озёрный муниципальный район")
    response = client.get("/organisations/", {"district": district.pk, "kind": "school"})
    names = [o.name for o in response.context["page"]]
    assert names and all("Озёр" in n or "Камыш" in n for n in names)
    assert client.get("/organisations/", {"district": "x", "kind": "zzz"}).status_code == 200
    assert client.get("/organisations/999999/").status_code == 404


def test_media_route_never_serves_wagtail_documents(client, db, settings, tmp_path):
    documents = settings.MEDIA_ROOT / "documents"
    documents.mkdir(parents=True)
    (documents / "secret.pdf").write_bytes(b"%PDF-1.4 private")
    (settings.MEDIA_ROOT / "images").mkdir()
    (settings.MEDIA_ROOT / "images" / "logo.txt").write_text("public")
    assert client.get("/media/documents/secret.pdf").status_code == 404
    assert client.get("/media/images/logo.txt").status_code == 200


def test_browser_language_does_not_override_russian_default(client, demo_site):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "ru"
    assert "Забыли пароль?" in response.content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert "Forgot your password?" in html
