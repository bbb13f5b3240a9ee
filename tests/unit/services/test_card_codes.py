"""Loyalty card codes: their shape, how typed codes are read, and which typos the check catches."""

from __future__ import annotations

import random

import pytest

from desktop.services.card_codes import (
    ALPHABET,
    LENGTH,
    check_char,
    display,
    is_valid,
    looks_like_code,
    new_code,
    normalise,
)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O or U
PLAIN_DIGITS = "23456789"  # digits nobody types as a look-alike letter


def textbook_check(body: str) -> str:
    """An independent check character: sum of v_i * x^(n-i) over GF(2)[x] / (x^5 + x^2 + 1)."""

    def multiply(a: int, b: int) -> int:
        product = 0
        for bit in range(5):
            if b >> bit & 1:
                product ^= a << bit
        for bit in range(9, 4, -1):  # reduce the degree-8 product
            if product >> bit & 1:
                product ^= 0b100101 << (bit - 5)
        return product

    n = len(body)
    total = 0
    for i, char in enumerate(body):
        power = 1
        for _ in range(n - i):
            power = multiply(power, 2)
        total ^= multiply(CROCKFORD.index(char), power)
    return CROCKFORD[total]


def sample_codes(count: int, seed: int) -> list[str]:
    """Reproducible codes of the same form new_code() makes (body, check, a plain digit)."""
    rng = random.Random(seed)
    codes: list[str] = []
    while len(codes) < count:
        body = "R" + "".join(rng.choice(CROCKFORD) for _ in range(7))
        code = body + textbook_check(body)
        if any(c in PLAIN_DIGITS for c in code):
            codes.append(code)
    return codes


CODES = sample_codes(200, seed=20240611)


def with_char(code: str, position: int, char: str) -> str:
    return code[:position] + char + code[position + 1:]


def swapped(code: str, position: int) -> str:
    chars = list(code)
    chars[position], chars[position + 1] = chars[position + 1], chars[position]
    return "".join(chars)


# --- new codes ----------------------------------------------------------------------------


def test_the_alphabet_is_crockford_base_32():
    assert ALPHABET == CROCKFORD
    assert not set("ILOU") & set(ALPHABET)
    assert LENGTH == 9


def test_new_codes_have_the_documented_shape():
    codes = [new_code() for _ in range(500)]
    for code in codes:
        assert len(code) == 9, code
        assert code.startswith("R"), code
        assert set(code[1:]) <= set(CROCKFORD), code
        assert any(c.isdigit() for c in code), code
        # A digit no one types as a letter, so typing O for 0 or L for 1 never hides it.
        assert any(c in PLAIN_DIGITS for c in code), code
        assert code[-1] == textbook_check(code[:-1]) == check_char(code[:-1]), code
        assert looks_like_code(code) and is_valid(code), code
        assert normalise(code) == code
    assert len(set(codes)) == len(codes)


def test_check_char_agrees_with_the_textbook_polynomial():
    rng = random.Random(7)
    for _ in range(300):
        body = "R" + "".join(rng.choice(CROCKFORD) for _ in range(7))
        assert check_char(body) == textbook_check(body), body


# --- reading what was typed ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("R7K3M9Q2X", "R7K3M9Q2X"),
        ("r7k3m9q2x", "R7K3M9Q2X"),
        ("R7K3-M9Q2-X", "R7K3M9Q2X"),
        ("r7k3 m9q2 x", "R7K3M9Q2X"),
        ("  R7K3 - M9Q2 - X  ", "R7K3M9Q2X"),
        ("RO2I-L3oi-l", "R0211301" + "1"),  # O is zero, I and L are one, in either case
        ("rolo", "R010"),
    ],
)
def test_normalise(typed, read):
    assert normalise(typed) == read


@pytest.mark.parametrize(("typed", "read"), [("Olivia", "OLIVIA"), ("lima-silva", "LIMASILVA"), ("", ""), (None, "")])
def test_normalise_reads_look_alikes_only_after_the_prefix(typed, read):
    assert normalise(typed) == read


def test_the_prefix_is_kept_as_typed():
    # "R" is in the alphabet and is no look-alike: it is never turned into anything else.
    assert normalise("rrrr") == "RRRR"


def test_display_groups_the_code_for_people():
    assert display("R7K3M9Q2X") == "R7K3-M9Q2-X"
    for code in CODES[:20]:
        shown = display(code)
        assert len(shown) == 11 and shown[4] == shown[9] == "-"
        assert normalise(shown) == code
        assert is_valid(shown) and is_valid(shown.lower())


def test_look_alike_letters_typed_for_digits_still_read_as_the_code():
    body = "R0A1B2C1"
    code = body + check_char(body)
    for typed in (code.replace("0", "O").replace("1", "I"), code.replace("0", "o").replace("1", "l"), display(code)):
        assert is_valid(typed), typed
        assert normalise(typed) == code


# --- typos are refused --------------------------------------------------------------------


def test_every_single_character_substitution_is_refused():
    tried = 0
    for code in CODES:
        for position in range(len(code)):
            for char in CROCKFORD:
                if char == code[position]:
                    continue
                typo = with_char(code, position, char)
                assert not is_valid(typo), (code, typo)
                assert not is_valid(typo.lower()), (code, typo)
                tried += 1
    assert tried == len(CODES) * 9 * 31


def test_every_adjacent_transposition_is_refused():
    tried = 0
    for code in CODES:
        for position in range(len(code) - 1):
            if code[position] == code[position + 1]:  # a swap that changes nothing
                continue
            typo = swapped(code, position)
            assert not is_valid(typo), (code, typo)
            tried += 1
    assert tried > len(CODES) * 7


def test_a_swap_of_neighbouring_0_and_z_is_refused():  # Luhn mod 32's blind spot
    body = "R20Z3456"
    code = body + check_char(body)
    assert not is_valid(swapped(code, 2))


def test_a_wrong_length_is_refused():
    code = CODES[0]
    assert not is_valid(code[:-1])
    assert not is_valid(code + "2")
    assert not is_valid(code[:4] + code[5:])


# --- what is not a code -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Rosemarie",  # "R0SEMAR1E" once O and I are read as digits: still a name
        "ROSEMARIE",
        "rosemarie",
        "Robertson",
        "Rosalinda",
        "Rodolfo",
        "Ricardo",
        "R",
        "",
        "Ana Souza",
        "rosa@example.com",
        "(11) 98765-4321",
        "+55 11 98765 4321",
        "98765-4321",
        "11987654321",
        "4321",
        "R$ 12,50",
    ],
)
def test_names_and_phone_numbers_are_not_codes(text):
    assert not looks_like_code(text)
    assert not is_valid(text)


def test_a_code_with_a_wrong_check_character_still_looks_like_a_code():
    code = CODES[0]
    wrong = with_char(code, 8, next(c for c in CROCKFORD if c != code[8]))
    assert looks_like_code(wrong)
    assert not is_valid(wrong)
