"""Cleaning of free text typed by staff: what is kept, what is refused, and why."""

from __future__ import annotations

import re
import unicodedata

from desktop.errors import InvalidInput, Problem, translatable

# Bidirectional embedding/override/isolate controls can make a name display as something else.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that show nothing, as wide as a space or not at all: the Hangul fillers and the blank
# Braille cell. With the format characters (Unicode category Cf: zero-width spaces and joiners,
# direction marks, the byte-order mark, the soft hyphen) they are taken out of what is stored.
_FILLERS = "\u115f\u1160\u3164\uffa0\u2800"
_HAS_FILLER = re.compile(f"[{_FILLERS}]")
# Zero-width (non-)joiners change how letters of these scripts are drawn (Persian "می‌خواهم",
# Devanagari "क्‍ष"): between two of their letters they are kept; anywhere else they go.
_JOINERS = "\u200c\u200d"
_JOINING_SCRIPTS = {
    "ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL",
    "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "KHMER", "MYANMAR", "TIBETAN",
}
# A "+" in front marks an international phone number, which is not a card.
_CARD_CANDIDATE = re.compile(r"(?<![\d+])(?:\d[ -]?){12,18}\d(?!\d)")


def clean_text(value: str | None, *, max_length: int, multiline: bool = False) -> str | Problem:
    """Returns the cleaned text, or the Problem that makes it unacceptable."""
    text = unicodedata.normalize("NFC", value or "")
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    for char in text:
        if char in _BIDI_CONTROLS:
            return Problem(translatable("Contains a hidden text-direction control character."))
        if multiline and char in "\n\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029":
            return Problem(translatable("Contains a control character."))
    if text and not has_visible_character(text):
        return Problem(translatable("Has no visible character: only invisible or blank ones."))
    text = without_invisible(text).strip()
    if len(text) > max_length:
        return Problem(
            translatable("Too long: at most {max} characters ({length} given)."),
            {"max": max_length, "length": len(text)},
        )
    if looks_like_card_number(text):
        return Problem(
            translatable("Looks like a payment card number. Card numbers are never stored.")
        )
    return text


# What clean_text refuses, as character classes: control characters (Cc is exactly U+0000-001F
# and U+007F-009F), lone surrogates (Cs), line and paragraph separators, bidirectional controls.
_ALSO_REFUSED = "\x7f-\x9f\ud800-\udfff\u2028\u2029" + "".join(sorted(_BIDI_CONTROLS))
_REFUSED_ONE_LINE = re.compile(f"[\x00-\x1f{_ALSO_REFUSED}]")
_REFUSED_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f{_ALSO_REFUSED}]")  # tab and line feed are kept


def is_clean_text(value: str, *, max_length: int, multiline: bool = False) -> bool:
    """True exactly when clean_text would give value back unchanged: already clean, as stored.

    For checking many stored values at once (a sync import): one regular expression instead
    of a loop over every character.
    """
    if len(value) > max_length or value != value.strip():
        return False
    refused = _REFUSED_MULTILINE if multiline else _REFUSED_ONE_LINE
    if refused.search(value) or not unicodedata.is_normalized("NFC", value):
        return False
    if value and (_may_hold_invisible(value.replace("\n", "").replace("\t", "")) or not has_visible_character(value)):
        return clean_text(value, max_length=max_length, multiline=multiline) == value  # the rare slow path
    return not (len(value) >= 13 and looks_like_card_number(value))


def has_visible_character(text: str) -> bool:
    """A letter, digit, punctuation mark or symbol that shows (not a filler, not a lone accent)."""
    return any(unicodedata.category(char)[0] in "LNPS" and char not in _FILLERS for char in text)


def _may_hold_invisible(text: str) -> bool:
    """False when text surely holds no format character nor filler (quick, for the usual text)."""
    return not text.isprintable() or _HAS_FILLER.search(text) is not None


def without_invisible(text: str, *, keep_joiners: bool = True) -> str:
    """text without format characters and fillers; with keep_joiners, a zero-width (non-)joiner
    between two letters of a script that needs it stays."""
    if not _may_hold_invisible(text):
        return text
    return "".join(
        char for index, char in enumerate(text)
        if not _is_invisible(char) or (keep_joiners and char in _JOINERS and _joins_letters(text, index))
    )


def _is_invisible(char: str) -> bool:
    return char in _FILLERS or unicodedata.category(char) == "Cf"


def _joins_letters(text: str, index: int) -> bool:
    """The joiner at index sits between two letters (or a letter's marks) of joining scripts."""
    if index == 0 or index + 1 == len(text):
        return False
    return all(_in_joining_script(char) for char in (text[index - 1], text[index + 1]))


def _in_joining_script(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM" and unicodedata.name(char, " ").split()[0] in _JOINING_SCRIPTS


MAX_STAFF_NAME = 80


def staff_name(value: str | None) -> str:
    """Who did it, as recorded beside a change: cleaned like a name, or InvalidInput on "staff"."""
    cleaned = clean_text(value, max_length=MAX_STAFF_NAME)
    if isinstance(cleaned, Problem):
        raise InvalidInput({"staff": cleaned})
    return cleaned


def looks_like_card_number(text: str) -> bool:
    """A run of 13-19 digits (spaces or dashes allowed) that passes the Luhn check."""
    for match in _CARD_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if _luhn_ok(digits):
            return True
    return False


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def fold(text: str) -> str:
    """Case- and accent-insensitive form in any script, without invisible characters: "João" and
    "Jo\u200bão" -> "joao", "Παπαδόπουλος" -> "παπαδοπουλοσ"."""
    decomposed = unicodedata.normalize("NFKD", without_invisible(text, keep_joiners=False))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Words break at spaces and hyphens only: punctuation is kept, so a search for "%" or
# "' OR 1=1 --" finds only names that literally hold it.
_WORD_BREAK = re.compile(r"[\s\-\u2010-\u2015]+")


def folded_words(text: str) -> list[str]:
    return [w for w in _WORD_BREAK.split(fold(text)) if w]
