"""Loyalty card PDFs, read back the way a person or a scanner would.

Every PDF is rendered for real into the test's folder, then checked with tools that share no
code with ours: poppler (pdftoppm to rasterise at 300 dpi, pdftotext, pdfinfo, pdfimages) and
zxing-cpp to decode the barcodes from the raster. ./dev test installs poppler-utils.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.units import mm

from desktop.printing import card_face
from desktop.printing.loyalty_cards import (
    PAPER_SIZES,
    CardFace,
    card_origins,
    render_cards,
)
from tests.pdf_reading import (
    DPI,
    page_count,
    page_images,
    page_size_points,
    require_poppler,
    run,
)

SHOP = "Padaria Pão Quente"
NAMES = [
    "João Simões",
    "Γιώργος Παπαδόπουλος",
    "<b>Ana & Co</b>",
    "Maria Aparecida dos Santos Oliveira de Albuquerque Cavalcanti e Silva",
    "Jan de Vries",
    "Αικατερίνη Χατζηαναστασίου-Κωνσταντινοπούλου",
    "Zoë d'Almeida",
]
# Crockford check characters include * ~ $ = U: every one must survive both symbologies.
CHECKS = "*~$=U0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def make_code(index: int) -> tuple[str, str]:
    """A card code ("R" + 7 Crockford base32 characters + a check character) and its display form."""
    body = "".join(random.Random(index).choices("0123456789ABCDEFGHJKMNPQRSTVWXYZ", k=7))
    code = "R" + body + CHECKS[index % len(CHECKS)]
    return code, f"{code[:4]}-{code[4:8]}-{code[8]}"


def make_faces(count: int, stamps=(5, 8, 10, 12, None, 6, 16)) -> list[CardFace]:
    faces = []
    for index in range(count):
        code, display = make_code(index)
        programme = "Cartão fidelidade" if stamps[index % len(stamps)] else "Pontos"
        faces.append(CardFace(SHOP, NAMES[index % len(NAMES)], code, display, stamps[index % len(stamps)], programme))
    return faces


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def to_pixels(points: float, dpi: int = DPI) -> int:
    return round(points * dpi / 72)


def card_images(page: Image.Image, page_size: tuple[float, float]) -> list[Image.Image]:
    """Each card of a sheet, cropped from the page raster (PDF y goes up, image y goes down)."""
    crops = []
    for x, y in card_origins(page_size):
        top = page_size[1] - y - card_face.CARD_HEIGHT
        crops.append(
            page.crop((to_pixels(x), to_pixels(top), to_pixels(x + card_face.CARD_WIDTH),
                       to_pixels(top + card_face.CARD_HEIGHT)))
        )
    return crops


def decoded(image: Image.Image) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"Code128": [], "QRCode": []}
    formats = (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode)
    for barcode in zxingcpp.read_barcodes(image, formats=formats):
        found[barcode.format.name].append(barcode.text)
    return found


def assert_card_scans(image: Image.Image, face: CardFace) -> None:
    found = decoded(image)
    assert found == {"Code128": [face.code], "QRCode": [face.code]}, face


# --- sheets ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sheet_pdf(tmp_path_factory) -> tuple[Path, list[CardFace]]:
    faces = make_faces(23)
    pdf = tmp_path_factory.mktemp("sheet") / "cards.pdf"
    assert render_cards(faces, pdf) == 3
    return pdf, faces


def test_a_sheet_holds_ten_cards(sheet_pdf):
    pdf, faces = sheet_pdf
    assert page_count(pdf) == 3  # 23 cards: 10 + 10 + 3
    assert page_size_points(pdf) == pytest.approx(PAPER_SIZES["A4"], abs=0.01)


def test_every_barcode_on_every_sheet_scans_as_its_own_cards_code(sheet_pdf):
    pdf, faces = sheet_pdf
    size = page_size_points(pdf)
    cards = [card for page in page_images(pdf) for card in card_images(page, size)]
    for face, image in zip(faces, cards, strict=False):
        assert_card_scans(image, face)
        assert stamp_boxes_printed(image) == (face.stamps or 0), face
    for empty in cards[len(faces):]:  # the last sheet's unused places are blank
        assert decoded(empty) == {"Code128": [], "QRCode": []}
        assert empty.getextrema()[0] > 200


def test_the_text_on_the_cards_is_real_text(sheet_pdf):
    pdf, faces = sheet_pdf
    text = run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    assert text.count(SHOP) == len(faces)
    for name in ("João Simões", "Γιώργος Παπαδόπουλος", "<b>Ana & Co</b>", "Jan de Vries", "Zoë d'Almeida"):
        assert name in text
    for face in faces:
        assert face.code_display in text


def test_letter_sheets_are_letter_sized_with_ten_cards(tmp_path):
    faces = make_faces(10)
    pdf = tmp_path / "letter.pdf"
    assert render_cards(faces, pdf, paper_size="Letter") == 1
    assert page_size_points(pdf) == pytest.approx((612, 792), abs=0.01)
    [page] = page_images(pdf)
    for face, image in zip(faces, card_images(page, page_size_points(pdf)), strict=True):
        assert_card_scans(image, face)


def test_cut_marks_lie_outside_the_cards(tmp_path):
    pdf = tmp_path / "one.pdf"
    render_cards(make_faces(1), pdf)
    [page] = page_images(pdf, dpi=150)
    width, height = PAPER_SIZES["A4"]
    left = (width - 2 * card_face.CARD_WIDTH) / 2
    top = (height - 5 * card_face.CARD_HEIGHT) / 2
    # A mark on the extension of the left cut, above the grid, and none inside the empty card places.
    mark = page.crop((to_pixels(left, 150) - 2, to_pixels(top - 5 * mm, 150), to_pixels(left, 150) + 3,
                      to_pixels(top - 2 * mm, 150)))
    assert mark.getextrema()[0] < 100
    second_card = page.crop((to_pixels(left + card_face.CARD_WIDTH + 1 * mm, 150), to_pixels(top + 1 * mm, 150),
                             to_pixels(left + 2 * card_face.CARD_WIDTH - 1 * mm, 150),
                             to_pixels(top + card_face.CARD_HEIGHT - 1 * mm, 150)))
    assert second_card.getextrema()[0] > 200


# --- single cards for a card printer ---------------------------------------------------------


@pytest.fixture(scope="module")
def single_pdf(tmp_path_factory) -> tuple[Path, list[CardFace]]:
    faces = make_faces(len(NAMES))
    pdf = tmp_path_factory.mktemp("single") / "cards.pdf"
    assert render_cards(faces, pdf, layout="single") == len(faces)
    return pdf, faces


def test_single_cards_are_exactly_credit_card_size(single_pdf):
    pdf, faces = single_pdf
    assert page_count(pdf) == len(faces)
    width, height = page_size_points(pdf)
    assert width == pytest.approx(85.6 / 25.4 * 72, abs=0.01)  # 242.65 pt
    assert height == pytest.approx(54 / 25.4 * 72, abs=0.01)  # 153.07 pt


def test_every_single_card_scans(single_pdf):
    pdf, faces = single_pdf
    for face, image in zip(faces, page_images(pdf), strict=True):
        assert_card_scans(image, face)


def test_no_word_reaches_into_the_margin(single_pdf):
    """Long names shrink, then end in an ellipsis: every word stays inside the card's 4 mm margin."""
    pdf, faces = single_pdf
    words = re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<',
                       run("pdftotext", "-bbox", str(pdf), "-"))
    assert words
    margin = card_face.MARGIN
    for x_min, x_max, word in words:
        assert float(x_min) >= margin - 0.5 and float(x_max) <= card_face.CARD_WIDTH - margin + 0.5, word
    text = run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    assert "Maria Aparecida dos Santos" in text and "Cavalcanti e Silva" not in text
    assert re.search(r"Maria Aparecida dos Santos[^\n]*…", text)


