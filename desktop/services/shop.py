"""The shop: created once on the first run, read by everything that formats or parses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase, create_shop_file
from desktop.db.key_changes import change_passphrase
from desktop.db.keys import RecoveryKey
from desktop.db.unlock import Secret
from desktop.errors import InvalidInput, Problem, ShopFileError, translatable
from desktop.models import Shop
from desktop.models.base import utc_now
from desktop.services import audit
from desktop.services.permissions import Permission, require
from desktop.services.phones import is_supported_region
from desktop.services.privacy_notice import default_notice_text, publish_notice
from desktop.services.text import clean_text

SHEET_SIZES = ("A4", "Letter")
RECEIPT_ROLLS = ("80mm", "58mm")  # a receipt printer's roll: slips and certificates print narrow
PAPER_SIZES = SHEET_SIZES + RECEIPT_ROLLS
PAPER_PROBLEM = translatable("Paper size is A4, Letter, or a receipt roll: 80mm or 58mm.")
MIN_PASSPHRASE = 8
# Countries that print on Letter paper; everyone else uses A4.
_LETTER_REGIONS = {"US", "CA", "MX", "CL", "CO", "VE", "PH", "GT", "CR", "PA", "DO", "PR", "SV", "NI", "BO"}
# Currency a new shop starts with; the owner can pick any ISO 4217 code.
_REGION_CURRENCY = {
    "BR": "BRL", "PT": "EUR", "GR": "EUR", "NL": "EUR", "ES": "EUR", "FR": "EUR", "DE": "EUR",
    "IT": "EUR", "BE": "EUR", "IE": "EUR", "AT": "EUR", "FI": "EUR", "LU": "EUR", "CY": "EUR",
    "GB": "GBP", "US": "USD", "CA": "CAD", "MX": "MXN", "AR": "ARS", "CL": "CLP", "CO": "COP",
    "PE": "PEN", "UY": "UYU", "AO": "AOA", "MZ": "MZN", "CV": "CVE", "CH": "CHF", "PL": "PLN",
    "SE": "SEK", "NO": "NOK", "DK": "DKK", "TR": "TRY", "IN": "INR", "JP": "JPY", "AU": "AUD",
    "NZ": "NZD", "ZA": "ZAR", "IL": "ILS", "EG": "EGP", "MA": "MAD", "RO": "RON", "BG": "BGN",
}


@dataclass(frozen=True)
class ShopSettings:
    """What a new shop needs; everything else has a default."""

    name: str
    region: str
    currency: str = ""
    paper_size: str = ""


def default_currency(region: str) -> str:
    """The usual currency, or "" where the owner must say (no guessing euros for Iceland)."""
    return _REGION_CURRENCY.get(region.upper(), "")


def default_paper_size(region: str) -> str:
    return "Letter" if region.upper() in _LETTER_REGIONS else "A4"


def sheet_paper(paper_size: str, region: str) -> str:
    """The page size for what needs a whole sheet (blank forms, card sheets, reports): the shop's,
    or the region's usual one when the shop prints on a receipt roll."""
    return paper_size if paper_size in SHEET_SIZES else default_paper_size(region)


def check_settings(settings: ShopSettings) -> ShopSettings:
    """The settings cleaned and completed with defaults, or InvalidInput naming each bad field."""
    problems: dict[str, Problem] = {}
    name = clean_text(settings.name, max_length=120)
    if isinstance(name, Problem):
        problems["shop_name"] = name
    elif not name:
        problems["shop_name"] = Problem(translatable("Enter the shop's name."))
    region = (settings.region or "").strip().upper()
    if not is_supported_region(region):
        problems["region"] = Problem(
            translatable("Unknown country or region code {code!r}: use two letters such as BR, PT, GR or NL."),
            {"code": settings.region},
        )
    currency = (settings.currency or "").strip().upper() or default_currency(region)
    currency_needed = bool(currency) or "region" not in problems  # no default for an unknown region
    if currency_needed and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        problems["currency"] = Problem(
            translatable("Enter the currency as a three-letter code such as BRL or EUR.")
        )
    paper = (settings.paper_size or "").strip() or default_paper_size(region)
    paper = next((p for p in PAPER_SIZES if p.lower() == paper.lower()), paper)
    if paper not in PAPER_SIZES:
        problems["paper_size"] = Problem(PAPER_PROBLEM)
    if problems:
        raise InvalidInput(problems)
    return ShopSettings(name=name, region=region, currency=currency, paper_size=paper)


