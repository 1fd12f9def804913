"""End-to-end tests: a real Chromium, driven by Playwright's sync API, against ``live_server``.

``live_server`` runs Django in a thread of this process, so ``django.core.mail.outbox``
and the test database are shared with the test. Browsers are never downloaded: the
Chromium of the system (``chromium_path()``) is used, or the test is skipped locally
and fails in the strict CI run.
"""

import os

import pytest

from tests.conftest import REPO, chromium_path, need
from tests.e2e.helpers import TIMEOUT_MS

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_JS = REPO / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    executable = chromium_path()
    need(bool(executable), "Chromium is not installed (apt-get install chromium)")
    return executable


@pytest.fixture
def live_site(django_db_serialized_rollback, live_server, demo_site):
    """The live server with the demo content, for one test.

    ``live_server`` makes the test transactional: the database is flushed after
    each test, which also removes what the migrations created (Wagtail's root page,
    which seed_demo builds on). The serialized rollback restores that data before
    the next test.
    """
    return live_server


@pytest.fixture
def browser(chromium_executable, live_site):
    """A headless Chromium driven by Playwright's sync API, for one test.

    Playwright's sync API runs an asyncio event loop in this thread and leaves it
    marked as running between its calls. Two consequences:

    * Django refuses ORM calls from a thread with a running event loop
      (SynchronousOnlyOperation), so the database assertions of the tests, and the
      flush at their end, would fail. The ORM is really used synchronously here, so
      DJANGO_ALLOW_ASYNC_UNSAFE switches the check off -- only while Playwright is
      alive, and restored after, so it cannot hide async-safety bugs elsewhere.
    * Inside a running loop asgiref gives the thread other database connection
      objects than outside it; the serialized-rollback data lives on the original
      one. Hence Playwright is started per test, after the database is set up
      (``live_site``), and stopped before it is flushed -- not once per module.
      Starting it costs about a second and a half.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(
                executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
        finally:
            playwright.stop()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser, live_site):
    """A fresh browser context (cookies, storage) per test, in Russian."""
    ctx = browser.new_context(
        base_url=live_site.url, locale="ru-RU", viewport={"width": 1280, "height": 900}
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context):
    pg = context.new_page()
    try:
        yield pg
    finally:
        pg.close()


@pytest.fixture
def axe_report():
    """A function that runs axe-core on a page and describes its serious/critical violations.

    It returns a list of readable lines (empty when the page is clean): the rule,
    its impact, its help text and the first nodes it failed on.
    """
    need(AXE_JS.is_file(), "axe-core is not installed: run `make axe` (needs npm)")

    def report(page, label: str) -> list[str]:
        page.wait_for_load_state("load")
        # Colour transitions (e.g. after a scheme switch) would let axe measure
        # contrast between two states: wait for the finite animations to end.
        page.wait_for_function(
            """() => document.getAnimations().every(a => a.playState !== 'running'
                || a.effect.getComputedTiming().endTime === Infinity)"""
        )
        page.add_script_tag(path=str(AXE_JS))
        results = page.evaluate(
            """async (tags) => await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            })""",
            AXE_TAGS,
        )
        blocking = [v for v in results["violations"] if v.get("impact") in AXE_BLOCKING_IMPACTS]
        lines = []
        for violation in blocking:
            lines.append(
                f"{label}: {violation['id']} [{violation['impact']}] {violation['help']}"
                f" ({len(violation['nodes'])} node(s)) {violation['helpUrl']}"
            )
            for node in violation["nodes"][:5]:
                summary = " ".join((node.get("failureSummary") or "").split())
                lines.append(f"    {node['target']}: {summary[:300]}")
        return lines

    return report
