"""Accessibility in a real browser: static assets, axe-core (WCAG 2.1 AA), the keyboard."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import html_has_class

pytestmark = pytest.mark.browser


def test_stylesheets_and_scripts_are_served(page):
    statics = {}
    page.on(
        "response",
        lambda response: (
            statics.__setitem__(response.url, response) if "/static/" in response.url else None
        ),
    )
    page.goto("/")
    page.wait_for_load_state("load")

    site_css = [url for url in statics if url.endswith("/static/css/site.css")]
    assert site_css, f"the home page did not request /static/css/site.css: {sorted(statics)}"
    response = statics[site_css[0]]
    assert response.status == 200
    assert response.headers.get("content-type", "").startswith("text/css")
    broken = {url: r.status for url, r in statics.items() if r.status != 200}
    assert not broken, f"static files that did not load: {broken}"
    # The stylesheet is applied, not only fetched.
    assert page.evaluate(
        "() => [...document.styleSheets].some("
        "s => s.href && s.href.endsWith('/static/css/site.css') && s.cssRules.length > 0)"
    )


def test_axe_finds_no_serious_violations(page, axe_report):
    """WCAG 2.1 A/AA by axe-core: the home page, the sign-in page, and the home page
    in the low-vision version with the white-on-black scheme. All pages are checked
    before failing, so one run lists every problem."""
    problems = []
    for path in ("/", "/accounts/login/"):
        response = page.goto(path)
        assert response.status == 200, path
        problems += axe_report(page, path)

    page.goto("/")
    page.locator("[data-a11y-enable]").first.click()
    expect(page.locator("form[data-a11y-panel]")).to_be_visible()
    page.locator('[data-a11y-set="cs:wb"]').click()
    expect(page.locator("html")).to_have_class(html_has_class("a11y-cs-wb"))
    problems += axe_report(page, "/ (low-vision version, white on black)")

    assert not problems, "axe-core found serious/critical WCAG 2.1 AA violations:\n" + "\n".join(
        problems
    )


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page):
    page.goto("/")
    page.wait_for_load_state("load")
    skip = page.locator("a.skip-link")
    expect(skip).to_have_attribute("href", "#main")

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    # Focused, the link must be visible on screen (WCAG 2.4.7), not clipped away.
    box = skip.bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10, box
    assert box["x"] >= 0 and box["y"] >= 0, box

    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    assert page.evaluate("() => location.hash") == "#main"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
