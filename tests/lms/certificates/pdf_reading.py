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