# --- stamp boxes -------------------------------------------------------------------------------


def stamp_boxes_printed(card: Image.Image) -> int:
    """Separate shapes printed between the customer's name and the barcodes: one ring per stamp box."""
    top = to_pixels(card_face.CARD_HEIGHT - card_face.NAME_BASELINE + card_face.DESCENT * card_face.NAME_SIZE) + 2
    bottom = to_pixels(card_face.CARD_HEIGHT - card_face.BARS_TOP) - 2
    band = card.crop((0, top, card.width, bottom))
    width = band.width
    pixels = band.tobytes()
    dark = {(i % width, i // width) for i, value in enumerate(pixels) if value < 200}
    shapes = 0
    while dark:
        shapes += 1
        stack = [dark.pop()]
        while stack:
            x, y = stack.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    if (x + dx, y + dy) in dark:
                        dark.remove((x + dx, y + dy))
                        stack.append((x + dx, y + dy))
    return shapes


def render_single(tmp_path: Path, stamps: int | None) -> Image.Image:
    code, display = make_code(stamps or 0)
    pdf = tmp_path / "card.pdf"
    render_cards([CardFace(SHOP, "João Simões", code, display, stamps, "10 cafés")], pdf, layout="single")
    [card] = page_images(pdf)
    return card


@pytest.mark.parametrize("stamps", [1, 5, 8, 10, 12, 13, 20])
def test_a_stamp_card_has_its_number_of_stamp_boxes(tmp_path, stamps):
    assert stamp_boxes_printed(render_single(tmp_path, stamps)) == stamps


def test_a_points_card_has_no_stamp_boxes(tmp_path):
    assert stamp_boxes_printed(render_single(tmp_path, None)) == 0


def test_a_programme_too_long_for_boxes_prints_without_them(tmp_path):
    card = render_single(tmp_path, card_face.MAX_STAMP_BOXES + 1)
    assert stamp_boxes_printed(card) == 0
    assert decoded(card)["QRCode"]


# --- logo, output, errors --------------------------------------------------------------------


def test_a_logo_is_printed_on_every_card_and_embedded_once(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 120), (200, 60, 20)).save(logo)
    faces = make_faces(12)
    pdf = tmp_path / "with-logo.pdf"
    assert render_cards(faces, pdf, logo=logo) == 2
    placements = [line.split() for line in run("pdfimages", "-list", str(pdf)).splitlines()[2:]]
    assert len(placements) == len(faces)
    assert len({columns[10] for columns in placements}) == 1  # one image object, placed on every card
    pages = page_images(pdf)
    for face, image in zip(faces, [c for p in pages for c in card_images(p, PAPER_SIZES["A4"])], strict=False):
        assert_card_scans(image, face)
        logo_area = image.crop((to_pixels(card_face.MARGIN) + 5, to_pixels(card_face.MARGIN) + 5,
                                to_pixels(card_face.MARGIN + 10 * mm), to_pixels(card_face.MARGIN + 6 * mm)))
        assert logo_area.getextrema()[1] < 200  # the orange logo, not white paper


def test_writes_to_a_binary_file_too(tmp_path):
    buffer = io.BytesIO()
    assert render_cards(make_faces(3), buffer, layout="single") == 3
    pdf = tmp_path / "from-buffer.pdf"
    pdf.write_bytes(buffer.getvalue())
    assert page_count(pdf) == 3


@pytest.mark.parametrize(
    ("faces", "options", "message"),
    [
        ([], {}, "no cards"),
        (make_faces(1), {"layout": "poster"}, "layout"),
        (make_faces(1), {"paper_size": "A3"}, "paper size"),
        ([CardFace(SHOP, "Ana", "RÇ00000X", "RÇ00-000-X", None)], {}, "printable ASCII"),
        ([CardFace(SHOP, "Ana", "", "", None)], {}, "printable ASCII"),
        ([CardFace(SHOP, "Ana", "R0000000X", "R000-0000-X", 0)], {}, "stamps"),
        ([CardFace(SHOP, "Ana", "R0000000X", "R000-0000-X", -1)], {}, "stamps"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tmp_path, faces, options, message):
    pdf = tmp_path / "cards.pdf"
    with pytest.raises(ValueError, match=message):
        render_cards(faces, pdf, **options)
    assert not pdf.exists()


def test_a_missing_or_broken_logo_is_refused(tmp_path):
    pdf = tmp_path / "cards.pdf"
    with pytest.raises(FileNotFoundError):
        render_cards(make_faces(1), pdf, logo=tmp_path / "missing.png")
    broken = tmp_path / "broken.png"
    broken.write_text("not an image")
    with pytest.raises(ValueError, match="logo"):
        render_cards(make_faces(1), pdf, logo=broken)
    assert not pdf.exists()


def test_printing_loads_no_qt():
    script = (
        "import io, sys\n"
        "from desktop.printing.loyalty_cards import CardFace, render_cards\n"
        "render_cards([CardFace('Shop', 'Ana', 'R0000000X', 'R000-0000-X', 5)], io.BytesIO())\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
