"""Reservation slips and warranty certificates on a till's receipt printer: 80 mm and 58 mm rolls, a page as
long as the document, everything inside the paper's width, and the slip's barcode still scanning."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import zxingcpp
from reportlab.lib.units import mm

from desktop.printing.page_layout import ROLL_MARGIN, barcode_fits
from tests.pdf_reading import code128_texts, page_count, page_images, page_size_points, pdf_text, run
from tests.printing.test_slips import CERTIFICATE, SHOP, SLIP, certificate_pdf, slip_pdf

ROLLS = {"80mm": 80 * mm, "58mm": 58 * mm}
THERMAL_DPI = 203  # what most receipt printers print at


def word_boxes(pdf) -> list[tuple[float, float, str]]:
    """(xMin, xMax, word) for every word pdftotext finds."""
    return [(float(x_min), float(x_max), word) for x_min, x_max, word in re.findall(
        r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', run("pdftotext", "-bbox", str(pdf), "-"))]


def assert_fits_the_roll(pdf, width: float) -> None:
    assert page_count(pdf) == 1
    page_width, page_height = page_size_points(pdf)
    assert page_width == pytest.approx(width, abs=0.01)
    assert page_height < 400 * mm  # as long as the document, not a sheet's or the measuring page's length
    for x_min, x_max, word in word_boxes(pdf):
        assert x_min >= 2 * mm and x_max <= width - 2 * mm, word  # inside what a thermal head prints


@pytest.mark.parametrize("roll", ROLLS)
def test_the_slip_fits_a_receipt_roll_and_its_barcode_scans(tmp_path, roll):
    pdf, pages = slip_pdf(tmp_path, header=replace(SHOP, paper_size=roll))
    assert pages == 1
    assert_fits_the_roll(pdf, ROLLS[roll])
    words = pdf_text(pdf).split()
    for expected in ("Padaria", "B7K3-M9Q2-X", "João", "Simões", "aniversário", "20,00", "12/06/2025", "secos",
                     "Please"):
        assert expected in words, expected
    assert code128_texts(pdf) == ["B7K3M9Q2X"]
    thermal = [barcode.text for image in page_images(pdf, dpi=THERMAL_DPI)
               for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)]
    assert thermal == ["B7K3M9Q2X"]


@pytest.mark.parametrize("roll", ROLLS)
def test_the_certificate_fits_a_receipt_roll(tmp_path, roll):
    pdf, pages = certificate_pdf(tmp_path, header=replace(SHOP, paper_size=roll))
    assert pages == 1
    assert_fits_the_roll(pdf, ROLLS[roll])
    words = pdf_text(pdf).split()
    for expected in ("certificate", "Máquina", "SN-4482-ABX-2291", "02/06/2027", "14/01/2026", "aquece",
                     "Resistência", "signature", "Keep"):
        assert expected in words, expected
    # A 16-character serial needs 58 mm of bars wide enough to scan: a 58 mm roll prints it as text only.
    scans = barcode_fits(CERTIFICATE.serial_number, ROLLS[roll] - 2 * ROLL_MARGIN)
    assert scans == (roll == "80mm")
    assert code128_texts(pdf) == ([CERTIFICATE.serial_number] if scans else [])


def test_long_notes_make_a_longer_slip_not_a_second_page(tmp_path):
    short, _ = slip_pdf(tmp_path, header=replace(SHOP, paper_size="80mm"))
    short_height = page_size_points(short)[1]
    long, _ = slip_pdf(tmp_path, replace(SLIP, notes="Sem frutos secos. " * 40), replace(SHOP, paper_size="80mm"))
    assert page_count(long) == 1 and page_size_points(long)[1] > short_height
