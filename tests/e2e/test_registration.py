"""Registration, email confirmation, sign-in and the low-vision version in a real browser.

Elements are found by ids and data attributes, not by text: the interface is
Russian by default and its catalogue may or may not be compiled.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.helpers import html_has_class, wait_until

pytestmark = pytest.mark.browser

CONFIRM_PATH = re.compile(r"/accounts/confirm/(?P<uidb64>[A-Za-z0-9_-]+)/(?P<token>[A-Za-z0-9-]+)/")
PASSWORD = "Lesnaya-Tropa-2026!"


def _fill_registration(page, *, email: str, password2: str = PASSWORD) -> None:
    page.fill("#id_last_name", "Кузнецова")
    page.fill("#id_first_name", "Анна")
    page.fill("#id_patronymic", "Петровна")
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", password2)
    page.check("#id_personal_data_consent")


def _submit_main_form(page) -> None:
    # The header has its own forms (search, low-vision toggle): take the one in <main>.
    page.locator("main form.stack-form button[type=submit]").click()


def _body_style(page, prop: str) -> str:
    return page.evaluate("(prop) => getComputedStyle(document.body)[prop]", prop)


def test_register_confirm_sign_in_and_low_vision_version(page, live_site):
    from core.models import User

    email = "anna.kuznetsova@example.org"

    # Registration.
    page.goto("/accounts/register/")
    _fill_registration(page, email=email)
    _submit_main_form(page)
    expect(page.locator("main p[role=status]")).to_contain_text(email)
    expect(page.locator("#id_password1")).to_have_count(0)

    # The confirmation letter (sent by the task once the transaction committed).
    letters = [message for message in mail.outbox if email in message.to]
    assert len(letters) == 1, [message.to for message in mail.outbox]
    match = CONFIRM_PATH.search(letters[0].body)
    assert match, letters[0].body
    user = User.objects.get(email=email)
    assert not user.is_active
    assert user.email_confirmed_at is None

    # The link activates the account and sends to the sign-in page with a success message.
    page.goto(f"{live_site.url}{match.group(0)}")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator(".messages .message--success")).to_have_count(1)

    # Sign in with email and password: the cabinet greets the user by full name.
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    _submit_main_form(page)
    expect(page).to_have_url(re.compile(r"/cabinet/$"))
    expect(page.locator("main")).to_contain_text("Кузнецова Анна Петровна")

    user.refresh_from_db()
    assert user.is_active
    assert user.email_confirmed_at is not None
    consents = user.consents.filter(purpose="personal_data", withdrawn_at__isnull=True)
    assert consents.count() == 1
    assert consents.get().granted_ip is not None
    assert not user.consents.filter(purpose="mailing").exists()

    # The low-vision version: switched on from the header.
    html = page.locator("html")
    expect(html).not_to_have_class(html_has_class("a11y"))
    page.locator("[data-a11y-enable]").first.click()
    expect(html).to_have_class(html_has_class("a11y"))
    expect(page.locator("form[data-a11y-panel]")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/cabinet/$"))
    expect(html).to_have_class(html_has_class("a11y-fs-1"))
    page.wait_for_load_state("load")
    size_before = float(_body_style(page, "fontSize").removesuffix("px"))

    # A+ makes the text bigger.
    page.locator("[data-a11y-action=bigger]").click()
    expect(html).to_have_class(html_has_class("a11y-fs-2"))
    expect(html).not_to_have_class(html_has_class("a11y-fs-1"))
    wait_until(
        lambda: float(_body_style(page, "fontSize").removesuffix("px")),
        lambda size: size is not None and size > size_before,
        message=f"the body's font size did not grow from {size_before}px after A+",
    )

    # White on black.
    page.locator('[data-a11y-set="cs:wb"]').click()
    expect(html).to_have_class(html_has_class("a11y-cs-wb"))
    expect(page.locator('[data-a11y-set="cs:wb"]')).to_have_attribute("aria-pressed", "true")
    wait_until(
        lambda: _body_style(page, "backgroundColor"),
        lambda colour: colour == "rgb(0, 0, 0)",
        message="the body's background is not black in the white-on-black scheme",
    )

    # The settings live in a cookie: a reload keeps them.
    page.reload()
    for name in ("a11y", "a11y-fs-2", "a11y-cs-wb"):
        expect(html).to_have_class(html_has_class(name))
    cookie = {c["name"]: c["value"] for c in page.context.cookies()}.get("a11y", "")
    assert {"on:1", "fs:2", "cs:wb"} <= set(cookie.strip('"').split("|")), cookie
    assert _body_style(page, "backgroundColor") == "rgb(0, 0, 0)"

    # Back to the standard version.
    page.locator("[data-a11y-disable]").click()
    expect(html).not_to_have_class(html_has_class("a11y"))
    expect(page.locator("form[data-a11y-panel]")).to_have_count(0)
    expect(page.locator("[data-a11y-enable]").first).to_be_visible()
    page.reload()
    expect(html).not_to_have_class(html_has_class("a11y"))


def test_registration_with_mismatched_passwords_keeps_the_form(page, live_site):
    from core.models import Consent, Organisation, User

    email = "oleg.smirnov@example.org"
    users_before, consents_before = User.objects.count(), Consent.objects.count()
    organisation = Organisation.objects.filter(is_active=True).order_by("name").first()
    assert organisation is not None, "the demo registry has no active organisation"

    page.goto("/accounts/register/")
    _fill_registration(page, email=email, password2=PASSWORD + "x")
    page.fill("#id_position", "Педагог-библиотекарь")
    page.select_option("#id_organisation", value=str(organisation.pk))
    page.check("#id_mailing_consent")
    _submit_main_form(page)

    # The form comes back with the error on the second password...
    expect(page.locator("#id_password2_error")).to_be_visible()
    expect(page.locator("#id_password2_error")).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/accounts/register/$"))
    # ... every typed field kept, the passwords emptied.
    expect(page.locator("#id_last_name")).to_have_value("Кузнецова")
    expect(page.locator("#id_first_name")).to_have_value("Анна")
    expect(page.locator("#id_patronymic")).to_have_value("Петровна")
    expect(page.locator("#id_email")).to_have_value(email)
    expect(page.locator("#id_position")).to_have_value("Педагог-библиотекарь")
    expect(page.locator("#id_organisation")).to_have_value(str(organisation.pk))
    expect(page.locator("#id_personal_data_consent")).to_be_checked()
    expect(page.locator("#id_mailing_consent")).to_be_checked()
    expect(page.locator("#id_password1")).to_have_value("")
    expect(page.locator("#id_password2")).to_have_value("")

    # Nothing was created, nothing was sent.
    assert not User.objects.filter(email__iexact=email).exists()
    assert User.objects.count() == users_before
    assert Consent.objects.count() == consents_before
    assert mail.outbox == []
