"""The customer's copy of everything the shop holds about them (the right of access), as a readable PDF.

One section per kind of record, each a table that flows over as many pages as the history
needs, with its column headings repeated on every page. A section with nothing in it says so,
so the reader knows it was looked at. Values arrive formatted (dates, money, phone numbers,
channel and status names in the shop's language); only the fixed wording is translated here.
Everything the customer or the shop wrote is drawn as plain strings (page_layout), so a name
like "<b>Ana & Co</b>" prints as those characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm

from desktop.errors import translatable
from desktop.printing.card_face import ASCENT
from desktop.printing.fonts import BOLD, REGULAR
from desktop.printing.page_layout import (
    CELL_GAP,
    MUTED,
    Column,
    PageFlow,
    ShopHeader,
    Translate,
    draw_line,
    draw_table,
    label_column,
    open_document,
    untranslated,
    wrap_text,
)

TITLE = translatable("Your data held by {shop}")
FOOTER = translatable("Everything the shop holds about you, given at your request. It holds your personal data: keep it safe.")
INTRO = translatable(
    "This is everything {shop} holds about {name}, as it stood on {when}. The same data is in the file "
    "{file}, for a computer to read."
)
NOTHING = translatable("Nothing recorded.")

INTRO_SIZE = 10.0
SECTION_SIZE = 12.0
SECTION_GAP = 7 * mm  # above a section's title
SUBSECTION_SIZE = 9.5
SUBSECTION_GAP = 3.5 * mm
LABEL_SIZE = 8.5
VALUE_SIZE = 10.0
CELL_SIZE = 9.0
NOTICE_SIZE = 8.5
NOTICE_LEADING = 1.3  # times the type size
KEEP_WITH_TITLE = 18 * mm  # a section's title moves to the next page unless this much of it fits under it


@dataclass(frozen=True)
class PersonalDetails:
    """The customer record, formatted; an empty value is left off the page."""

    number: str
    reference: str  # the customer's UUID
    name: str
    company: str = ""
    phones: str = ""  # one number a line
    email: str = ""
    address: str = ""  # one line of the address a line
    birthday: str = ""
    preferred_payment: str = ""
    heard_from: str = ""
    notes: str = ""
    created: str = ""
    updated: str = ""
    last_seen: str = ""


DETAIL_LABELS = {
    "number": translatable("Customer number"),
    "reference": translatable("Reference"),
    "name": translatable("Name"),
    "company": translatable("Company"),
    "phones": translatable("Phone"),
    "email": translatable("Email"),
    "address": translatable("Address"),
    "birthday": translatable("Birthday"),
    "preferred_payment": translatable("Preferred payment"),
    "heard_from": translatable("Heard of the shop from"),
    "notes": translatable("Notes"),
    "created": translatable("Customer since"),
    "updated": translatable("Last changed"),
    "last_seen": translatable("Last visit"),
}


@dataclass(frozen=True)
class NoticeShown:
    version: str
    published: str  # formatted date
    text: str


@dataclass(frozen=True)
class AccessReport:
    """Every record about one customer, formatted, oldest first within each kind."""

    customer_name: str
    exported_at: str  # formatted date and time
    data_file: str  # the name of the JSON file written beside the PDF
    details: PersonalDetails
    consents: Sequence[tuple[str, str, str, str, str, str]] = ()  # when, channel, answer, notice version, how, staff
    notices: Sequence[NoticeShown] = ()
    cards: Sequence[tuple[str, str, str, str]] = ()  # code, status, issued, replaced
    balances: Sequence[tuple[str, str, str]] = ()  # programme, balance, reward
    ledger: Sequence[tuple[str, str, str, str, str]] = ()  # when, programme, entry, amount, note
    reservations: Sequence[tuple[str, str, str, str, str, str, str]] = ()  # ref, item, qty, deposit, expected, status, notes
    reservation_events: Sequence[tuple[str, str, str, str]] = ()  # reference, when, status, staff
    warranties: Sequence[tuple[str, str, str, str, str]] = ()  # product, serial, purchased, covered until, notes
    warranty_claims: Sequence[tuple[str, str, str, str]] = ()  # serial, date, problem, outcome
    calls: Sequence[tuple[str, str, str, str, str, str]] = ()  # when, reason, number, notes, follow-up, staff
    audit: Sequence[tuple[str, str, str, str]] = ()  # when, action, staff, fields


@dataclass(frozen=True)
class _Table:
    """A section's table: its headings (English source texts) and their relative widths."""

    headings: tuple[str, ...]
    shares: tuple[float, ...]


CONSENTS = _Table((translatable("Date"), translatable("Channel"), translatable("Answer"),
                   translatable("Notice"), translatable("Given by"), translatable("Staff")),
                  (1.5, 1.0, 0.8, 0.7, 1.3, 1.2))
CARDS = _Table((translatable("Card"), translatable("Status"), translatable("Issued"), translatable("Replaced")),
               (1.3, 1.0, 1.2, 1.2))
BALANCES = _Table((translatable("Programme"), translatable("Balance"), translatable("Reward")), (1.6, 1.0, 2.0))
LEDGER = _Table((translatable("Date"), translatable("Programme"), translatable("Entry"), translatable("Amount"),
                 translatable("Note")), (1.5, 1.5, 1.0, 0.8, 2.2))
RESERVATIONS = _Table((translatable("Reference"), translatable("Item"), translatable("Qty"), translatable("Deposit"),
                       translatable("Expected"), translatable("Status"), translatable("Notes")),
                      (1.3, 1.8, 0.5, 1.0, 1.1, 1.0, 1.8))
