import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from core.roles import ROLES

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# In CI nothing may be skipped for lack of a service or a browser.
STRICT = os.environ.get("PORTAL_STRICT_TESTS") == "1"


def need(condition: bool, reason: str):
    """Skip with ``reason`` unless the strict (CI) run is on, where it fails instead."""
    if condition:
        return
    if STRICT:
        pytest.fail(f"required in the strict CI run: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _plain_storage_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def roles(db):
    """The role groups with their permissions, as migrate leaves them."""
    from core.services.roles import roles_sync

    return roles_sync()


@pytest.fixture
def make_user(db, roles):
    from tests.factories import UserFactory

    def make(role: str | None = None, **fields):
        return UserFactory(role=role, **fields)

    return make


@pytest.fixture(params=[role.code for role in ROLES])
def user_per_role(request, make_user):
    return make_user(request.param)


@pytest.fixture
def demo_site(db, roles):
    """The demo content: pages, registry, consent texts, demo users."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def postgres_available() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def redis_available() -> bool:
    return bool(settings.REDIS_URL)


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
