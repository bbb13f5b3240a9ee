"""What a sync bundle carries: one declarative description per synced table.

Each table is a list of columns in the order of its CSV file. A column says how its cell
is checked on import (the same limits the services apply when staff type the value) and
how it maps to the database; a reference to another record travels as that record's
UUID (``customer_uuid``), never as this file's integer id. The SQL that reads a table for
export, and the SQL that writes it back on import, are built from these descriptions
(desktop/sync/export.py, desktop/sync/importer.py): no table has code of its own.

Not synced: ``customer_search_keys`` (rebuilt from the names on import), lookup keys
derived from another column (``email_key``, ``serial_key``, the phone digit columns,
recomputed on import), the ``shop`` row (each till keeps its own settings; only the shop's
UUID is adopted by a new till), ``sync_imports`` (each till's own log), and each till's own
``staff_members`` and ``audit_entries`` (who works at this till, and what they did here).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from desktop.models import CHANNELS, CHOICE_LISTS, RESERVATION_STATUSES, TOMBSTONE_KINDS
from desktop.services import card_codes, loyalty
from desktop.services.consents import SOURCES
from desktop.services.csv_format import defused_sql, joined_row_sql
from desktop.services.customers import MAX_PHONES, PAYMENT_METHODS
from desktop.services.reservations import MAX_QUANTITY
from desktop.services.search_keys import email_key
from desktop.services.warranties import MAX_MONTHS, MIN_SERIAL_KEY, expiry, serial_key
from desktop.sync.clock import NO_TILL

# Column kinds: how a cell is written and checked.
UUID, REF, TEXT, INT, BOOL, DATE, DATETIME, EMAIL, PHONE, COUNTRY = (
    "uuid", "ref", "text", "int", "bool", "date", "datetime", "email", "phone", "country"
)
# The change feed's columns (desktop/sync/clock.py): a hybrid-clock stamp ("" for none), the stamps of
# the fields edited since the record's own stamp (JSON), a customer's removed numbers ("e164 stamp;...").
STAMP, FIELD_STAMPS, REMOVED_PHONES = "stamp", "field stamps", "removed phones"
# Kinds whose cells can never start like a spreadsheet formula, so export skips defusing them.
NEVER_FORMULA = {UUID, REF, BOOL, DATE, DATETIME, COUNTRY, STAMP, FIELD_STAMPS}
# Columns that say how a record changed rather than what it holds: never merged as fields.
BOOKKEEPING = frozenset({"uuid", "created_at", "updated_at", "stamp", "field_stamps", "removed_phones"})
# Columns a bundle exported before stamps (format 1) lacks; its rows get them as "" (legacy stamps).
CHANGE_FEED_COLUMNS = frozenset({"stamp", "field_stamps", "removed_phones"})
LEDGER_KINDS = ("earn", "redeem", "adjust", "expire")
CARD_STATUSES = ("active", "replaced")
MAX_AMOUNT = 1_000_000_000
# The tables a tombstone may name: every synced table whose records have a UUID.
ERASABLE_TABLES = (
    "customers", "loyalty_programs", "loyalty_cards", "loyalty_entries", "privacy_notices", "consents", "choices",
    "reservations", "reservation_events", "warranties", "warranty_claims", "phone_calls",
)


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header, and the database column unless this is a reference
    kind: str
    nullable: bool = False  # an empty cell means NULL
    max_length: int = 0  # TEXT: the service's limit
    multiline: bool = False  # TEXT: line breaks and tabs allowed
    required: bool = False  # TEXT, PHONE: must not be empty (an empty optional one is "", not NULL)
    choices: tuple[str, ...] = ()  # TEXT: one of these ("" too unless required)
    low: int | None = None  # INT bounds
    high: int | None = None
    ref: str = ""  # REF: the referenced table
    fk: str = ""  # REF: this table's integer column holding the referenced id

    @property
    def db_name(self) -> str:
        return self.fk if self.kind == REF else self.name


@dataclass(frozen=True)
class Unique:
    """A column no two records may share; key() is the form in which they are compared."""

    column: str
    key: Callable[[Any], Any] | None = None  # None: compared exactly (and looked up by index)


@dataclass(frozen=True)
class Derived:
    """A database column recomputed on import from the row's checked values (a lookup key)."""

    column: str
    compute: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    changed: str  # the column that says when the record last changed (a record without a stamp is stamped at it)
    append_only: bool = False  # rows are only ever added: merged by UUID, never updated
    unique: tuple[Unique, ...] = ()
    merged_max: tuple[str, ...] = ()  # merged by taking the later value, outside the compared content
    derived: tuple[Derived, ...] = ()
    # Rules across columns: the reason the row is refused, or None. Gets the checked values.
    row_check: Callable[[dict[str, Any]], str | None] | None = None
    owner: str = ""  # rows with no UUID of their own that belong to a record of this table (phones)
    has_uuid: bool = True
    # Fields that only make sense together merge as one (named by the first); every other field alone.
    coupled: tuple[tuple[str, ...], ...] = ()
    content: tuple[str, ...] = field(init=False)  # the columns a conflict compares
    groups: dict[str, tuple[str, ...]] = field(init=False)  # what merges field by field, by group name
    stamped: bool = field(init=False)  # a record that can change: it carries stamps and merges field by field

    def __post_init__(self) -> None:
        object.__setattr__(self, "content", tuple(c.name for c in self.columns if c.name not in self.merged_max))
        object.__setattr__(self, "stamped", any(c.kind == FIELD_STAMPS for c in self.columns))
        groups: dict[str, tuple[str, ...]] = {}
        if self.stamped:
            for name in self.content:
                if name in BOOKKEEPING:
                    continue
                together = next((g for g in self.coupled if name in g), (name,))
                groups.setdefault(together[0], together)
        object.__setattr__(self, "groups", groups)


    @property
    def legacy_header(self) -> tuple[str, ...]:
        """The header of this file in a bundle exported before stamps."""
        return tuple(name for name in self.header if name not in CHANGE_FEED_COLUMNS)

    def accepts_header(self, found: Sequence[str]) -> bool:
        return tuple(found) in (self.header, self.legacy_header)

    def padded(self, cells: list[str]) -> list[str]:
        """A row of either header as a row of the current one (the change-feed cells "" if it had none)."""
        if len(cells) == len(self.columns):
            return cells
        values = iter(cells)
        return ["" if name in CHANGE_FEED_COLUMNS else next(values) for name in self.header]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def index(self, name: str) -> int:
        return self.header.index(name)

    @property
    def refs(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == REF)


