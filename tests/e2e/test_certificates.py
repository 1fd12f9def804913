"""A certificate from the last lesson to a stranger's check, in a real browser.

The demo participant studies the two lessons of a short course; completing it
issues her удостоверение on its own. She downloads the PDF from her cabinet,
and a signed-out visitor opens the address its QR code carries and finds the
document by its number typed in lower case. The course is built through the
models in the test; everything the people do happens in the browser.
"""

import datetime as dt
import re
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests.lms.certificates.pdf_reading import pdf_qr_payloads, pdf_text

pytestmark = pytest.mark.browser

PARTICIPANT = ("participant@demo.ibc-portal.ru", "demo-participant-2026")
COURSE_TITLE = "Детская книга в школьной библиотеке"


def _build_enrollment():
    from core.models import User
    from lms.courses.models import (
        Cohort,
        CoursePage,
        Enrollment,
        EnrollmentStatus,
        LessonPage,
        ModulePage,
    )
    from lms.models import CourseIndexPage

    def publish(page):
        page.save_revision().publish()
        return page

    course = publish(
        CourseIndexPage.objects.get().add_child(
            instance=CoursePage(
                title=COURSE_TITLE,
                slug="detskaya-kniga-e2e",
                annotation="Короткий курс для проверки документа об обучении.",
                hours=24,
            )
        )
    )
    module = publish(course.add_child(instance=ModulePage(title="Модуль 1", slug="modul-1")))
    lessons = [
        publish(
            module.add_child(
                instance=LessonPage(
                    title=f"Урок {number}",
                    slug=f"urok-{number}",
                    body=[{"type": "paragraph", "value": f"<p>Текст урока {number}.</p>"}],
                )
            )
        )
        for number in (1, 2)
    ]
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course,
        title="Весенний поток",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=20),
    )
    enrollment = Enrollment.objects.create(
        cohort=cohort,
        user=User.objects.get(email=PARTICIPANT[0]),
        status=EnrollmentStatus.ENROLLED,
        enrolled_at=timezone.now() - dt.timedelta(days=9),
    )
    return enrollment, lessons


def test_learner_downloads_her_certificate_and_a_visitor_verifies_it(
    context, page, live_site, axe_report
):
    from lms.certificates.models import Certificate

    enrollment, lessons = _build_enrollment()
    learner = enrollment.user
    assert hasattr(learner, "learner_profile")  # her ДПО data, from the demo

    page.goto("/accounts/login/")
    page.fill("#id_username", PARTICIPANT[0])
    page.fill("#id_password", PARTICIPANT[1])
    page.locator("main form.stack-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cabinet/$"))
    for lesson in lessons:
        page.goto(lesson.url)
        page.locator("main form[action$='complete/'] button").click()
        expect(page.locator("main form[action$='complete/']")).to_have_count(0)

    certificate = Certificate.objects.get(enrollment=enrollment)
    number = certificate.registration_number
    assert re.fullmatch(rf"ПК-{timezone.localdate().year}-\d{{6}}", number), number

    # The email says the document is ready and links to the download.
    letters = [m for m in mail.outbox if m.to == [learner.email] and number in m.subject]
    assert len(letters) == 1, [m.subject for m in mail.outbox]
    assert f"{settings.SITE_URL}/cabinet/certificates/{certificate.uuid}/download/" in (
        letters[0].body
    )

    # The cabinet shows it; the list of all documents offers the PDF.
    page.goto("/cabinet/")
    expect(page.locator(".cabinet-certificates li", has_text=number)).to_contain_text(COURSE_TITLE)
    page.goto("/cabinet/certificates/")
    problems = axe_report(page, "/cabinet/certificates/")
    download_link = page.get_by_role("link", name=re.compile(re.escape(number))).and_(
        page.locator("a[href*='/download/']")
    )
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == f"{number}.pdf"
    with open(download.path(), "rb") as file:
        data = file.read()
    text = " ".join(pdf_text(data).split())
    assert "Соколова Анна Петровна" in text
    assert number in text
    assert "в объёме 24 час" in text
    qr = pdf_qr_payloads(data)
    assert qr == [f"{settings.SITE_URL}/verify/{quote(number)}/"]

    # A signed-out visitor scans the QR code: the site at its own address.
    context.clear_cookies()
    verify_path = urlsplit(qr[0]).path
    page.goto(verify_path)
    main = page.locator("main")
    expect(main.locator(".message--success #verify-status")).to_be_visible()
    expect(main).to_contain_text("С******* Анна П.")
    expect(main).not_to_contain_text("Соколова")
    expect(main).to_contain_text(COURSE_TITLE)
    expect(main.locator("dd", has_text=re.compile(r"^24$"))).to_have_count(1)
    problems += axe_report(page, verify_path)

    # Typing the number by hand, in lower case, leads to the same page.
    page.goto("/verify/")
    page.fill("#verify-number", number.lower())
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page).to_have_url(live_site.url + verify_path)
    expect(main.locator(".message--success #verify-status")).to_be_visible()

    page.goto("/verify/")
    page.fill("#verify-number", "ПК-2001-999999")
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page.locator("#verify-number-error")).to_contain_text("ПК-2001-999999")
    expect(page.locator("#verify-number")).to_have_attribute("aria-invalid", "true")

    assert not problems, "axe-core found serious/critical WCAG 2.1 AA violations:\n" + "\n".join(
        problems
    )
