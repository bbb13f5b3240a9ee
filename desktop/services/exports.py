"""Exports for other tools: a marketing list for a mailing tool, and contacts as vCards.

The marketing list holds only customers whose current answer for the channel is yes: the
newest consent row per customer and channel (by recorded time, then row id) must be a
grant, so a withdrawal after a grant leaves them out and a customer never asked is never
in it. The choice is made in SQL with a window function, one pass over the consents, so
a book of a million customers exports without a query per customer.

Columns (what mailing tools import without mapping):
  email: email, first_name, last_name, tags
  sms:   phone (E.164, the customer's first number), first_name, last_name, tags
  post:  first_name, last_name, company, address_line1, address_line2, postal_code, city, state, country
tags is one cell of comma-separated tags: the customer's city (commas in it become spaces)
and "loyalty" when they hold an active loyalty card.

vCards (RFC 6350, version 4.0) are for the shop's own phone or contacts app, not for
marketing: they hold whichever customers the owner selects, consent or not.

Every file is written to a temporary file beside the destination and renamed into place
when complete, so a failure or a cancel leaves no half-written file behind.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from sqlalchemy import Boolean, Integer, Select, and_, column, exists, select, text
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, RegularsError, translatable
from desktop.models import CHANNELS, Customer, CustomerPhone, LoyaltyCard
from desktop.output_files import write_output
from desktop.services import audit, csv_format
from desktop.services.erasure_register import shop_file_of
from desktop.services.lookup import find_customers
from desktop.services.permissions import Permission, require

MARKETING_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "first_name", "last_name", "tags"),
    "sms": ("phone", "first_name", "last_name", "tags"),
    "post": (
        "first_name",
        "last_name",
        "company",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "state",
        "country",
    ),
}
LOYALTY_TAG = "loyalty"
PROGRESS_EVERY = 10_000  # rows between two progress reports
VCARD_BATCH = 1_000  # customers fetched per query when writing vCards
MAX_QUERY_SELECTION = 10_000  # customers a search may select for a contacts export

Progress = Callable[[int], None]  # rows written so far
Cancelled = Callable[[], bool]


class ExportCancelled(RegularsError):
    """The export was stopped on request; no file was written."""

    def __init__(self) -> None:
        super().__init__(translatable("Export cancelled; nothing was written."))


class ExportFailed(RegularsError):
    """The file could not be written; nothing was left behind."""

    def __init__(self, out: Path, error: OSError) -> None:
        super().__init__(
            translatable("Cannot write {path}: {reason}."), path=str(out), reason=error.strerror or type(error).__name__
        )


# The marketing list


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise InvalidInput(
            {
                "channel": Problem(
                    translatable("Unknown channel {channel}: use {choices}."),
                    {"channel": channel, "choices": ", ".join(CHANNELS)},
                )
            }
        )


# The newest answer per customer for one channel: a window over the consents, read in one
# sequential pass. NOT INDEXED because ix_consents_customer does not hold "granted": walking
# it costs one random page read per consent, about twice as slow as reading the table and
# sorting in memory (measured on 200,000 customers with 600,000 consents).
_NEWEST_ANSWERS = text(
    """
    SELECT customer_id, granted,
           row_number() OVER (PARTITION BY customer_id ORDER BY recorded_at DESC, id DESC) AS newness
    FROM consents NOT INDEXED
    WHERE channel = :channel
    """
).columns(column("customer_id", Integer), column("granted", Boolean), column("newness", Integer))


def _consenting_customers(channel: str):
    """Ids of customers whose newest consent row for the channel is a grant (a subquery)."""
    newest = _NEWEST_ANSWERS.bindparams(channel=channel).subquery("newest_answers")
    return (
        select(newest.c.customer_id)
        .where(newest.c.newness == 1, newest.c.granted.is_(True))
        .subquery("consenting")
    )


def _marketing_query(channel: str) -> Select:
    consenting = _consenting_customers(channel)
    has_card = exists().where(LoyaltyCard.customer_id == Customer.id, LoyaltyCard.status == "active")
    query = select(Customer.first_name, Customer.last_name).join(consenting, consenting.c.customer_id == Customer.id)
    if channel == "email":
        query = query.add_columns(Customer.email, Customer.city, has_card.label("has_card"))
        query = query.where(Customer.email.is_not(None), Customer.email != "")
    elif channel == "sms":
        query = query.add_columns(CustomerPhone.e164, Customer.city, has_card.label("has_card"))
        query = query.join(
            CustomerPhone, and_(CustomerPhone.customer_id == Customer.id, CustomerPhone.position == 0)
        )
    else:
        query = query.add_columns(
            Customer.company,
            Customer.address_line1,
            Customer.address_line2,
            Customer.postal_code,
            Customer.city,
            Customer.state,
            Customer.country,
        ).where(Customer.address_line1 != "")
    return query.order_by(Customer.id)


def tags(city: str, has_card: bool) -> str:
    """The tags cell: the city (commas would split it into two tags) and "loyalty" for a card holder."""
    found = []
    place = " ".join(city.replace(",", " ").split())
    if place:
        found.append(place)
    if has_card:
        found.append(LOYALTY_TAG)
    return ",".join(found)


def marketing_list(session: Session, channel: str) -> Iterator[tuple[str, ...]]:
    """The rows of the marketing list for the channel, in MARKETING_COLUMNS[channel] order, by customer number."""
    require(session, Permission.EXPORT)
    _check_channel(channel)
    result = session.execute(_marketing_query(channel), execution_options={"yield_per": 2_000})
    for row in result:
        if channel == "email":
            yield (row.email, row.first_name, row.last_name, tags(row.city, row.has_card))
        elif channel == "sms":
            yield (row.e164, row.first_name, row.last_name, tags(row.city, row.has_card))
        else:
            yield (
                row.first_name,
                row.last_name,
                row.company,
                row.address_line1,
                row.address_line2,
                row.postal_code,
                row.city,
                row.state,
                row.country,
            )


def write_marketing_csv(
    session: Session,
    channel: str,
    out: Path,
    *,
    bom: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    replace: bool = False,
) -> int:
    """Writes the marketing list as CSV (see csv_format); returns the number of customers in it.

    The path goes through check_output (replace: an existing ordinary file may be replaced)."""
    require(session, Permission.EXPORT)
    _check_channel(channel)
    rows = _watched(marketing_list(session, channel), progress, cancelled)

    def write(handle: IO[bytes]) -> int:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        count = csv_format.write_csv(text, MARKETING_COLUMNS[channel], rows, bom=bom)
        text.flush()
        text.detach()
        return count

    count = write_output(out, write, shop=shop_file_of(session), replace=replace)
    audit.record(session, audit.EXPORTED, details={"kind": f"{channel} mailing list", "count": count})
    return count


def _watched(rows: Iterable, progress: Progress | None, cancelled: Cancelled | None) -> Iterator:
    """The rows, reporting progress every PROGRESS_EVERY rows and stopping when cancelled."""
    count = 0
    for row in rows:
        yield row
        count += 1
        if count % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise ExportCancelled()
            if progress is not None:
                progress(count)
    if cancelled is not None and cancelled():
        raise ExportCancelled()
    if progress is not None:
        progress(count)


# vCards


def escape_text(value: str) -> str:
    """A vCard text value: backslash, comma and semicolon escaped, every line break as \\n."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return (
        text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")
    )