# --- column shorthands -----------------------------------------------------------------------


def record_uuid() -> Column:
    return Column("uuid", UUID)


def text(name: str, max_length: int, *, multiline: bool = False, required: bool = False,
         choices: tuple[str, ...] = ()) -> Column:
    return Column(name, TEXT, max_length=max_length, multiline=multiline, required=required, choices=choices)


def choice(name: str, choices: tuple[str, ...]) -> Column:
    return Column(name, TEXT, max_length=max(len(c) for c in choices), required=True, choices=choices)


def number(name: str, low: int | None = None, high: int | None = None, *, nullable: bool = False) -> Column:
    return Column(name, INT, nullable=nullable, low=low, high=high)


def ref(name: str, table: str, fk: str, *, nullable: bool = False) -> Column:
    return Column(name, REF, nullable=nullable, ref=table, fk=fk)


def moment(name: str, *, nullable: bool = False) -> Column:
    return Column(name, DATETIME, nullable=nullable)


def day(name: str, *, nullable: bool = False) -> Column:
    return Column(name, DATE, nullable=nullable)


def staff() -> Column:
    return text("staff", 80)


def stamps() -> tuple[Column, ...]:
    """The stamps of a record that can change (desktop/sync/clock.py): its own, and its fields' since."""
    return Column("stamp", STAMP), Column("field_stamps", FIELD_STAMPS)


# --- rules across columns -----------------------------------------------------------------


def _program_rules(row: dict[str, Any]) -> str | None:
    if row["kind"] == "stamps" and row["reward_at"] > loyalty.MAX_STAMPS:
        return f"a stamp card has at most {loyalty.MAX_STAMPS} stamps"
    if row["kind"] == "points" and row["points_per_unit"] is None:
        return "a points programme needs points_per_unit"
    return None


def _card_rules(row: dict[str, Any]) -> str | None:
    code = row["code"]
    if not card_codes.is_valid(code) or card_codes.normalise(code) != code:
        return "code is not a valid loyalty card code"
    if (row["status"] == "replaced") != (row["replaced_at"] is not None):
        return "a replaced card, and only a replaced card, has replaced_at"
    return None


def _reservation_rules(row: dict[str, Any]) -> str | None:
    reference = row["reference"]
    prefix = card_codes.RESERVATION_PREFIX
    if not card_codes.is_valid(reference, prefix) or card_codes.normalise(reference, prefix) != reference:
        return "reference is not a valid reservation code"
    return None


