"""A storage with no URL at all, for files only permission-checked views hand out.

Public media (``MEDIA_ROOT``) is served to anybody who knows a path, so
learners' submissions and consultation attachments (often a school's internal
acts or inventory lists) go to ``PRIVATE_MEDIA_ROOT`` instead, or to a
``private`` directory beside ``MEDIA_ROOT`` when that setting is missing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


def private_root() -> Path:
    configured = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "private"


class PrivateFileStorage(FileSystemStorage):
    """Files that only views hand out; ``url()`` refuses, as a storage without a base URL."""

    @cached_property
    def base_location(self):
        return str(private_root())

    @cached_property
    def base_url(self):
        return None

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in ("PRIVATE_MEDIA_ROOT", "MEDIA_ROOT"):
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no URL; they are served by permission-checked views.")


_storage = PrivateFileStorage()


def private_storage() -> PrivateFileStorage:
    """The callable the file field names, so migrations do not freeze a location."""
    return _storage