def fold_line(line: str, limit: int = 75) -> bytes:
    """One content line as UTF-8, folded to at most limit octets per line (each continuation
    starts with a space), never inside a character; ends with CRLF (RFC 6350 3.2)."""
    data = line.encode("utf-8")
    if len(data) <= limit:
        return data + b"\r\n"
    pieces = []
    start, room = 0, limit
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back up to the character's start
            cut -= 1
        pieces.append(data[start:cut])
        start, room = cut, limit - 1  # the leading space takes one octet
    pieces.append(data[start:])
    return b"\r\n ".join(pieces) + b"\r\n"


# What a vCard needs of a customer, read as plain rows (no ORM objects: a million cards stay quick).
_VCARD_FIELDS = select(
    Customer.id,
    Customer.uuid,
    Customer.first_name,
    Customer.last_name,
    Customer.company,
    Customer.email,
    Customer.address_line1,
    Customer.address_line2,
    Customer.city,
    Customer.state,
    Customer.postal_code,
    Customer.country,
    Customer.notes,
)


def _vcard(customer, phones: list[str], with_notes: bool) -> bytes:
    full_name = " ".join(part for part in (customer.first_name, customer.last_name) if part)
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:uuid:{customer.uuid}",
        "FN:" + escape_text(full_name or customer.company),
        "N:" + ";".join(escape_text(part) for part in (customer.last_name, customer.first_name, "", "", "")),
    ]
    for position, e164 in enumerate(phones):
        preferred = ";PREF=1" if position == 0 and len(phones) > 1 else ""
        lines.append(f"TEL;TYPE=cell{preferred}:{e164}")
    if customer.email:
        lines.append("EMAIL:" + escape_text(customer.email))
    street = [line for line in (customer.address_line1, customer.address_line2) if line]
    place = (customer.city, customer.state, customer.postal_code, customer.country)
    if street or any(place):
        # Post office box and extended address stay empty (RFC 6350 6.3.1); street lines are a list.
        components = ["", "", ",".join(escape_text(line) for line in street), *(escape_text(p) for p in place)]
        lines.append("ADR:" + ";".join(components))
    if customer.company:
        lines.append("ORG:" + escape_text(customer.company))
    if with_notes and customer.notes:
        lines.append("NOTE:" + escape_text(customer.notes))
    lines.append("END:VCARD")
    return b"".join(fold_line(line) for line in lines)


