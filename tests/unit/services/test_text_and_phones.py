"""Text cleaning, folding, name keys and phone numbers: the pure functions under lookup and input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.errors import Problem
from desktop.services.phones import (
    MAX_PHONE_INPUT,
    ParsedPhone,
    digits_only,
    display_phone,
    exact_phone,
    format_as_you_type,
    parse_phone,
)
from desktop.services.search_keys import MAX_KEY, email_key, name_keys, query_key
from desktop.services.text import clean_text, fold, folded_words, looks_like_card_number

# --- fold ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("João", "joao"),
        ("JOÃO", "joao"),
        ("Conceição", "conceicao"),
        ("Παπαδόπουλος", "παπαδοπουλοσ"),
        ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "παπαδοπουλοσ"),
        ("παπαδοπουλος", "παπαδοπουλοσ"),  # final sigma and sigma meet
        ("Ελένη", "ελενη"),
        ("Straße", "strasse"),
        ("Ĳsbrand", "ijsbrand"),  # Dutch IJ ligature (compatibility decomposition)
        ("Jo\u0301se\u0301", "jose"),  # already decomposed input
        ("ﬁona", "fiona"),
        ("", ""),
    ],
)
def test_fold_ignores_case_accents_and_script_variants(text, folded):
    assert fold(text) == folded


def test_fold_keeps_punctuation_and_digits():
    assert fold("O'Neill 100% _x_") == "o'neill 100% _x_"


def test_folded_words_split_on_spaces_and_hyphens_only():
    assert folded_words("  Ana-Maria   da\tSilva ") == ["ana", "maria", "da", "silva"]
    assert folded_words("Jean\u2013Luc") == ["jean", "luc"]  # en dash
    assert folded_words("' OR 1=1 --") == ["'", "or", "1=1"]
    assert folded_words("   ") == []


# --- name keys ----------------------------------------------------------------------------


def _found_by(query: str, keys: set[str]) -> bool:
    wanted = query_key(query)
    return any(key.startswith(wanted) for key in keys)


def test_name_keys_find_every_word_and_what_follows_in_either_order():
    keys = name_keys("Maria", "da Silva")
    for typed in ("maria", "Maria da Silva", "da silva", "Silva", "silva maria", "da silva maria", "MAR", "sil"):
        assert _found_by(typed, keys), typed
    # Only names are in there: words that are not in the name find nothing.
    for typed in ("ana", "silva da", "maria maria"):
        assert not _found_by(typed, keys), typed


def test_name_keys_are_folded():
    keys = name_keys("João", "Conceição")
    assert keys
    assert all(key == fold(key) for key in keys)
    assert _found_by("joao conceicao", keys)
    assert _found_by("CONCEIÇÃO JOÃO", keys)


def test_name_keys_greek():
    keys = name_keys("Γιώργος", "Παπαδόπουλος")
    for typed in ("παπαδοπουλος", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "Παπαδόπουλος", "παπα", "γιωργος παπ", "παπαδοπουλος γιωργος"):
        assert _found_by(typed, keys), typed


def test_name_keys_include_company_words():
    keys = name_keys("Ana", "", "Padaria Pão Quente")
    for typed in ("ana", "padaria", "pao quente", "quente"):
        assert _found_by(typed, keys), typed


def test_name_keys_hyphenated_first_name():
    keys = name_keys("Ana-Maria", "Souza")
    for typed in ("ana maria", "maria", "souza ana", "ana-maria souza"):
        assert _found_by(typed, keys), typed


def test_name_keys_are_bounded():
    keys = name_keys("a" * 100, " ".join(["b" * 99] * 3), "c" * 120)
    assert keys
    assert all(len(key) <= MAX_KEY for key in keys)


def test_name_keys_of_empty_name_is_empty():
    assert name_keys("", "", "") == set()


_name_word = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lt", "Lo", "Mn")), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(first=st.lists(_name_word, min_size=1, max_size=3), last=st.lists(_name_word, max_size=3))
def test_any_word_of_a_name_and_what_follows_is_a_key_prefix(first, last):
    """The contract the lookup relies on, for names in any script."""
    first_name, last_name = " ".join(first), " ".join(last)
    keys = name_keys(first_name, last_name)
    words = first + last
    for start in range(len(words)):
        assert _found_by(" ".join(words[start:]), keys)
    if last:
        assert _found_by(f"{last_name} {first_name}", keys)


def test_query_key_and_email_key():
    assert query_key("  JOÃO   da-Silva ") == "joao da silva"
    assert email_key("Ana.Souza@Example.COM") == "ana.souza@example.com"
    assert email_key(None) is None
    assert email_key("") is None


# --- clean_text ---------------------------------------------------------------------------


def test_clean_text_strips_and_composes():
    assert clean_text("  Jose\u0301  ", max_length=10) == "José"
    assert clean_text(None, max_length=10) == ""


def test_clean_text_length_counts_after_stripping():
    assert clean_text("  " + "a" * 10 + "  ", max_length=10) == "a" * 10
    problem = clean_text("a" * 11, max_length=10)
    assert isinstance(problem, Problem)
    assert problem.params == {"max": 10, "length": 11}
    assert "at most 10" in problem.text()


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\ud800"])
def test_clean_text_refuses_control_characters(char):
    problem = clean_text(f"Ana{char}Souza", max_length=100)
    assert isinstance(problem, Problem)
    assert "control character" in problem.text()


@pytest.mark.parametrize("char", list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
def test_clean_text_refuses_text_direction_controls(char):
    problem = clean_text(f"invoice{char}fdp.exe", max_length=100)
    assert isinstance(problem, Problem)
    assert "text-direction" in problem.text()


def test_clean_text_line_breaks_only_in_multiline_fields():
    assert isinstance(clean_text("Ana\nSouza", max_length=100), Problem)
    assert isinstance(clean_text("Ana\tSouza", max_length=100), Problem)
    assert clean_text("line 1\r\nline 2\rline 3\n\tindented", max_length=100, multiline=True) == (
        "line 1\nline 2\nline 3\n\tindented"
    )
    assert isinstance(clean_text("a\x00b", max_length=100, multiline=True), Problem)


def test_clean_text_keeps_ordinary_scripts_and_emoji():
    for text in ("Παπαδόπουλος", "D'Ávila", "Zoë 🍞", "مريم", "李小龙"):
        assert clean_text(text, max_length=100) == text


def test_clean_text_refuses_card_numbers():
    problem = clean_text("paid with 4111 1111 1111 1111 last time", max_length=200, multiline=True)
    assert isinstance(problem, Problem)
    assert "card number" in problem.text()


# --- card numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "card: 5500 0000 0000 0004 exp 12/29",
        "378282246310005",  # 15-digit Amex test number
        "6011111111111117",
        "4222222222222",  # 13 digits
    ],
)
def test_luhn_valid_card_numbers_are_recognised(text):
    assert looks_like_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # Luhn fails
        "1234 5678 9012 3456",  # Luhn fails
        "411111111111",  # 12 digits: too short for a card
        "41111111111111111111",  # 20 digits: too long for a card
        "order 1234, table 12",
        "",
    ],
)
def test_other_digit_runs_are_not_card_numbers(text):
    assert not looks_like_card_number(text)


def test_international_phone_numbers_are_not_card_numbers():
    phone = "+55 11 98765-4309"
    digits = digits_only(phone)
    # The digits alone pass the Luhn check, so only the "+" keeps this from being flagged.
    assert looks_like_card_number(digits)
    assert not looks_like_card_number(phone)
    assert not looks_like_card_number(f"call {phone} after 6")
    assert isinstance(clean_text(f"Call {phone}", max_length=100), str)


# --- phones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "e164", "national"),
    [
        ("(11) 98765-4321", "BR", "+5511987654321", "11987654321"),
        ("+55 11 98765 4321", "BR", "+5511987654321", "11987654321"),
        ("011 98765-4321", "BR", "+5511987654321", "11987654321"),
        ("11987654321", "BR", "+5511987654321", "11987654321"),
        ("(11) 3456-7890", "BR", "+551134567890", "1134567890"),
        ("+351 912 345 678", "BR", "+351912345678", "912345678"),
        ("912 345 678", "PT", "+351912345678", "912345678"),
        ("00351 912345678", "PT", "+351912345678", "912345678"),
        ("21 234 5678", "PT", "+351212345678", "212345678"),
        ("694 123 4567", "GR", "+306941234567", "6941234567"),
        ("210 123 4567", "GR", "+302101234567", "2101234567"),
        ("+30 694 123 4567", "GR", "+306941234567", "6941234567"),
        ("06 12345678", "NL", "+31612345678", "612345678"),
        ("06-12345678", "NL", "+31612345678", "612345678"),
        ("+31 6 12345678", "NL", "+31612345678", "612345678"),
        ("020 123 4567", "NL", "+31201234567", "201234567"),
    ],
)
def test_parse_phone(raw, region, e164, national):
    parsed = parse_phone(raw, region)
    assert parsed == ParsedPhone(e164=e164, national_number=national)
    assert parsed.reversed_digits == national[::-1]
    assert exact_phone(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region", "says"),
    [
        ("", "BR", "Enter a phone number"),
        ("   ", "BR", "Enter a phone number"),
        ("1" * (MAX_PHONE_INPUT + 1), "BR", "Too long"),
        ("11 98765-43ab", "BR", "only digits"),
        ("call me", "BR", "only digits"),
        ("123", "BR", "Not a valid phone number for BR"),
        ("(11) 98765-432", "BR", "Not a valid phone number for BR"),
        ("912 345 678", "BR", "Not a valid phone number for BR"),  # Portuguese mobile, typed without +351
        ("694 123", "GR", "Not a valid phone number for GR"),
        ("+", "NL", "Not a phone number"),
    ],
)
def test_parse_phone_problems(raw, region, says):
    problem = parse_phone(raw, region)
    assert isinstance(problem, Problem)
    assert says in problem.text()
    assert exact_phone(raw, region) is None


def test_exact_phone_never_raises():
    for raw in ("", "+", "++55", "x" * 1000, "\x00", "+" + "9" * 40):
        assert exact_phone(raw, "BR") is None


@pytest.mark.parametrize(
    ("e164", "region", "shown"),
    [
        ("+5511987654321", "BR", "(11) 98765-4321"),
        ("+551134567890", "BR", "(11) 3456-7890"),
        ("+351912345678", "PT", "912 345 678"),
        ("+306941234567", "GR", "694 123 4567"),
        ("+31612345678", "NL", "06 12345678"),
        # Foreign numbers are shown internationally, so they can be dialled from the shop.
        ("+351912345678", "BR", "+351 912 345 678"),
        ("+5511987654321", "PT", "+55 11 98765-4321"),
        ("+31612345678", "GR", "+31 6 12345678"),
    ],
)
def test_display_phone(e164, region, shown):
    assert display_phone(e164, region) == shown


def test_display_phone_leaves_unparseable_text_alone():
    assert display_phone("not a number", "BR") == "not a number"


@pytest.mark.parametrize(
    ("typed", "region", "shown"),
    [
        ("1198765", "BR", "11 98765"),
        ("91234", "PT", "912 34"),
        ("69412", "GR", "694 12"),
        ("06123", "NL", "06 123"),
        ("+351 91", "BR", "+351 91"),
    ],
)
def test_format_as_you_type_while_typing(typed, region, shown):
    assert format_as_you_type(typed, region) == shown


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("11987654321", "BR"),
        ("(11) 98765-4321", "BR"),
        ("+5511987654321", "BR"),
        ("912345678", "PT"),
        ("6941234567", "GR"),
        ("0612345678", "NL"),
        ("+351912345678", "BR"),
    ],
)
def test_format_as_you_type_complete_number_looks_like_display(typed, region):
    e164 = exact_phone(typed, region)
    assert e164 is not None
    assert format_as_you_type(typed, region) == display_phone(e164, region)


def test_format_as_you_type_ignores_letters_and_keeps_non_numbers():
    assert format_as_you_type("", "BR") == ""
    assert format_as_you_type("abc", "BR") == "abc"
    assert digits_only(format_as_you_type("11a98765", "BR")) == "1198765"
