"""A best practice from proposal to search, in a real browser.

The demo librarian proposes a practice with an attachment; the head of the
department approves it in the Wagtail admin (the editorial workflow publishes
it); the librarian sees «опубликовано» in her cabinet and finds the practice
through the site search with an inflected query.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PARTICIPANT = ("participant@demo.ibc-portal.ru", "demo-participant-2026")
HEAD = ("head@demo.ibc-portal.ru", "demo-head-2026")
TITLE = "Квест «Тайны старой библиотеки» для пятиклассников"
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _sign_in(page, credentials) -> None:
    email, password = credentials
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.locator("main form.stack-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cabinet/$"))


def test_proposed_practice_is_published_in_the_admin_and_found_by_search(
    browser, live_site, tmp_path
):
    from cms.models import PracticePage, PracticeProposal

    attachment = tmp_path / "plan-kvesta.pdf"
    attachment.write_bytes(MINIMAL_PDF)

    librarian = browser.new_context(base_url=live_site.url, locale="ru-RU")
    page = librarian.new_page()
    _sign_in(page, PARTICIPANT)

    # The proposal form: text, one attachment, consent to publish the name.
    page.goto("/practices/submit/")
    page.fill("#id_title", TITLE)
    page.select_option("#id_category", "reading")
    page.fill(
        "#id_annotation",
        "Библиотечный квест знакомит пятиклассников со школьной библиотекой и каталогом.",
    )
    page.fill(
        "#id_description",
        "Команды ищут подсказки между стеллажами.\n\nПобеждает тот, кто первым найдёт книгу.",
    )
    page.set_input_files("#id_files", str(attachment))
    page.check("#id_publish_name")
    page.locator("main form.stack-form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()

    proposal = PracticeProposal.objects.get(title=TITLE)
    practice = PracticePage.objects.get(pk=proposal.page_id)
    assert not practice.live
    assert practice.attachments.count() == 1
    # A draft is nobody's business but the editors'.
    anonymous = browser.new_context(base_url=live_site.url, locale="ru-RU").new_page()
    assert anonymous.goto(practice.url_path.removeprefix("/home")).status == 404

    # The head of the department approves the workflow task in the admin.
    editor = browser.new_context(base_url=live_site.url, locale="ru-RU")
    admin_page = editor.new_page()
    _sign_in(admin_page, HEAD)
    admin_page.goto(f"/admin/pages/{practice.pk}/edit/")
    approve = admin_page.locator('button[data-workflow-action-name="approve"]').first
    expect(approve).to_have_count(1)
    approve.evaluate("button => button.click()")
    admin_page.wait_for_url(re.compile(r"/admin/"))

    def published() -> bool:
        proposal.refresh_from_db()
        return proposal.status == PracticeProposal.Status.PUBLISHED

    deadline_page = admin_page
    deadline_page.wait_for_timeout(100)
    for _ in range(100):
        if published():
            break
        deadline_page.wait_for_timeout(100)
    assert published(), proposal.status
    practice.refresh_from_db()
    assert practice.live
    assert any(PARTICIPANT[0] in letter.to for letter in mail.outbox)

    # The librarian's cabinet shows the new status.
    page.goto("/cabinet/")
    entry = page.locator(".cabinet-practices li", has_text=TITLE)
    expect(entry).to_contain_text("опубликовано")
    expect(entry.locator("a")).to_have_attribute("href", re.compile(r"/practices/"))

    # Site search finds it by an inflected word: «библиотеки» for «библиотеке».
    page.goto("/search/?q=" + "тайны+старых+библиотек")
    result = page.locator("main a", has_text="Тайны старой библиотеки")
    expect(result.first).to_be_visible()
    result.first.click()
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("plan-kvesta")
