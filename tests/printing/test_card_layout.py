"""The card's geometry and the pieces it is drawn from, checked without rendering."""

from __future__ import annotations

import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from desktop.paths import resources_dir
from desktop.printing import card_face, code128, qr
from desktop.printing.fonts import BOLD, REGULAR, register_fonts
from desktop.printing.text_fit import ELLIPSIS, fit_text, one_line

CODES = ["R7K3M9Q2X", "R0000000*", "RZZZZZZZ~", "R1234567=", "RABCDEFG$", "RHJKMNPQU"]


@pytest.fixture(scope="module", autouse=True)
def fonts():
    register_fonts()
    register_fonts()  # a second call is harmless


def test_the_fonts_ship_with_their_licence():
    folder = resources_dir() / "fonts"
    assert (folder / "DejaVuSans.ttf").is_file() and (folder / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream Vera" in (folder / "DejaVu-LICENSE.txt").read_text(encoding="utf-8")
    assert {REGULAR, BOLD} <= set(pdfmetrics.getRegisteredFontNames())


# --- layout ----------------------------------------------------------------------------------


def test_the_bands_are_stacked_without_overlap():
    assert card_face.SHOP_BASELINE > card_face.PROGRAMME_BASELINE > card_face.HEADER_BOTTOM
    name_bottom = card_face.NAME_BASELINE - card_face.DESCENT * card_face.NAME_SIZE
    name_top = card_face.NAME_BASELINE + card_face.ASCENT * card_face.NAME_SIZE
    assert name_top < card_face.HEADER_BOTTOM
    assert card_face.STAMPS_TOP < name_bottom
    qr_quiet_top = card_face.BARS_TOP + qr.QUIET_MODULES * card_face.QR_SIZE / qr.SMALLEST_SIDE
    assert card_face.STAMPS_BOTTOM > qr_quiet_top
    assert card_face.BARS_BOTTOM > card_face.CODE_TEXT_BASELINE + 0.75 * card_face.CODE_TEXT_SIZE
    assert card_face.CODE_TEXT_BASELINE >= card_face.MARGIN


@pytest.mark.parametrize("count", range(1, card_face.MAX_STAMP_BOXES + 1))
def test_stamp_boxes_fit_their_band_and_never_touch(count):
    boxes = card_face.stamp_boxes(count)
    assert len(boxes) == count
    for box in boxes:
        assert box.x >= card_face.MARGIN and box.x + box.width <= card_face.CARD_WIDTH - card_face.MARGIN + 1e-6
        assert box.y >= card_face.STAMPS_BOTTOM and box.y + box.height <= card_face.STAMPS_TOP
        assert box.width >= 5 * mm  # room for a stamp, a punch or initials
    rows = sorted({box.y for box in boxes}, reverse=True)
    assert len(rows) == (1 if count <= card_face.ONE_ROW_STAMPS else 2)
    for row in rows:
        in_row = [box for box in boxes if box.y == row]
        for left, right in zip(in_row, in_row[1:]):
            assert right.x - (left.x + left.width) >= card_face.STAMP_GAP - 1e-6
    if len(rows) == 2:
        assert rows[0] - (rows[1] + boxes[0].height) >= card_face.STAMP_GAP - 1e-6


@pytest.mark.parametrize("count", [0, card_face.MAX_STAMP_BOXES + 1])
def test_stamp_counts_outside_the_range_are_refused(count):
    with pytest.raises(ValueError):
        card_face.stamp_boxes(count)


@pytest.mark.parametrize("code", CODES + ["R" + "0123456789" * 3])
def test_both_barcodes_keep_their_quiet_zones(code):
    module = card_face.bar_module(code)
    assert module * code128.QUIET_MODULES <= card_face.MARGIN + 1e-6  # left quiet zone inside the card
    bars_right = card_face.MARGIN + code128.symbol_modules(code) * module
    qr_left = card_face.CARD_WIDTH - card_face.MARGIN - card_face.QR_SIZE
    qr_module = card_face.QR_SIZE / qr.qr_modules(code)
    assert qr_left - bars_right >= max(code128.QUIET_MODULES * module, qr.QUIET_MODULES * qr_module) - 1e-6
    assert qr.QUIET_MODULES * qr_module <= card_face.MARGIN  # the QR quiet zone stays on the card too


def test_a_nine_character_code_gets_generous_bars():
    assert card_face.bar_module("R7K3M9Q2X") == pytest.approx(card_face.BAR_MODULE_MAX)
    assert qr.qr_modules("R7K3M9Q2X") == 21  # version 1: 0.6 mm modules


# --- barcodes --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_code128_bars_add_up_to_whole_symbols(code):
    dark, width = code128.bars(code)
    assert width == code128.symbol_modules(code) == 11 * (len(code) + 3) + 2
    assert dark[0][0] == 0 and sum(modules for _, modules in dark) < width
    values = code128.symbol_values(code)
    assert values[0] == code128.START_B and values[-1] == code128.STOP
    assert values[-2] == (values[0] + sum(i * v for i, v in enumerate(values[1:-2], start=1))) % 103


@pytest.mark.parametrize("text", ["", "João", "tab\there"])
def test_code128_refuses_what_set_b_cannot_hold(text):
    assert not code128.can_encode(text)
    with pytest.raises(ValueError):
        code128.bars(text)


@pytest.mark.parametrize("code", CODES)
def test_qr_rectangles_cover_exactly_the_dark_modules(code):
    matrix = qr.qr_matrix(code)
    covered = [[0] * len(row) for row in matrix]
    rects = qr.dark_rects(matrix)
    for column, row, width, height in rects:
        for y in range(row, row + height):
            for x in range(column, column + width):
                assert covered[y][x] == 0  # no module drawn twice
                covered[y][x] = 1
    assert [bytes(row) for row in covered] == [bytes(row) for row in matrix]
    assert len(rects) < sum(map(sum, matrix)) / 2  # merging pays: far fewer rectangles than modules


# --- text ------------------------------------------------------------------------------------


def test_a_short_line_keeps_its_size():
    fitted = fit_text("Ana", REGULAR, 100, 10, 7)
    assert (fitted.text, fitted.size) == ("Ana", 10)


def test_a_longer_line_shrinks_to_fit():
    name = "Γιώργος Παπαδόπουλος-Κωνσταντίνου"
    full = pdfmetrics.stringWidth(name, REGULAR, 10)
    fitted = fit_text(name, REGULAR, full * 0.8, 10, 7)
    assert fitted.text == name and 7 <= fitted.size < 10
    assert pdfmetrics.stringWidth(fitted.text, REGULAR, fitted.size) <= full * 0.8


def test_a_line_too_long_even_when_shrunk_ends_in_an_ellipsis():
    name = "Maria Aparecida dos Santos Oliveira de Albuquerque Cavalcanti e Silva"
    fitted = fit_text(name, REGULAR, 150, 10, 8)
    assert fitted.size == 8 and fitted.text.endswith(ELLIPSIS)
    assert name.startswith(fitted.text[:-1].rstrip())
    assert pdfmetrics.stringWidth(fitted.text, REGULAR, 8) <= 150


def test_an_accent_is_never_cut_from_its_letter():
    decomposed = "Joa\u0303o Simo\u0303es " * 5  # NFD input is composed first
    fitted = fit_text(decomposed, REGULAR, 60, 10, 8)
    assert "\u0303" not in fitted.text and fitted.text.endswith(ELLIPSIS)
    marked = "x\u0320" * 60  # x with a combining mark that has no composed form
    for width in range(20, 200, 7):
        kept = fit_text(marked, REGULAR, width, 10, 8).text[:-1]
        assert len(kept) % 2 == 0, width  # every x keeps its mark


def test_markup_and_control_characters_stay_plain_text():
    assert one_line("<b>Ana & Co</b>") == "<b>Ana & Co</b>"
    assert one_line("  Ana\n\tde\u200b  Souza\x00 ") == "Ana de Souza"
    assert one_line("An\u00ada") == "Ana"  # invisible format characters (a soft hyphen here) are dropped
