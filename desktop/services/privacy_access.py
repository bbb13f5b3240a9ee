"""The customer's right of access (GDPR art. 15 and 20, LGPD art. 18): everything the shop holds about them.

One gathering of every record that refers to the customer, shown two ways: a JSON file for a
computer (every column of every row, dates in ISO 8601, times in UTC) and a PDF for the person
(desktop/printing/access_report.py). Both files are written whole or not at all, never over an
existing file, and the export is recorded in the audit trail in the caller's unit of work.

The records gathered are those of every table with a foreign key leading to the customer
(tests/unit/services/test_privacy_access.py walks the schema so a new table cannot be
forgotten), the privacy notices their consents name, and the audit entries about them or
their records.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from desktop.errors import translatable
from desktop.models import (
    AuditEntry,
    Consent,
    Customer,
    LoyaltyCard,
    LoyaltyEntry,
    LoyaltyProgram,
    PhoneCall,
    PrivacyNotice,
    Reservation,
    Shop,
    Warranty,
)
from desktop.models.base import utc_now
from desktop.output_files import check_output, check_output_folder, write_failed, write_output
from desktop.printing.access_report import AccessReport, NoticeShown, PersonalDetails, render_access_report
from desktop.printing.page_layout import Translate, untranslated
from desktop.services import audit, card_codes
from desktop.services.dates import format_date
from desktop.services.documents import shop_header
from desktop.services.erasure_register import shop_file_of
from desktop.services.loyalty import balance_of, customer_from_ref
from desktop.services.money import format_money
from desktop.services.permissions import Permission, require
from desktop.services.phones import display_phone
from desktop.services.reservations import STATUS_NAMES
from desktop.services.shop import shop_settings

FORMAT = "regulars-customer-data"
FORMAT_VERSION = 1
FILE_STEM = "customer-data"

CHANNEL_NAMES = {"email": translatable("Email"), "sms": translatable("SMS"), "post": translatable("Post")}
ANSWERS = {True: translatable("Yes"), False: translatable("No")}
SOURCE_NAMES = {
    "signup": translatable("Sign-up form"),
    "reservation": translatable("Reservation"),
    "warranty": translatable("Warranty"),
    "call": translatable("Phone call"),
    "paper": translatable("Paper form"),
    "counter": translatable("At the counter"),
}
CARD_STATUS_NAMES = {"active": translatable("In use"), "replaced": translatable("Replaced")}
ENTRY_NAMES = {
    "earn": translatable("Earned"),
    "redeem": translatable("Reward"),
    "adjust": translatable("Correction"),
    "expire": translatable("Expired"),
}
AMOUNTS = {"stamps": translatable("{count} stamps"), "points": translatable("{count} points")}
REWARD = translatable("{reward} at {amount}")
PURCHASE = translatable("Purchase of {amount}")
FOLLOW_UP_DONE = translatable("{date}, done")
THE_OWNER = translatable("The owner")
ACTION_NAMES = {
    audit.CUSTOMER_CREATED: translatable("Record created"),
    audit.CUSTOMER_CHANGED: translatable("Record changed"),
    audit.CUSTOMER_VIEWED: translatable("Served at the till"),
    audit.CUSTOMER_EXPORTED: translatable("Data exported for you"),
    audit.CUSTOMER_ERASED: translatable("Erased"),
    audit.PRINTED: translatable("Printed"),
    audit.EXPORTED: translatable("Exported"),
    audit.IMPORTED: translatable("Received from another till"),
    audit.STAMPED: translatable("Stamped"),
    audit.REDEEMED: translatable("Reward redeemed"),
    audit.LOYALTY_CORRECTED: translatable("Loyalty balance corrected"),
    audit.CALL_LOGGED: translatable("Call logged"),
    audit.FOLLOW_UP_DONE: translatable("Follow-up done"),
    audit.RESERVATION_ADDED: translatable("Reservation taken"),
    audit.RESERVATION_CHANGED: translatable("Reservation moved on"),
    audit.WARRANTY_ADDED: translatable("Warranty registered"),
    audit.WARRANTY_CLAIMED: translatable("Warranty claim"),
}


@dataclass(frozen=True)
class AccessExport:
    """The two files written for one customer."""

    json_path: Path
    pdf_path: Path


@dataclass(frozen=True)
class _Held:
    """Every record about one customer, as read in one unit of work."""

    shop: Shop
    customer: Customer
    consents: Sequence[Consent]
    notices: Sequence[PrivacyNotice]
    cards: Sequence[LoyaltyCard]
    ledger: Sequence[LoyaltyEntry]
    programs: dict[int, LoyaltyProgram]  # those the ledger names, by id
    balances: Sequence[tuple[LoyaltyProgram, int]]
    reservations: Sequence[Reservation]
    warranties: Sequence[Warranty]
    calls: Sequence[PhoneCall]
    audit_entries: Sequence[AuditEntry]
    at: datetime  # naive UTC, when this was read


def customer_data(session: Session, customer_ref: str | int) -> dict[str, Any]:
    """Everything held about the customer (id, UUID or card code), as JSON-ready plain values."""
    require(session, Permission.PRIVACY)
    return _as_json(_gather(session, customer_from_ref(session, customer_ref)))


def write_access_export(session: Session, customer_ref: str | int, out_dir: Path, *,
                        translate: Translate = untranslated, replace: bool = False) -> AccessExport:
    """Writes customer-data-<short id>.json and .pdf into out_dir (made if missing) and records the export.

    Both paths go through check_output: an existing file is refused (OutputRefused) unless
    replace. On any failure neither file is left behind, nor the folder if it was made here.
    Pass a writing session: the audit entry is saved with the caller's unit of work.
    """
    require(session, Permission.PRIVACY)
    held = _gather(session, customer_from_ref(session, customer_ref))
    out_dir = Path(out_dir)
    missing = check_output_folder(out_dir)
    shop = shop_file_of(session)
    stem = f"{FILE_STEM}-{held.customer.uuid[:8]}"
    json_path, pdf_path = out_dir / f"{stem}.json", out_dir / f"{stem}.pdf"
    if out_dir.is_dir():
        for path in (json_path, pdf_path):
            check_output(path, shop=shop, replace=replace)
    data = (json.dumps(_as_json(held), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    pdf = io.BytesIO()
    render_access_report(_as_report(held, json_path.name, translate), shop_header(session), pdf, translate=translate)
    audit.record(session, audit.CUSTOMER_EXPORTED, subject_kind="customer", subject_uuid=held.customer.uuid,
                 details={"files": 2})
    written: list[Path] = []
    try:
        for folder in missing:
            folder.mkdir()
            written.append(folder)
        for path, content in ((json_path, data), (pdf_path, pdf.getvalue())):
            write_output(path, content, shop=shop, replace=replace)
            written.append(path)
    except BaseException as error:
        for path in reversed(written):  # the files, then the folders made for them
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_failed(error, out_dir) from None
        raise
    return AccessExport(json_path=json_path, pdf_path=pdf_path)


# --- reading -------------------------------------------------------------------------------------


def _gather(session: Session, customer: Customer) -> _Held:
    mine = {"customer_id": customer.id}
    consents = list(session.scalars(select(Consent).filter_by(**mine).order_by(Consent.recorded_at, Consent.id)))
    versions = {consent.notice_version for consent in consents}
    ledger = list(session.scalars(select(LoyaltyEntry).filter_by(**mine).order_by(LoyaltyEntry.id)))
    programs = {program.id: program for program in session.scalars(
        select(LoyaltyProgram).where(LoyaltyProgram.id.in_({entry.program_id for entry in ledger})))}
    reservations = list(session.scalars(
        select(Reservation).filter_by(**mine).order_by(Reservation.created_at, Reservation.id)))
    warranties = list(session.scalars(
        select(Warranty).filter_by(**mine).order_by(Warranty.purchase_date, Warranty.id)))
    calls = list(session.scalars(select(PhoneCall).filter_by(**mine).order_by(PhoneCall.called_at, PhoneCall.id)))
    cards = list(session.scalars(select(LoyaltyCard).filter_by(**mine).order_by(LoyaltyCard.issued_at,
                                                                                  LoyaltyCard.id)))
    # The trail names a record by its UUID: the customer's own, or that of one of their records.
    subjects = {customer.uuid} | {record.uuid for record in (*consents, *ledger, *cards, *reservations, *warranties,
                                                               *calls)}
    subjects |= {child.uuid for reservation in reservations for child in reservation.events}
    subjects |= {child.uuid for warranty in warranties for child in warranty.claims}
    return _Held(
        shop=shop_settings(session),
        customer=customer,
        consents=consents,
        notices=list(session.scalars(
            select(PrivacyNotice).where(PrivacyNotice.version.in_(versions)).order_by(PrivacyNotice.version))),
        cards=cards,
        ledger=ledger,
        programs=programs,
        balances=[(program, balance_of(session, customer.id, program.id))
                  for program in sorted(programs.values(), key=lambda program: (program.name, program.id))],
        reservations=reservations,
        warranties=warranties,
        calls=calls,
        audit_entries=list(session.scalars(
            select(AuditEntry).where(AuditEntry.subject_uuid.in_(subjects)).order_by(AuditEntry.id))),
        at=utc_now(),
    )


# --- the JSON file -------------------------------------------------------------------------------


def plain_value(value: Any) -> Any:
    """A stored value as JSON has it: times in ISO 8601 UTC, dates in ISO 8601, bytes in base64."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _columns(record: Any) -> dict[str, Any]:
    """Every column of the row, in the model's order, so a column added later is exported too."""
    return {attribute.key: plain_value(getattr(record, attribute.key))
            for attribute in inspect(record).mapper.column_attrs}