def _batches(customer_ids: Iterable[int] | None, session: Session) -> Iterator[list[int]]:
    """The selection in batches, each id once, in the order given; None is every customer by number."""
    if customer_ids is None:
        after = 0
        while True:
            batch = list(
                session.scalars(select(Customer.id).where(Customer.id > after).order_by(Customer.id).limit(VCARD_BATCH))
            )
            if not batch:
                return
            yield batch
            after = batch[-1]
    seen: set[int] = set()
    batch = []
    for customer_id in customer_ids:
        if customer_id in seen:
            continue
        seen.add(customer_id)
        batch.append(int(customer_id))
        if len(batch) == VCARD_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_vcards(
    session: Session, customer_ids: Iterable[int] | None, *, with_notes: bool = False
) -> Iterator[bytes]:
    """One vCard (UTF-8) per selected customer, in the order given; NotFound if a number is nobody's.

    customer_ids None selects every customer. Notes are left out unless with_notes: they are
    the shop's own remarks, and a phone's address book is easily shared.
    """
    require(session, Permission.EXPORT)
    for batch in _batches(customer_ids, session):
        customers = {row.id: row for row in session.execute(_VCARD_FIELDS.where(Customer.id.in_(batch)))}
        phones: dict[int, list[str]] = {}
        for customer_id, e164 in session.execute(
            select(CustomerPhone.customer_id, CustomerPhone.e164)
            .where(CustomerPhone.customer_id.in_(batch))
            .order_by(CustomerPhone.customer_id, CustomerPhone.position)
        ):
            phones.setdefault(customer_id, []).append(e164)
        for customer_id in batch:
            customer = customers.get(customer_id)
            if customer is None:
                raise NotFound(translatable("No customer {ref}."), ref=str(customer_id))
            yield _vcard(customer, phones.get(customer_id, []), with_notes)


def vcards(session: Session, customer_ids: Iterable[int] | None, *, with_notes: bool = False) -> str:
    """The selected customers as one vCard file's text (CRLF line ends)."""
    return b"".join(iter_vcards(session, customer_ids, with_notes=with_notes)).decode("utf-8")


def write_vcards(
    session: Session,
    customer_ids: Iterable[int] | None,
    out: Path,
    *,
    with_notes: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    replace: bool = False,
) -> int:
    """Writes the selected customers' vCards to out as UTF-8; returns how many were written.

    The path goes through check_output (replace: an existing ordinary file may be replaced)."""
    require(session, Permission.EXPORT)

    def write(handle: IO[bytes]) -> int:
        count = 0
        for card in _watched(iter_vcards(session, customer_ids, with_notes=with_notes), progress, cancelled):
            handle.write(card)
            count += 1
        return count

    count = write_output(out, write, shop=shop_file_of(session), replace=replace)
    audit.record(session, audit.EXPORTED, details={"kind": "contacts", "count": count})
    return count


def customers_matching(session: Session, query: str, region: str, *, limit: int = MAX_QUERY_SELECTION) -> list[int]:
    """Everyone the lookup box finds for query, best match first; InvalidInput when the query is
    empty or finds more than limit customers (narrow it, or export everyone on purpose)."""
    require(session, Permission.EXPORT)
    if not (query or "").strip():
        raise InvalidInput({"query": Problem(translatable("Type what to search for."))})
    ids = [match.id for match in find_customers(session, query, region, limit=limit + 1)]
    if len(ids) > limit:
        raise InvalidInput(
            {
                "query": Problem(
                    translatable("More than {max} customers match {query}: narrow the search."),
                    {"max": limit, "query": query.strip()},
                )
            }
        )
    return ids
