"""Phone numbers: parsed for the shop's region, stored in E.164, shown nationally."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from desktop.errors import Problem, translatable

MAX_PHONE_INPUT = 40


@dataclass(frozen=True)
class ParsedPhone:
    e164: str
    national_number: str

    @property
    def reversed_digits(self) -> str:
        return self.national_number[::-1]


def parse_phone(raw: str, region: str) -> ParsedPhone | Problem:
    """A valid number in any common format, or the Problem that says what is wrong."""
    text = (raw or "").strip()
    if not text:
        return Problem(translatable("Enter a phone number."))
    if len(text) > MAX_PHONE_INPUT:
        return Problem(translatable("Too long for a phone number."))
    if re.search(r"[^\d\s()+\-./x#*]", text, re.IGNORECASE):
        return Problem(translatable("A phone number has only digits, spaces and + ( ) - ."))
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return Problem(translatable("Not a phone number."))
    if not phonenumbers.is_valid_number(number):
        return Problem(
            translatable("Not a valid phone number for {region}. Start with + and the country code if it is foreign."),
            {"region": region},
        )
    return ParsedPhone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        national_number=phonenumbers.national_significant_number(number),
    )


_E164 = re.compile(r"\+[1-9]\d{5,14}")


def split_e164(text: str) -> tuple[int, str] | None:
    """(country code, national significant number) of an E.164 string, read off its front.

    Country codes are prefix-free, so the first of 1, 2 or 3 digits that is one is the one.
    Says nothing about whether the number is valid: see parse_e164.
    """
    if not _E164.fullmatch(text or ""):
        return None
    digits = text[1:]
    for length in (1, 2, 3):
        code = int(digits[:length])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return code, digits[length:]
    return None


def parse_e164(text: str) -> ParsedPhone | Problem:
    """A number stored in E.164 (as a sync bundle carries it), accepted exactly when parse_phone
    would accept it and give back the same text, but about three times faster.

    The country code is read off the front instead of running the general parser; whatever
    that shortcut cannot vouch for goes through parse_phone itself.
    """
    split = split_e164(text)
    if split is None:
        return Problem(translatable("Not a phone number in international form (+ and digits)."))
    code, national = split
    if national and not national.startswith("0"):  # a leading zero (Italy) needs the full parser
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
        if phonenumbers.is_valid_number(number) and phonenumbers.format_number(number, PhoneNumberFormat.E164) == text:
            return ParsedPhone(e164=text, national_number=national)
    parsed = parse_phone(text, "ZZ")
    if isinstance(parsed, Problem):
        return parsed
    return parsed if parsed.e164 == text else Problem(translatable("Not a phone number."))


def exact_phone(raw: str, region: str) -> str | None:
    """The E.164 form of a query if it is a complete valid number, else None (never raises)."""
    if not raw or len(raw) > MAX_PHONE_INPUT:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display_phone(e164: str, region: str) -> str:
    """National format for numbers of the shop's country, international for the rest."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def digits_only(text: str) -> str:
    """ASCII digits of text; Arabic-Indic, full-width and other decimal digits count too."""
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def format_as_you_type(raw: str, region: str) -> str:
    """What a phone field shows while the number is being typed; national format once complete."""
    complete = exact_phone(raw, region)
    if complete:
        return display_phone(complete, region)
    formatter = phonenumbers.AsYouTypeFormatter(region)
    shown = ""
    for char in raw:
        if char.isdigit() or char == "+":
            shown = formatter.input_digit(char)
    return shown or raw


def is_supported_region(region: str) -> bool:
    return region in phonenumbers.SUPPORTED_REGIONS