def _as_json(held: _Held) -> dict[str, Any]:
    customer = held.customer
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "shop": held.shop.name,
        "exported_at": plain_value(held.at),
        "customer": _columns(customer),
        "phones": [_columns(phone) for phone in customer.phones],
        "name_search_keys": [_columns(key) for key in sorted(customer.search_keys, key=lambda key: key.key)],
        "consents": [_columns(consent) for consent in held.consents],
        "privacy_notices": [_columns(notice) for notice in held.notices],
        "loyalty": {
            "cards": [_columns(card) for card in held.cards],
            "balances": [
                {"program": program.name, "kind": program.kind, "balance": balance, "reward_at": program.reward_at,
                 "reward": program.reward_description, "program_status": program.status}
                for program, balance in held.balances
            ],
            "ledger": [_columns(entry) | {"program": held.programs[entry.program_id].name} for entry in held.ledger],
        },
        "reservations": [
            _columns(reservation) | {"events": [_columns(event) for event in reservation.events]}
            for reservation in held.reservations
        ],
        "warranties": [
            _columns(warranty) | {"claims": [_columns(claim) for claim in warranty.claims]}
            for warranty in held.warranties
        ],
        "phone_calls": [_columns(call) for call in held.calls],
        "audit_entries": [
            {"at": plain_value(entry.at), "action": entry.action, "subject_kind": entry.subject_kind,
             "subject_uuid": entry.subject_uuid, "staff_name": entry.staff_name, "role": entry.role,
             "details": json.loads(entry.details) if entry.details else {}}
            for entry in held.audit_entries
        ],
    }