def _warranty_rules(row: dict[str, Any]) -> str | None:
    if len(serial_key(row["serial_number"])) < MIN_SERIAL_KEY:
        return f"serial_number has fewer than {MIN_SERIAL_KEY} letters or digits"
    if row["expires_on"] != expiry(date.fromisoformat(row["purchase_date"]), row["months"]).isoformat():
        return "expires_on does not follow from purchase_date and months"
    return None


def _entry_rules(row: dict[str, Any]) -> str | None:
    return "amount is zero" if row["amount"] == 0 else None


# --- the tables --------------------------------------------------------------------------------

CUSTOMERS = TableSpec(
    "customers",
    (
        record_uuid(),
        text("first_name", 100),  # required, except for an erased customer (checked by the importer)
        text("last_name", 100),
        text("company", 120),
        Column("email", EMAIL, nullable=True),
        text("address_line1", 200),
        text("address_line2", 200),
        text("city", 100),
        text("state", 100),
        text("postal_code", 20),
        Column("country", COUNTRY),
        text("preferred_payment", 20, choices=("", *PAYMENT_METHODS)),
        day("birthday", nullable=True),
        text("notes", 2000, multiline=True),
        text("heard_from", 200),
        moment("created_at"),
        moment("updated_at"),
        moment("last_seen_at"),  # a visit: the later one wins, whoever edited the record last
        Column("removed_phones", REMOVED_PHONES),
        *stamps(),
    ),
    changed="updated_at",
    merged_max=("last_seen_at",),
    derived=(Derived("email_key", lambda row: email_key(row["email"])),),
)

CUSTOMER_PHONES = TableSpec(
    "customer_phones",
    (
        ref("customer_uuid", "customers", "customer_id"),
        number("position", 0, MAX_PHONES - 1),
        text("label", 30),
        Column("e164", PHONE, required=True),
        Column("stamp", STAMP),  # when the number was added
    ),
    changed="",
    owner="customers",
    has_uuid=False,
)

