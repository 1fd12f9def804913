"""Reading an issued certificate back: the PDF's text and its QR code."""

from __future__ import annotations

import io

import pypdf
import zxingcpp


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_page_size(data: bytes) -> tuple[float, float]:
    box = pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox
    return float(box.width), float(box.height)


def pdf_qr_payloads(data: bytes) -> list[str]:
    """Decode every QR code among the images embedded in the first page."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    payloads = []
    for image in page.images:
        for barcode in zxingcpp.read_barcodes(image.image):
            if barcode.format == zxingcpp.BarcodeFormat.QRCode:
                payloads.append(barcode.text)
    return payloads


def pdf_text_outside_page(data: bytes) -> list[str]:
    """Pieces of text whose start lies outside the first page (drawn but invisible)."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    outside = []

    def visit(text, cm, tm, _font, _size):
        x = tm[4] * cm[0] + cm[4]
        y = tm[5] * cm[3] + cm[5]
        if text.strip() and not (0 <= x < width and 0 <= y < height):
            outside.append(text.strip())

    page.extract_text(visitor_text=visit)
    return outside
