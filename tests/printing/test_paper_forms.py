"""Blank paper forms, rendered for real and read back with poppler."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from desktop.printing.page_layout import NoticeText, ShopHeader
from desktop.printing.paper_forms import FORM_KINDS, render_blank_form
from tests.pdf_reading import (
    A4_POINTS,
    LETTER_POINTS,
    flat_text,
    fonts,
    images,
    marked_texts,
    page_count,
    page_size_points,
    pdf_text,
    require_poppler,
    word_heights,
)
from tests.printing.helpers import assert_prints_alone

SHOP = "Padaria Pão Quente"
CONTACT = "Rua das Flores 12, Lisboa · +351 21 346 0000"
# As long as the shop's default notice: about 1,000 characters in five paragraphs.
NOTICE_PARAGRAPHS = (
    ("Padaria Pão Quente keeps a customer book so we can serve you, run our loyalty card, hold your reservations "
     "and look after your warranties."),
    ("What we keep: your name and the contact details you give us (phone, email, address), your visits, loyalty "
     "stamps, reservations, warranties and calls. We only ask for more when you want something that needs it."),
    ("Offers and news: only by the channels you tick (email, SMS, post). You can change your mind at any time, at "
     "the counter or by telling us, and we record when you did."),
    ("How long: while you are a customer; if we have not seen you for several years we review your details and "
     "anonymise them. Backups are kept for at most 30 days."),
    ("Your rights: you may ask to see everything we hold about you, to correct it, or to have it erased. Ask at the "
     "counter."),
)
NOTICE = NoticeText(7, "\n\n".join(NOTICE_PARAGRAPHS))
NOTICE_PHRASE = "if we have not seen you for several years we review your details and anonymise them"
REASONS = ["Price / availability", "Order status", "Repair", "Complaint"]
HEARD_FROM = ["Walking past", "Friend or family", "Instagram", "Google", "Newspaper"]
TITLES = {
    "signup": "Join our mailing list",
    "reservation": "Reservation / pre-order",
    "warranty": "Warranty registration",
    "inquiry": "Phone inquiry",
}
LABELS = {
    "signup": ["First name", "Last name", "Phone", "Email", "Address", "Postal code", "City",
               "How did you hear about us?", "Other:", "Marketing consent", "Privacy notice, version 7", "Date",
               "Signature", "For the shop: entered by"],
    "reservation": ["Customer name", "Phone", "Item", "Quantity", "Deposit paid", "Expected date", "Notes",
                    "Your details are used for this reservation only. Privacy notice, version 7:",
                    "For the shop: entered by"],
    "warranty": ["Customer name", "Phone", "Email", "Address", "Product", "Serial number", "Purchase date",
                 "Warranty (months)", "Receipt number", "Date", "Signature", "Notes",
                 "Your details are used for this warranty only. Privacy notice, version 7:"],
    "inquiry": ["Date and time of call", "Caller name", "Phone", "Reason for the call", "Notes", "Follow-up date",
                "Taken by", "New caller? How did you hear about us?", "Other:",
                "The caller's details are used for this inquiry only. Privacy notice, version 7:"],
}
CONSENT = ["I agree to receive offers by email", "I agree to receive offers by SMS",
           "I agree to receive offers by post", "Leave unticked if you do not agree. You can withdraw at any time."]


@pytest.fixture(scope="module", autouse=True)
def poppler():
    require_poppler()


def render(tmp_path: Path, kind: str, header: ShopHeader | None = None, notice: NoticeText = NOTICE,
           **options) -> tuple[Path, int]:
    pdf = tmp_path / f"{kind}.pdf"
    options.setdefault("call_reasons", REASONS)
    options.setdefault("heard_from_choices", HEARD_FROM)
    pages = render_blank_form(kind, header or ShopHeader(SHOP, contact_line=CONTACT), notice, pdf, **options)
    return pdf, pages


@pytest.fixture(scope="module")
def forms(tmp_path_factory) -> dict[tuple[str, str], tuple[Path, int]]:
    folder = tmp_path_factory.mktemp("forms")
    rendered = {}
    for paper in ("A4", "Letter"):
        for kind in FORM_KINDS:
            (folder / paper).mkdir(exist_ok=True)
            rendered[kind, paper] = render(folder / paper, kind, ShopHeader(SHOP, paper, CONTACT))
    return rendered


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("kind", FORM_KINDS)
def test_every_form_is_one_page_of_its_paper(forms, kind, paper):
    pdf, pages = forms[kind, paper]
    assert pages == page_count(pdf) == 1
    assert page_size_points(pdf) == pytest.approx(A4_POINTS if paper == "A4" else LETTER_POINTS, abs=0.01)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("kind", FORM_KINDS)
def test_every_form_prints_its_title_labels_and_notice(forms, kind, paper):
    pdf, _ = forms[kind, paper]
    text, flat = pdf_text(pdf), flat_text(pdf)
    for expected in [TITLES[kind], SHOP, CONTACT, *LABELS[kind]]:
        assert expected in text, expected
    assert NOTICE_PHRASE in flat
    assert "Page 1" not in text  # a one-page form has no page number


def test_the_signup_form_asks_for_each_consent_and_offers_the_shops_choices(forms):
    text = flat_text(forms["signup", "A4"][0])
    for line in CONSENT + HEARD_FROM:
        assert line in text, line
    assert "Repair" not in text  # call reasons belong to the phone form


def test_the_inquiry_form_offers_the_call_reasons_and_how_they_heard(forms):
    text = flat_text(forms["inquiry", "Letter"][0])
    for choice in REASONS + HEARD_FROM:
        assert choice in text, choice
    assert "I agree to receive offers" not in text


def test_without_choices_a_question_gets_a_box_to_write_in(tmp_path):
    pdf, _ = render(tmp_path, "inquiry", call_reasons=(), heard_from_choices=())
    text = pdf_text(pdf)
    assert "Reason for the call" in text and "New caller? How did you hear about us?" in text
    assert "Other:" not in text


def test_a_long_choice_shrinks_or_is_cut_to_its_column(tmp_path):
    long_choice = "A recommendation from a neighbour who has shopped here since the shop first opened its doors"
    pdf, pages = render(tmp_path, "signup", heard_from_choices=[long_choice, *HEARD_FROM])
    assert pages == 1
    assert "A recommendation from a neighbour" in flat_text(pdf)


def test_greek_and_portuguese_print_verbatim_in_the_embedded_font(tmp_path):
    greek = "Κρατάμε το όνομα και το τηλέφωνό σας μόνο για να σας εξυπηρετούμε. Ρωτήστε στο ταμείο."
    notice = NoticeText(2, f"{greek}\n\nA Padaria Pão Quente guarda o seu nome e telefone.")
    pdf, _ = render(tmp_path, "signup", ShopHeader("Ψητοπωλείο Ο Γιώργος", contact_line="Οδός Ερμού 5, Αθήνα"),
                    notice, heard_from_choices=["Από φίλους", "Passava na rua"])
    text, flat = pdf_text(pdf), flat_text(pdf)
    for expected in ("Ψητοπωλείο Ο Γιώργος", "Οδός Ερμού 5, Αθήνα", "Από φίλους", "Passava na rua"):
        assert expected in text, expected
    assert greek in flat
    assert "A Padaria Pão Quente guarda o seu nome e telefone." in flat
    assert {name for name, _ in fonts(pdf)} == {"DejaVuSans", "DejaVuSans-Bold"}
    assert all(embedded == "yes" for _, embedded in fonts(pdf))


def test_shop_text_prints_literally_not_as_markup(tmp_path):
    pdf, _ = render(tmp_path, "reservation", ShopHeader("<b>Ana & Co</b>", contact_line="Tel & <i>fax</i>"),
                    NoticeText(1, "We keep <u>nothing</u> & more."), call_reasons=["<br/>"])
    text = pdf_text(pdf)
    for expected in ("<b>Ana & Co</b>", "Tel & <i>fax</i>", "We keep <u>nothing</u> & more."):
        assert expected in text, expected


def test_labels_pass_through_translate(tmp_path):
    translations = {
        "Join our mailing list": "Junte-se à nossa lista",
        "First name": "Nome próprio",
        "Privacy notice, version {version}": "Aviso de privacidade, versão {version}",
    }
    pdf, _ = render(tmp_path, "signup", translate=lambda source: translations.get(source, source))
    text = pdf_text(pdf)
    assert "Junte-se à nossa lista" in text and "Nome próprio" in text and "Aviso de privacidade, versão 7" in text
    assert "Join our mailing list" not in text and "First name" not in text


@pytest.mark.parametrize("kind", FORM_KINDS)
def test_everything_translated_is_marked_for_the_translators(tmp_path, kind):
    """Each text handed to translate is a translatable("...") literal, so lupdate finds it; shop text never is."""
    asked: list[str] = []

    def translate(source: str) -> str:
        asked.append(source)
        return f"«{source}»"

    pdf, _ = render(tmp_path, kind, notice=NoticeText(3, "A notice. " * 700), translate=translate)  # two pages
    marked = marked_texts()
    assert asked and set(asked) <= marked, set(asked) - marked
    text = pdf_text(pdf)
    assert f"«{TITLES[kind]}»" in text and "«Page 1 of 2»" in text
    assert "«Padaria" not in text and "«Walking past" not in text


def test_a_long_notice_flows_onto_a_second_page_at_no_less_than_7_points(tmp_path):
    sentences = [f"Sentence number {index} of the long notice ends with the word zebra{index}." for index in range(60)]
    notice = NoticeText(5, "\n".join(sentences))
    pdf, pages = render(tmp_path, "signup", notice=notice)
    assert pages == page_count(pdf) == 2
    flat = flat_text(pdf)
    for index in range(60):
        assert f"zebra{index}." in flat
    assert "Privacy notice, version 5 (continued)" in flat
    assert "Page 1 of 2" in flat and "Page 2 of 2" in flat
    heights = word_heights(pdf)
    assert min(heights[f"zebra{index}."] for index in range(60)) >= 7.0  # pdftotext: the type size
    assert flat.index("zebra59.") < flat.index("Signature")  # signed for after the whole notice


def test_a_logo_is_printed(tmp_path):
    logo = io.BytesIO()
    Image.new("RGB", (300, 120), (200, 60, 20)).save(logo, "PNG")
    pdf, pages = render(tmp_path, "warranty", ShopHeader(SHOP, "Letter", CONTACT, logo.getvalue()))
    assert pages == 1
    assert images(pdf) == ["image"]


def test_a_jpeg_logo_is_printed_too(tmp_path):
    logo = io.BytesIO()
    Image.new("RGB", (200, 200), (20, 60, 200)).save(logo, "JPEG")
    pdf, _ = render(tmp_path, "inquiry", ShopHeader(SHOP, logo_png=logo.getvalue()))
    assert images(pdf) == ["image"]


def test_writes_to_a_binary_file_too(tmp_path):
    buffer = io.BytesIO()
    assert render_blank_form("reservation", ShopHeader(SHOP), NOTICE, buffer) == 1
    pdf = tmp_path / "from-buffer.pdf"
    pdf.write_bytes(buffer.getvalue())
    assert "Reservation / pre-order" in pdf_text(pdf)


def broken_png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (50, 50), (1, 2, 3)).save(image, "PNG")
    return image.getvalue()[:60]  # the header reads, the data does not


@pytest.mark.parametrize(
    ("kind", "header", "message"),
    [
        ("poster", ShopHeader(SHOP), "form kind"),
        ("signup", ShopHeader(SHOP, paper_size="A3"), "paper size"),
        ("signup", ShopHeader(SHOP, paper_size="a4"), "paper size"),
        ("signup", ShopHeader(SHOP, logo_png=b"not an image"), "logo"),
        ("signup", ShopHeader(SHOP, logo_png=b""), "logo"),
        ("signup", ShopHeader(SHOP, logo_png=broken_png()), "logo"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tmp_path, kind, header, message):
    pdf = tmp_path / "form.pdf"
    with pytest.raises(ValueError, match=message):
        render_blank_form(kind, header, NOTICE, pdf)
    assert list(tmp_path.iterdir()) == []
    buffer = io.BytesIO()
    with pytest.raises(ValueError, match=message):
        render_blank_form(kind, header, NOTICE, buffer)
    assert buffer.getvalue() == b""


def test_a_failure_leaves_the_previous_pdf_in_place(tmp_path):
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(b"the form printed yesterday")

    def failing(source: str) -> str:
        if source == "Notes":
            raise RuntimeError("translator crashed half-way through the page")
        return source

    with pytest.raises(RuntimeError):
        render_blank_form("reservation", ShopHeader(SHOP), NOTICE, pdf, translate=failing)
    assert pdf.read_bytes() == b"the form printed yesterday"
    assert [path.name for path in tmp_path.iterdir()] == ["form.pdf"]  # no temporary file left behind


def test_printing_forms_loads_neither_qt_nor_the_database():
    assert_prints_alone(
        "from desktop.printing.page_layout import NoticeText, ShopHeader\n"
        "from desktop.printing.paper_forms import render_blank_form\n"
        "render_blank_form('signup', ShopHeader('Shop'), NoticeText(1, 'Notice.'), io.BytesIO())\n"
    )
