"""Helpers of the end-to-end tests."""

import re
import time

import pytest

# Fail fast: a page of this site answers in well under a second.
TIMEOUT_MS = 10_000


def wait_until(probe, predicate, timeout: float = TIMEOUT_MS / 1000, message: str = ""):
    """Poll ``probe()`` until ``predicate(value)`` holds; survives page navigations.

    Returns the last value; fails the test with ``message`` and the value on timeout.
    """
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    value = None
    while True:
        try:
            value = probe()
        except PlaywrightError:
            # The execution context was destroyed by a navigation: try again.
            value = None
        else:
            if predicate(value):
                return value
        if time.monotonic() > deadline:
            pytest.fail(f"{message} (last value: {value!r})")
        time.sleep(0.05)


def html_has_class(name: str):
    """A regex for ``expect(locator).to_have_class`` matching one class among others."""
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")