def check_new_passphrase(passphrase: str, repeated: str | None = None) -> None:
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise InvalidInput(
            {"passphrase": Problem(translatable("Use at least {min} characters."), {"min": MIN_PASSPHRASE})}
        )
    if repeated is not None and repeated != passphrase:
        raise InvalidInput({"passphrase_again": Problem(translatable("The two passphrases differ."))})


def change_shop_passphrase(path: Path | str, old: Secret, new: str, repeated: str | None = None) -> None:
    """A new passphrase for the shop (old: the passphrase or a RecoveryKey). Nothing is written on bad input."""
    check_new_passphrase(new, repeated)
    change_passphrase(path, old, new)


def create_shop(
    path: Path | str, passphrase: str, settings: ShopSettings, recovery_key: RecoveryKey | None = None
) -> ShopDatabase:
    """A new encrypted shop file holding the shop's settings; ``recovery_key`` (already in the owner's
    hands) opens it too. Nothing is written on bad input."""
    settings = check_settings(settings)
    check_new_passphrase(passphrase)
    database = create_shop_file(path, passphrase, recovery_key)
    with database.writing() as session:
        shop = Shop(
            name=settings.name,
            region=settings.region,
            currency=settings.currency,
            paper_size=settings.paper_size,
        )
        session.add(shop)
        session.flush()  # the shop's defaults (backups kept, retention) are written into its first notice
        publish_notice(session, default_notice_text(settings.name, backup_keep=shop.backup_keep,
                                                    retention_years=shop.retention_years))
    return database


def shop_settings(session: Session) -> Shop:
    shop = session.scalars(select(Shop).limit(1)).first()
    if shop is None:
        raise ShopFileError(translatable("This shop file has no shop settings yet."))
    return shop


MAX_LOGO_BYTES = 2_000_000
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


@dataclass(frozen=True)
class PrintedDetails:
    """What documents print about the shop: paper size, a contact line and a logo."""

    paper_size: str
    contact_line: str = ""
    logo: bytes | None = None  # PNG or JPEG; None removes the logo


def update_printed_details(session: Session, details: PrintedDetails) -> Shop:
    """InvalidInput naming each bad field, and nothing changed, on bad input."""
    require(session, Permission.SETTINGS)
    problems: dict[str, Problem] = {}
    paper = next((p for p in PAPER_SIZES if p.lower() == (details.paper_size or "").strip().lower()), None)
    if paper is None:
        problems["paper_size"] = Problem(PAPER_PROBLEM)
    contact = clean_text(details.contact_line, max_length=200)
    if isinstance(contact, Problem):
        problems["contact_line"] = contact
    if details.logo is not None:
        if len(details.logo) > MAX_LOGO_BYTES:
            problems["logo"] = Problem(translatable("The logo file is too large: at most 2 MB."))
        elif not details.logo.startswith(_IMAGE_SIGNATURES):
            problems["logo"] = Problem(translatable("The logo must be a PNG or JPEG picture."))
    if problems:
        raise InvalidInput(problems)
    shop = shop_settings(session)
    before = (shop.paper_size, shop.contact_line, shop.logo_png)
    shop.paper_size, shop.contact_line, shop.logo_png = paper, contact, details.logo
    shop.updated_at = utc_now()
    changed = [name for name, old, new in zip(("paper_size", "contact_line", "logo"), before,
                                                (paper, contact, details.logo)) if old != new]  # fmt: skip
    if changed:
        audit.record(session, audit.SETTINGS_CHANGED, subject_kind="shop", details={"fields": changed})
    return shop
