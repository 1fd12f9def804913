"""The certificate as a PDF (fpdf2): A4 in the template's orientation, Cyrillic text in
Source Sans Pro, and a QR code with the public verification URL.

The QR code is embedded as a PNG image, so the document stays printable at any
size and the image can be read back by the tests.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import tempfile
from pathlib import Path

import font_source_sans_pro
import segno
from django.conf import settings
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _
from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from lms.certificates.rendering import certificate_values, fill

# fontTools reports every subsetting step at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = Path(font_source_sans_pro.__file__).parent / "files"
FONT_FILES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}
FONT = "SourceSans"
# Latin with its supplements, Cyrillic with its supplement, punctuation, № and ₽.
FONT_RANGES = [(0x20, 0x24F), (0x400, 0x52F), (0x2010, 0x206F), (0x2116, 0x2116), (0x20BD, 0x20BD)]
MARGIN = 18


@functools.cache
def font_path(style: str) -> str:
    """The font of ``style`` cut down to the scripts a certificate needs, without layout
    tables: fpdf2 subsets the font on every document, and the full font makes that
    several times slower. Made once per machine from the installed font package."""
    source = FONT_DIR / FONT_FILES[style]
    cache_dir = Path(tempfile.gettempdir()) / "ibc-portal-fonts"
    target = cache_dir / f"{source.stem}-{source.stat().st_size}.ttf"
    if target.exists():
        return str(target)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "DSIG"]
    font = TTFont(str(source))
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=[code for first, last in FONT_RANGES for code in range(first, last + 1)]
    )
    subsetter.subset(font)
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name and renamed: concurrent workers never read half a file.
    handle, partial = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    os.close(handle)
    font.save(partial)
    os.replace(partial, target)
    return str(target)


def verification_url(registration_number: str) -> str:
    """The URL the QR code carries, percent-encoded so any reader opens it."""
    return iri_to_uri(f"{settings.SITE_URL}/verify/{registration_number}/")


def _image_bytes(image) -> io.BytesIO | None:
    """A Wagtail image's file, or None when it is missing from storage."""
    if image is None:
        return None
    try:
        with image.file.open("rb") as handle:
            return io.BytesIO(handle.read())
    except (OSError, ValueError):
        return None


def certificate_pdf_render(certificate) -> bytes:
    """Render ``certificate`` from the template revision pinned on it."""
    template = certificate.template_revision.as_object()
    with translation.override(settings.LANGUAGE_CODE):
        return _render(certificate, template)


def _render(certificate, template) -> bytes:
    values = certificate_values(certificate, template)
    landscape = template.orientation == "landscape"
    pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    pdf.set_title(f"{template.heading} {certificate.registration_number}")
    pdf.set_author(template.organisation)
    pdf.set_creator(settings.WAGTAIL_SITE_NAME)
    pdf.add_font(FONT, "", font_path(""))
    pdf.add_font(FONT, "B", font_path("B"))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_page()
    width, height = pdf.w, pdf.h
    inner = width - 2 * MARGIN

    background = _image_bytes(template.background)
    if background is not None:
        pdf.image(background, x=0, y=0, w=width, h=height)
    logo = _image_bytes(template.logo)
    top = MARGIN
    if logo is not None:
        pdf.image(logo, x=MARGIN, y=MARGIN, h=22)

    if certificate.is_duplicate:
        pdf.set_font(FONT, "B", 14)
        pdf.set_text_color(160, 0, 0)
        pdf.set_xy(width - MARGIN - 60, MARGIN)
        pdf.cell(60, 8, _("DUPLICATE"), align="R")
        pdf.set_text_color(0, 0, 0)

    pdf.set_xy(MARGIN + 30, top)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(
        inner - 60, 6, template.organisation, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    if template.organisation_details:
        pdf.set_x(MARGIN + 30)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(
            inner - 60,
            4.5,
            template.organisation_details,
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    pdf.ln(8 if landscape else 16)
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(
        inner,
        11,
        fill(template.heading, values).upper(),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    if template.subheading:
        pdf.set_font(FONT, "", 14)
        pdf.multi_cell(
            inner,
            7,
            fill(template.subheading, values),
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.ln(6)
    pdf.set_font(FONT, "B", 20)
    pdf.multi_cell(inner, 10, certificate.full_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(
        inner, 6.5, fill(template.body, values), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )

    # Register details, the signatories and the QR code share the bottom band.
    qr_size = 30
    band = height - MARGIN - qr_size
    pdf.set_font(FONT, "", 10)
    lines = [
        _("Registration number: %(number)s") % {"number": certificate.registration_number},
        _("Date of issue: %(date)s") % {"date": values["issue_date"]},
    ]
    if certificate.blank_series or certificate.blank_number:
        lines.append(
            _("Blank: series %(series)s No. %(number)s")
            % {"series": certificate.blank_series or "—", "number": certificate.blank_number}
        )
    if certificate.is_duplicate:
        lines.append(
            _("Issued in place of No. %(number)s")
            % {"number": certificate.original.registration_number}
        )
    lines.append(template.city)
    y = band
    for line in lines:
        pdf.set_xy(MARGIN, y)
        pdf.cell(inner / 2, 5, line)
        y += 5

    signatories = list(template.signatories.all())
    sign_top = band - 8 - 16 * len(signatories)
    for index, signatory in enumerate(signatories):
        row = sign_top + 16 * index
        pdf.set_xy(MARGIN, row + 4)
        pdf.set_font(FONT, "", 11)
        pdf.cell(inner * 0.45, 6, signatory.position)
        pdf.line(MARGIN + inner * 0.46, row + 10, MARGIN + inner * 0.63, row + 10)
        signature = _image_bytes(signatory.signature)
        if signature is not None:
            pdf.image(signature, x=MARGIN + inner * 0.47, y=row, h=14)
        pdf.set_xy(MARGIN + inner * 0.65, row + 4)
        pdf.cell(inner * 0.3, 6, signatory.name)
    if signatories:
        # Where the seal goes on the printed document («место печати»).
        pdf.set_font(FONT, "", 9)
        pdf.set_xy(MARGIN + inner * 0.46, sign_top + 16 * len(signatories))
        pdf.cell(20, 5, _("L. S."))

    url = verification_url(certificate.registration_number)
    qr_png = io.BytesIO()
    segno.make(url, error="m").save(qr_png, kind="png", scale=8, border=2)
    qr_png.seek(0)
    pdf.image(qr_png, x=width - MARGIN - qr_size, y=band - 6, w=qr_size, h=qr_size)
    pdf.set_font(FONT, "", 7)
    pdf.set_xy(width - MARGIN - 80, height - MARGIN + 1)
    readable = f"{settings.SITE_URL}/verify/{certificate.registration_number}/"
    pdf.cell(80, 4, _("Verify: %(url)s") % {"url": readable}, align="R")
    return bytes(pdf.output())