RESERVATION_EVENTS = _Table((translatable("Reference"), translatable("Date"), translatable("Status"),
                             translatable("Staff")), (1.3, 1.5, 1.2, 1.5))
WARRANTIES = _Table((translatable("Product"), translatable("Serial number"), translatable("Purchased"),
                     translatable("Covered until"), translatable("Notes")), (1.8, 1.4, 1.1, 1.1, 1.8))
CLAIMS = _Table((translatable("Serial number"), translatable("Date"), translatable("Problem"),
                 translatable("Outcome")), (1.3, 1.0, 2.0, 2.0))
CALLS = _Table((translatable("Date"), translatable("Reason"), translatable("Number"), translatable("Notes"),
                translatable("Follow up"), translatable("Staff")), (1.6, 1.1, 1.6, 1.9, 1.1, 1.0))
AUDIT = _Table((translatable("Date"), translatable("What was done"), translatable("Staff"), translatable("Fields")),
               (1.4, 1.8, 1.2, 2.2))


def render_access_report(report: AccessReport, header: ShopHeader, out: Path | BinaryIO, *,
                         translate: Translate = untranslated) -> int:
    """Writes the report as a PDF to out (a path or a binary file); returns the number of pages.

    An unknown paper size or an unreadable logo raises ValueError before anything is written.
    """
    title = translate(TITLE).format(shop=header.name)

    def titled(source: str) -> str:  # open_document translates its title as given; this one names the shop
        return title if source == TITLE else translate(source)

    with open_document(out, header, TITLE, translate=titled, footer=FOOTER) as page:
        intro = page.tr(INTRO, shop=header.name, name=report.customer_name, when=report.exported_at,
                        file=report.data_file)
        page.text(wrap_text(intro, REGULAR, INTRO_SIZE, page.width), REGULAR, INTRO_SIZE, INTRO_SIZE * 1.4)

        _section(page, page.tr(translatable("Your details")))
        _details(page, report.details)

        _section(page, page.tr(translatable("Marketing consents")))
        _rows(page, CONSENTS, report.consents)
        _section(page, page.tr(translatable("Privacy notices you were shown")))
        _notices(page, report.notices)

        _section(page, page.tr(translatable("Loyalty cards")))
        _rows(page, CARDS, report.cards)
        _subsection(page, page.tr(translatable("Balances")))
        _rows(page, BALANCES, report.balances)
        _subsection(page, page.tr(translatable("Every stamp, point and reward")))
        _rows(page, LEDGER, report.ledger)

        _section(page, page.tr(translatable("Reservations")))
        _rows(page, RESERVATIONS, report.reservations)
        if report.reservation_events:
            _subsection(page, page.tr(translatable("What happened to each reservation")))
            _rows(page, RESERVATION_EVENTS, report.reservation_events)

        _section(page, page.tr(translatable("Warranties")))
        _rows(page, WARRANTIES, report.warranties)
        if report.warranty_claims:
            _subsection(page, page.tr(translatable("Claims")))
            _rows(page, CLAIMS, report.warranty_claims)

        _section(page, page.tr(translatable("Phone calls")))
        _rows(page, CALLS, report.calls)

        _section(page, page.tr(translatable("Who opened or changed your record")))
        _rows(page, AUDIT, report.audit)
    return page.pages


def _section(page: PageFlow, title: str) -> None:
    """A section's title (translated), kept with the start of what follows."""
    page.skip(SECTION_GAP)
    top = page.take(SECTION_SIZE * 1.7, keep_with_next=KEEP_WITH_TITLE)
    draw_line(page.canvas, title, BOLD, page.left, top - ASCENT * SECTION_SIZE, page.width, SECTION_SIZE,
              8.0)


def _subsection(page: PageFlow, title: str) -> None:
    page.skip(SUBSECTION_GAP)
    top = page.take(SUBSECTION_SIZE * 1.6, keep_with_next=KEEP_WITH_TITLE)
    draw_line(page.canvas, title, BOLD, page.left, top - ASCENT * SUBSECTION_SIZE, page.width,
              SUBSECTION_SIZE, 7.5, MUTED)


def _nothing(page: PageFlow) -> None:
    page.text([page.tr(NOTHING)], REGULAR, CELL_SIZE, CELL_SIZE * 1.5, MUTED)


def _details(page: PageFlow, details: PersonalDetails) -> None:
    rows = [(page.tr(DETAIL_LABELS[field.name]), getattr(details, field.name)) for field in fields(details)]
    rows = [(label, value) for label, value in rows if value.strip()]
    label_width = label_column(page, [label for label, _ in rows], LABEL_SIZE, most=55 * mm)
    draw_table(page, [Column(label_width, REGULAR, LABEL_SIZE, MUTED),
                      Column(page.width - label_width + CELL_GAP, REGULAR, VALUE_SIZE)], rows)


def _rows(page: PageFlow, table: _Table, rows: Sequence[Sequence[str]]) -> None:
    if not rows:
        _nothing(page)
        return
    total = sum(table.shares)
    room = page.width + CELL_GAP  # each column's width includes the gap after it; the last one's is spare
    columns = [Column(room * share / total, REGULAR, CELL_SIZE) for share in table.shares]
    draw_table(page, columns, rows, heading=[page.tr(heading) for heading in table.headings])


def _notices(page: PageFlow, notices: Sequence[NoticeShown]) -> None:
    if not notices:
        _nothing(page)
        return
    for notice in notices:
        _subsection(page, page.tr(translatable("Version {version}, published {published}"), version=notice.version,
                                  published=notice.published))
        page.text(wrap_text(notice.text, REGULAR, NOTICE_SIZE, page.width), REGULAR, NOTICE_SIZE,
                  NOTICE_SIZE * NOTICE_LEADING)