LOYALTY_PROGRAMS = TableSpec(
    "loyalty_programs",
    (
        record_uuid(),
        text("name", 80, required=True),
        choice("kind", loyalty.KINDS),
        number("reward_at", 1, loyalty.MAX_REWARD_AT),
        text("reward_description", 120, required=True),
        number("cents_per_stamp", 1, MAX_AMOUNT, nullable=True),
        number("points_per_unit", 1, 1000, nullable=True),
        choice("status", loyalty.STATUSES),
        moment("created_at"),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
    coupled=(("kind", "reward_at", "cents_per_stamp", "points_per_unit"),),
    unique=(Unique("name", lambda name: unicodedata.normalize("NFC", name).casefold()),),  # as loyalty compares names
    row_check=_program_rules,
)

LOYALTY_CARDS = TableSpec(
    "loyalty_cards",
    (
        record_uuid(),
        ref("customer_uuid", "customers", "customer_id"),
        text("code", card_codes.LENGTH, required=True),
        choice("status", CARD_STATUSES),
        moment("issued_at"),
        moment("replaced_at", nullable=True),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
    coupled=(("status", "replaced_at"),),
    unique=(Unique("code"),),
    row_check=_card_rules,
)

LOYALTY_ENTRIES = TableSpec(
    "loyalty_entries",
    (
        record_uuid(),
        ref("program_uuid", "loyalty_programs", "program_id"),
        ref("customer_uuid", "customers", "customer_id"),
        choice("kind", LEDGER_KINDS),
        number("amount", -MAX_AMOUNT, MAX_AMOUNT),
        text("reason", 200),
        number("purchase_cents", 0, MAX_AMOUNT, nullable=True),
        moment("created_at"),
    ),
    changed="created_at",
    append_only=True,
    row_check=_entry_rules,
)

PRIVACY_NOTICES = TableSpec(
    "privacy_notices",
    (
        record_uuid(),
        number("version", 1, 1_000_000),
        text("text", 8000, multiline=True, required=True),
        moment("published_at"),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
    unique=(Unique("version"),),
)

CONSENTS = TableSpec(
    "consents",
    (
        record_uuid(),
        ref("customer_uuid", "customers", "customer_id"),
        choice("channel", CHANNELS),
        Column("granted", BOOL),
        number("notice_version", 1, 1_000_000),
        choice("source", SOURCES),
        staff(),
        moment("recorded_at"),
    ),
    changed="recorded_at",
    append_only=True,
)

CHOICES = TableSpec(
    "choices",
    (
        record_uuid(),
        choice("list_name", CHOICE_LISTS),
        text("label", 80, required=True),
        number("position", 0, 1_000_000),
        Column("retired", BOOL),
        moment("created_at"),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
)

RESERVATIONS = TableSpec(
    "reservations",
    (
        record_uuid(),
        text("reference", card_codes.LENGTH, required=True),
        ref("customer_uuid", "customers", "customer_id"),
        text("item", 200, required=True),
        number("quantity", 1, MAX_QUANTITY),
        number("deposit_cents", 0, MAX_AMOUNT),
        day("expected_on"),
        text("notes", 1000, multiline=True),
        choice("status", RESERVATION_STATUSES),
        staff(),
        moment("status_changed_at"),
        moment("created_at"),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
    coupled=(("status", "status_changed_at", "staff"),),
    unique=(Unique("reference"),),
    row_check=_reservation_rules,
)

RESERVATION_EVENTS = TableSpec(
    "reservation_events",
    (
        record_uuid(),
        ref("reservation_uuid", "reservations", "reservation_id"),
        choice("status", RESERVATION_STATUSES),
        staff(),
        moment("changed_at"),
    ),
    changed="changed_at",
    append_only=True,
)

WARRANTIES = TableSpec(
    "warranties",
    (
        record_uuid(),
        ref("customer_uuid", "customers", "customer_id"),
        text("product", 200, required=True),
        text("serial_number", 60, required=True),
        day("purchase_date"),
        number("months", 1, MAX_MONTHS),
        day("expires_on"),
        text("notes", 1000, multiline=True),
        staff(),
        moment("created_at"),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
    coupled=(("purchase_date", "months", "expires_on"),),
    derived=(Derived("serial_key", lambda row: serial_key(row["serial_number"])),),
    row_check=_warranty_rules,
)

WARRANTY_CLAIMS = TableSpec(
    "warranty_claims",
    (
        record_uuid(),
        ref("warranty_uuid", "warranties", "warranty_id"),
        day("claimed_on"),
        text("problem", 1000, multiline=True, required=True),
        text("outcome", 1000, multiline=True),
        staff(),
        moment("created_at"),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
)

PHONE_CALLS = TableSpec(
    "phone_calls",
    (
        record_uuid(),
        ref("customer_uuid", "customers", "customer_id", nullable=True),
        Column("caller_e164", PHONE),  # "" when the caller gave no number
        text("reason", 80, required=True),
        text("notes", 2000, multiline=True),
        day("follow_up_on", nullable=True),
        moment("follow_up_done_at", nullable=True),
        staff(),
        moment("called_at"),
        moment("created_at"),
        moment("updated_at"),
        *stamps(),
    ),
    changed="updated_at",
    coupled=(("follow_up_on", "follow_up_done_at"),),
)

TOMBSTONES = TableSpec(
    "tombstones",
    (
        record_uuid(),
        choice("table_name", ERASABLE_TABLES),
        Column("record_uuid", UUID),
        choice("kind", TOMBSTONE_KINDS),
        moment("at"),
        moment("updated_at"),
    ),
    changed="updated_at",
)

# In the order an import applies them: every record after the records it refers to.
TABLES: tuple[TableSpec, ...] = (
    CUSTOMERS,
    CUSTOMER_PHONES,
    LOYALTY_PROGRAMS,
    LOYALTY_CARDS,
    LOYALTY_ENTRIES,
    PRIVACY_NOTICES,
    CONSENTS,
    CHOICES,
    RESERVATIONS,
    RESERVATION_EVENTS,
    WARRANTIES,
    WARRANTY_CLAIMS,
    PHONE_CALLS,
    TOMBSTONES,
)
BY_NAME = {spec.name: spec for spec in TABLES}
assert set(ERASABLE_TABLES) == {spec.name for spec in TABLES if spec.has_uuid and spec is not TOMBSTONES}


def children_of(table: str) -> list[tuple[TableSpec, Column]]:
    """Every (table, reference column) that refers to records of table."""
    return [(spec, column) for spec in TABLES for column in spec.refs if column.ref == table and not spec.owner]


# --- reading a table with SQL -----------------------------------------------------------------


def legacy_stamp_sql(moment: str) -> str:
    """clock.legacy_stamp in SQL: the stamp of a record stamped before stamps existed, from its change time."""
    return (f"printf('%013d-00000-{NO_TILL}', unixepoch(substr({moment}, 1, 19)) * 1000"
            f" + CAST(substr({moment}, 21, 3) AS INTEGER))")


def _value_sql(spec: TableSpec, column: Column, alias: str, index: int) -> tuple[str, str]:
    """(expression, join) reading one column's value; join is "" unless it is a reference."""
    if column.kind == STAMP and spec.stamped:  # a record's own stamp is never "" once it leaves the file
        expression = f"{alias}.{column.name}"
        return f"(CASE WHEN {expression} <> '' THEN {expression} ELSE {legacy_stamp_sql(f'{alias}.{spec.changed}')} END)", ""
    if column.kind == REF:
        ref_alias = f"r{index}"
        # SQLite would read the customers table itself (the id is its rowid); the index holds
        # a hundred UUIDs to a page instead of tens of whole customers (migration 0009).
        indexed = " INDEXED BY ix_customers_id_uuid" if column.ref == "customers" else ""
        return f"{ref_alias}.uuid", (
            f"LEFT JOIN {column.ref} {ref_alias}{indexed} ON {ref_alias}.id = {alias}.{column.fk}"
        )
    expression = f"{alias}.{column.name}"
    if column.kind == DATETIME:  # rows written before SQLAlchemy wrote them (old migrations) lack microseconds
        expression = f"(CASE WHEN length({expression}) = 19 THEN {expression} || '.000000' ELSE {expression} END)"
    return expression, ""


def select_sql(
    spec: TableSpec, *, joined: bool = False, where: str = "", extra: Sequence[str] = (), ids_only: bool = False
) -> str:
    """SELECT of the table's values in CSV order (then extra expressions on alias t), ORDER BY id.

    joined: one text per row instead (as line), formula-like cells defused
    (csv_format.joined_row_sql), then the row's id (as id), for csv_format to turn into CSV
    lines: SQLite does the per-cell work in C. ids_only: only the ids (where may still use
    the joined tables).
    """
    values, joins = [], []
    for index, column in enumerate(spec.columns):
        expression, join = _value_sql(spec, column, "t", index)
        if joined and column.kind not in NEVER_FORMULA:
            expression = defused_sql(expression)
        values.append(expression)
        if join:
            joins.append(join)
    if ids_only:
        selected = ["t.id"]
    else:
        selected = [f"{joined_row_sql(values)} AS line", "t.id AS id"] if joined else values
    return (
        f"SELECT {', '.join([*selected, *extra])} FROM {spec.name} t {' '.join(joins)}"
        f"{' WHERE ' + where if where else ''} ORDER BY t.id"
    )


def batch_sql(spec: TableSpec, where: str) -> str:
    """The joined rows that where picks (one batch) as one row: their texts joined with
    RECORD_SEPARATOR, and how many there are.

    One statement and one Python value per batch instead of per row: the reading thread then
    spends its time in SQLite, which lets go of the interpreter, so the zip worker can hash,
    compress and encrypt alongside it instead of taking turns.
    """
    return f"SELECT group_concat(line, char(30)), count(*) FROM ({select_sql(spec, joined=True, where=where)})"


def changed_since_sql(spec: TableSpec, alias: str) -> str:
    """SQL true for records of spec (as alias) changed here since :since (a change number), or referred
    to by such a record.

    The referred records travel too, so every bundle can be imported on its own, in any order.
    """
    terms = [f"{alias}.change_seq >= :since"]
    for child, column in children_of(spec.name):
        inner = f"{alias}_{child.name[:3]}"
        terms.append(
            f"{alias}.id IN (SELECT {inner}.{column.fk} FROM {child.name} {inner} "
            f"WHERE {changed_since_sql(child, inner)})"
        )
    return "(" + " OR ".join(terms) + ")"


def export_where(spec: TableSpec) -> str:
    """The WHERE of an incremental export of spec (its owner's, for owned rows)."""
    if spec.owner:
        owner_ref = next(index for index, column in enumerate(spec.columns) if column.ref == spec.owner)
        return changed_since_sql(BY_NAME[spec.owner], f"r{owner_ref}")
    if spec is TOMBSTONES:  # an erased customer never travels without its tombstone
        return (
            f"({changed_since_sql(spec, 't')} OR (t.table_name = 'customers' AND t.record_uuid IN "
            f"(SELECT c.uuid FROM customers c WHERE {changed_since_sql(CUSTOMERS, 'c')})))"
        )
    return changed_since_sql(spec, "t")
