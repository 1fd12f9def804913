"""Where learners' submitted files live: a storage with no URL at all.

Public media (``MEDIA_ROOT``) is served to anybody who knows a path, so
submissions go elsewhere: ``PRIVATE_MEDIA_ROOT`` when set, else a ``private``
directory beside ``MEDIA_ROOT``. The only way to read a file back is the
permission-checked download view of ``lms.assignments.views``.
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
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no URL; use the download view.")


_storage = PrivateFileStorage()


def private_storage() -> PrivateFileStorage:
    """The callable the file field names, so migrations do not freeze a location."""
    return _storage