# --- the printed report --------------------------------------------------------------------------


def _as_report(held: _Held, data_file: str, translate: Translate) -> AccessReport:
    region, currency = held.shop.region, held.shop.currency
    customer = held.customer

    def when(value: datetime | None) -> str:
        """A stored time as the shop's clock read it: the date in the shop's style, then hours and minutes."""
        if value is None:
            return ""
        local = value.replace(tzinfo=timezone.utc).astimezone()
        return f"{format_date(local.date(), region)} {local:%H:%M}"

    def day(value: date | None) -> str:
        return format_date(value, region) if value is not None else ""

    def named(names: dict, code: Any) -> str:
        return translate(names[code]) if code in names else str(code)

    def amount(kind: str, count: int) -> str:
        return translate(AMOUNTS[kind]).format(count=count) if kind in AMOUNTS else str(count)

    def staff(entry: AuditEntry) -> str:
        return entry.staff_name or (translate(THE_OWNER) if entry.role == "owner" else "")

    phones = [display_phone(phone.e164, region) + (f" ({phone.label})" if phone.label else "")
              for phone in customer.phones]
    place = " ".join(part for part in (customer.postal_code, customer.city) if part)
    address = [customer.address_line1, customer.address_line2, place, customer.state, customer.country]
    serials = {warranty.id: warranty.serial_number for warranty in held.warranties}
    return AccessReport(
        customer_name=customer.full_name,
        exported_at=when(held.at),
        data_file=data_file,
        details=PersonalDetails(
            number=str(customer.id),
            reference=customer.uuid,
            name=customer.full_name,
            company=customer.company,
            phones="\n".join(phones),
            email=customer.email or "",
            address="\n".join(line for line in address if line),
            birthday=day(customer.birthday),
            preferred_payment=customer.preferred_payment,
            heard_from=customer.heard_from,
            notes=customer.notes,
            created=when(customer.created_at),
            updated=when(customer.updated_at),
            last_seen=when(customer.last_seen_at),
        ),
        consents=[(when(c.recorded_at), named(CHANNEL_NAMES, c.channel), named(ANSWERS, c.granted),
                   str(c.notice_version), named(SOURCE_NAMES, c.source), c.staff) for c in held.consents],
        notices=[NoticeShown(str(n.version), day(n.published_at.date()), n.text) for n in held.notices],
        cards=[(card_codes.display(card.code), named(CARD_STATUS_NAMES, card.status), when(card.issued_at),
                when(card.replaced_at)) for card in held.cards],
        balances=[(program.name, amount(program.kind, balance),
                   translate(REWARD).format(reward=program.reward_description,
                                            amount=amount(program.kind, program.reward_at)))
                  for program, balance in held.balances],
        ledger=[(when(entry.created_at), held.programs[entry.program_id].name, named(ENTRY_NAMES, entry.kind),
                 f"{entry.amount:+d}", _ledger_note(entry, currency, region, translate)) for entry in held.ledger],
        reservations=[(card_codes.display(r.reference), r.item, str(r.quantity),
                       format_money(r.deposit_cents, currency, region) if r.deposit_cents else "",
                       day(r.expected_on), named(STATUS_NAMES, r.status), r.notes) for r in held.reservations],
        reservation_events=[(card_codes.display(r.reference), when(event.changed_at), named(STATUS_NAMES, event.status),
                             event.staff) for r in held.reservations for event in r.events],
        warranties=[(w.product, w.serial_number, day(w.purchase_date), day(w.expires_on), w.notes)
                    for w in held.warranties],
        warranty_claims=[(serials[w.id], day(claim.claimed_on), claim.problem, claim.outcome)
                         for w in held.warranties for claim in w.claims],
        calls=[(when(call.called_at), call.reason, display_phone(call.caller_e164, region) if call.caller_e164 else "",
                call.notes, _follow_up(call, day, translate), call.staff) for call in held.calls],
        audit=[(when(entry.at), named(ACTION_NAMES, entry.action), staff(entry), _fields(entry.details))
               for entry in held.audit_entries],
    )


def _ledger_note(entry: LoyaltyEntry, currency: str, region: str, translate: Translate) -> str:
    parts = [entry.reason] if entry.reason else []
    if entry.purchase_cents:
        parts.append(translate(PURCHASE).format(amount=format_money(entry.purchase_cents, currency, region)))
    return "; ".join(parts)


def _follow_up(call: PhoneCall, day, translate: Translate) -> str:
    if call.follow_up_on is None:
        return ""
    if call.follow_up_done_at is not None:
        return translate(FOLLOW_UP_DONE).format(date=day(call.follow_up_on))
    return day(call.follow_up_on)


def _fields(details: str) -> str:
    """What an audit entry names: its fields, else its other details as "name: value"."""
    if not details:
        return ""
    values = json.loads(details)
    if isinstance(values.get("fields"), list):
        return ", ".join(str(name).replace("_", " ") for name in values["fields"])
    return "; ".join(f"{name}: {value}" for name, value in values.items())
