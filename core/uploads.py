"""Checks for files that users upload: type by content, size, and a safe stored name.

A file is accepted only when its bytes say it is one of the allowed kinds; the
extension must agree with them. Office formats are ZIP containers, so their
kind is read from the archive's members, not only from the ZIP signature.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class UploadKind:
    extensions: tuple[str, ...]
    label: str


UPLOAD_KINDS: dict[str, UploadKind] = {
    "pdf": UploadKind(("pdf",), "PDF"),
    "docx": UploadKind(("docx",), "DOCX"),
    "pptx": UploadKind(("pptx",), "PPTX"),
    "xlsx": UploadKind(("xlsx",), "XLSX"),
    "odt": UploadKind(("odt",), "ODT"),
    "jpeg": UploadKind(("jpg", "jpeg"), "JPEG"),
    "png": UploadKind(("png",), "PNG"),
}

DOCUMENT_KINDS = frozenset({"pdf", "docx", "pptx", "xlsx", "odt"})
IMAGE_KINDS = frozenset({"jpeg", "png"})

# Which member of a ZIP container identifies an Office Open XML file.
_OOXML_MARKERS = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
}


def _zip_kind(uploaded) -> str | None:
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            for kind, marker in _OOXML_MARKERS.items():
                if marker in names:
                    return kind
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "odt"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    finally:
        uploaded.seek(0)
    return None


def detect_kind(uploaded) -> str | None:
    """The kind of ``uploaded`` judged by its content, or None when it is none we know."""
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    guess = filetype.guess(head)
    if guess is None:
        return None
    if guess.extension == "pdf":
        return "pdf"
    if guess.extension in ("jpg", "png"):
        return "jpeg" if guess.extension == "jpg" else "png"
    if guess.extension in ("zip", "docx", "pptx", "xlsx", "odt"):
        return _zip_kind(uploaded)
    return None


def allowed_extensions(kinds) -> list[str]:
    return sorted(ext for kind in kinds for ext in UPLOAD_KINDS[kind].extensions)


def validate_upload(uploaded, *, kinds=DOCUMENT_KINDS, max_size: int | None = None) -> str:
    """Raise ValidationError unless ``uploaded`` is small enough and of an allowed kind.

    Returns the detected kind.
    """
    limit = max_size if max_size is not None else settings.PORTAL_UPLOAD_MAX_SIZE
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is too large: %(size)s. The limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    extension = os.path.splitext(uploaded.name or "")[1].lower().lstrip(".")
    kind = detect_kind(uploaded)
    allowed = ", ".join(UPLOAD_KINDS[k].label for k in sorted(kinds))
    if kind not in kinds or extension not in UPLOAD_KINDS[kind].extensions:
        raise ValidationError(
            _("This file type is not accepted. Allowed: %(allowed)s."),
            code="bad_type",
            params={"allowed": allowed},
        )
    return kind


def safe_filename(name: str, *, max_length: int = 80) -> str:
    """A storage-safe version of ``name``: ASCII-friendly, no paths, unique prefix.

    Cyrillic letters are kept (every storage we use handles UTF-8), anything
    else that could mean a path or a shell character is dropped.
    """
    base = os.path.basename((name or "").replace("\\", "/"))
    stem, extension = os.path.splitext(base)
    stem = unicodedata.normalize("NFC", stem)
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("._-") or "file"
    extension = re.sub(r"[^a-zA-Z0-9]", "", extension)[:8].lower()
    stem = stem[: max_length - len(extension) - 10]
    return f"{uuid.uuid4().hex[:8]}_{stem}" + (f".{extension}" if extension else "")
