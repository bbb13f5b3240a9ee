"""The shop's printed documents: blank paper forms, reservation slips and warranty certificates.

Everything a document shows is read here and handed to desktop.printing as plain values,
so the GUI, the command line and the tests print exactly the same page.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, Problem, translatable
from desktop.models import Customer
from desktop.printing.page_layout import NoticeText, ShopHeader, Translate, untranslated
from desktop.printing.paper_forms import FORM_KINDS, render_blank_form
from desktop.printing.reservation_slip import ReservationSlip, render_reservation_slip
from desktop.printing.warranty_certificate import (
    WarrantyCertificate,
    render_warranty_certificate,
)
from desktop.services import audit
from desktop.services import reservations as reservation_service
from desktop.services import warranties as warranty_service
from desktop.services.choices import CALL_REASON, HEARD_FROM, choice_labels
from desktop.services.dates import format_date
from desktop.services.money import format_money
from desktop.services.permissions import Permission, require
from desktop.services.phones import display_phone
from desktop.services.privacy_notice import current_notice
from desktop.services.shop import sheet_paper, shop_settings

FORM_NAMES = {
    "signup": translatable("Mailing-list sign-up"),
    "reservation": translatable("Reservation"),
    "warranty": translatable("Warranty registration"),
    "inquiry": translatable("Phone inquiry"),
}
NO_DEPOSIT = translatable("None")


def shop_header(session: Session, *, roll: bool = False) -> ShopHeader:
    """The shop as its documents print it. Only slips and certificates (roll=True) print on a receipt
    roll; what needs a whole sheet gets the region's usual page size on a shop with a receipt printer."""
    shop = shop_settings(session)
    paper = shop.paper_size if roll else sheet_paper(shop.paper_size, shop.region)
    return ShopHeader(name=shop.name, paper_size=paper, contact_line=shop.contact_line, logo_png=shop.logo_png)


def print_blank_form(
    session: Session, kind: str, out: Path | BinaryIO, *, translate: Translate = untranslated
) -> int:
    """A blank form to fill in by hand, with the current privacy notice; returns the page count."""
    require(session, Permission.RECORDS)
    if kind not in FORM_KINDS:
        raise InvalidInput(
            {"form": Problem(translatable("Choose one of: {choices}."), {"choices": ", ".join(FORM_KINDS)})}
        )
    notice = current_notice(session)
    labels = {name: [translate(label) for label in choice_labels(session, name)] for name in (CALL_REASON, HEARD_FROM)}
    return render_blank_form(
        kind,
        shop_header(session),
        NoticeText(notice.version, notice.text),
        out,
        call_reasons=labels[CALL_REASON],
        heard_from_choices=labels[HEARD_FROM],
        translate=translate,
    )


def reservation_slip(session: Session, reference_or_id: str | int, *, translate: Translate = untranslated) -> ReservationSlip:
    shop = shop_settings(session)
    summary = reservation_service.reservation_summary(session, reference_or_id)
    return ReservationSlip(
        reference=summary.reference,
        reference_display=summary.reference_display,
        customer_name=summary.customer_name,
        customer_phone=display_phone(summary.customer_phone, shop.region) if summary.customer_phone else "",
        item=summary.item,
        quantity=summary.quantity,
        deposit=format_money(summary.deposit_cents, shop.currency, shop.region)
        if summary.deposit_cents
        else translate(NO_DEPOSIT),
        expected_on=format_date(summary.expected_on, shop.region),
        notes=summary.notes,
        created_on=format_date(summary.created_at.date(), shop.region),
        status=translate(reservation_service.STATUS_NAMES[summary.status]),
    )


def print_reservation_slip(
    session: Session, reference_or_id: str | int, out: Path | BinaryIO, *, translate: Translate = untranslated
) -> int:
    require(session, Permission.RECORDS)
    slip = reservation_slip(session, reference_or_id, translate=translate)
    pages = render_reservation_slip(slip, shop_header(session, roll=True), out, translate=translate)
    customer_id = reservation_service.get_reservation(session, reference_or_id).customer_id
    _audit_printed(session, customer_id, "reservation slip")
    return pages


def warranty_certificate(session: Session, warranty_id: int | str) -> WarrantyCertificate:
    region = shop_settings(session).region
    card = warranty_service.warranty_summary(session, warranty_id)
    return WarrantyCertificate(
        customer_name=card.customer_name,
        product=card.product,
        serial_number=card.serial_number,
        purchase_date=format_date(card.purchase_date, region),
        months=card.months,
        expires_on=format_date(card.expires_on, region),
        notes=card.notes,
        claims=[(format_date(c.claimed_on, region), c.problem, c.outcome) for c in card.claims],
    )


def print_warranty_certificate(
    session: Session, warranty_id: int | str, out: Path | BinaryIO, *, translate: Translate = untranslated
) -> int:
    require(session, Permission.RECORDS)
    certificate = warranty_certificate(session, warranty_id)
    pages = render_warranty_certificate(certificate, shop_header(session, roll=True), out, translate=translate)
    _audit_printed(session, warranty_service.get_warranty(session, warranty_id).customer_id, "warranty certificate")
    return pages


def _audit_printed(session: Session, customer_id: int, document: str) -> None:
    """A printed document with a customer's data on it, under that customer in the trail."""
    customer = session.get(Customer, customer_id)
    audit.record(session, audit.PRINTED, subject_kind="customer", subject_uuid=customer.uuid if customer else "",
                 details={"document": document})  # fmt: skip
