"""A realistic fake customer book, for trying Regulars out and for the benchmarks.

Names come in the shop's own language with a share of visitors from the other demo
countries (Latin and Greek scripts), phones are valid mobile numbers of each country,
and visits are spread over the last two years. Rows go in by bulk SQL on the session's
connection (executemany, no ORM object per row), so a benchmark's million customers, and
their loyalty, consent and call history (add_demo_history), take a minute or two.
`regulars demo` (make_demo_shop) commits them in short batches, so that a till or another
command writing meanwhile waits a moment at most.
"""

from __future__ import annotations

import functools
import json
import random
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase
from desktop.models import Customer
from desktop.models.base import CURRENT_CHANGE_SEQ, stored_time, utc_now
from desktop.paths import resources_dir
from desktop.services.permissions import Permission, require
from desktop.services.search_keys import email_key, name_keys
from desktop.services.text import fold

BATCH = 5_000
HOME_SHARE = 0.85
HEARD_FROM = ("", "", "friend", "walked past", "Instagram", "Google Maps", "flyer", "newspaper")
PAYMENTS = ("", "cash", "card", "card", "pix", "mb_way", "bank_transfer")


@dataclass(frozen=True)
class DemoResult:
    customers: int
    first_id: int
    last_id: int


@functools.cache  # read once, however many batches are made
def _load_locales() -> dict[str, dict]:
    with (resources_dir() / "demo" / "names.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def _phone(rng: random.Random, locale: dict) -> tuple[str, str]:
    prefix = rng.choice(locale["mobile"])
    rest = locale["national_length"] - len(prefix)
    if locale["calling_code"] == "55":  # Brazilian mobiles are 9 then 6-9
        national = prefix + "9" + str(rng.randint(6, 9)) + "".join(rng.choices("0123456789", k=rest - 2))
    else:
        national = prefix + "".join(rng.choices("0123456789", k=rest))
    return "+" + locale["calling_code"] + national, national


# Names come from short lists: each pair's search keys and e-mail name are worked out once.
@functools.lru_cache(maxsize=1 << 16)
def _name_keys(first: str, last: str) -> tuple[str, ...]:
    return tuple(name_keys(first, last))


@functools.lru_cache(maxsize=1 << 16)
def _email_local(first: str, last: str) -> str:
    return fold(f"{first}.{last}").replace(" ", "")


def _rows(rng: random.Random, region: str, count: int, first_id: int, now: datetime) -> Iterator[tuple]:
    locales = _load_locales()
    home = locales.get(region) or locales["PT"]
    others = [v for k, v in locales.items() if v is not home]
    for offset in range(count):
        customer_id = first_id + offset
        locale = home if rng.random() < HOME_SHARE else rng.choice(others)
        first = rng.choice(locale["first"])
        last = rng.choice(locale["last"])
        created = now - timedelta(days=rng.uniform(30, 1500))
        seen = created + (now - created) * rng.random() ** 0.5  # recent visits are likelier
        email = None
        if rng.random() < 0.6:
            local = _email_local(first, last)
            if not local.isascii():
                local = "cliente"
            email = f"{local}{customer_id}@{rng.choice(locale['email_domains'])}"
        customer = {
            "id": customer_id,
            "uuid": str(uuid.uuid4()),  # sync identity: unique across shops, whatever the seed
            "first_name": first,
            "last_name": last,
            "company": "",
            "email": email,
            "email_key": email_key(email),
            "address_line1": "",
            "address_line2": "",
            "city": rng.choice(locale["cities"]) if rng.random() < 0.4 else "",
            "state": "",
            "postal_code": "",
            "country": "",
            "preferred_payment": rng.choice(PAYMENTS),
            "birthday": date(rng.randint(1945, 2006), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.3
            else None,
            "notes": "",
            "heard_from": rng.choice(HEARD_FROM),
            "created_at": created,
            "updated_at": created,
            "last_seen_at": seen,
        }
        phones = [_phone(rng, locale)]
        if rng.random() < 0.15:
            phones.append(_phone(rng, locale))
        yield customer, phones, _name_keys(first, last)


_CUSTOMER_COLUMNS = (
    "id", "uuid", "first_name", "last_name", "company", "email", "email_key", "address_line1", "address_line2",
    "city", "state", "postal_code", "country", "preferred_payment", "birthday", "notes", "heard_from",
    "created_at", "updated_at", "last_seen_at",
)
_INSERT_CUSTOMER = (f"INSERT INTO customers ({', '.join(_CUSTOMER_COLUMNS)}, change_seq)"
                    f" VALUES ({', '.join('?' * len(_CUSTOMER_COLUMNS))}, {CURRENT_CHANGE_SEQ})")
_INSERT_PHONE = ("INSERT INTO customer_phones (customer_id, position, label, e164, national_number, reversed_digits)"
                 " VALUES (?, ?, 'mobile', ?, ?, ?)")
_INSERT_KEY = "INSERT INTO customer_search_keys (key, customer_id) VALUES (?, ?)"


def add_demo_customers(session: Session, region: str, count: int, seed: int = 1) -> DemoResult:
    """Adds count fake customers to the open shop, deterministically for a given seed, in this one
    unit of work (make_demo_shop commits in short batches instead)."""
    require(session, Permission.SETTINGS)
    first_id = _next_customer_id(session)
    rows = _rows(random.Random(seed), region, count, first_id, utc_now())
    _insert_customers(session, rows, count)
    return DemoResult(customers=count, first_id=first_id, last_id=first_id + count - 1)


def _next_customer_id(session: Session) -> int:
    return (session.scalar(select(func.max(Customer.id))) or 0) + 1


def _insert_customers(session: Session, rows: Iterable[tuple], count: int) -> None:
    """The customers of ``rows`` (from _rows), with their phones and search keys, by bulk SQL."""
    cursor = session.connection().connection.dbapi_connection.cursor()
    customers, phones, keys = [], [], []
    with closing(cursor), _roomy_cache(cursor, count):
        for customer, numbers, customer_keys in rows:
            customer_id = customer["id"]
            for time_column in ("created_at", "updated_at", "last_seen_at"):
                customer[time_column] = stored_time(customer[time_column])
            if customer["birthday"] is not None:
                customer["birthday"] = customer["birthday"].isoformat()
            customers.append(tuple(customer[name] for name in _CUSTOMER_COLUMNS))
            phones.extend((customer_id, position, e164, national, national[::-1])
                          for position, (e164, national) in enumerate(numbers))
            keys.extend((key, customer_id) for key in customer_keys)
            if len(customers) >= BATCH:
                _flush(cursor, customers, phones, keys)
        _flush(cursor, customers, phones, keys)
    session.expire_all()  # the ORM saw none of it


# Customers per unit of work in make_demo_shop: each commits in a fraction of a second, so a
# till or a command writing in between waits no longer than that.
DEMO_COMMIT_EVERY = 5_000


def make_demo_shop(
    database: ShopDatabase, count: int, seed: int = 1, *, progress: Callable[[int, int], None] | None = None
) -> DemoResult:
    """``count`` demo customers for the shop, committed in short batches so that other windows and
    commands get through in between; on a shop without loyalty programmes yet, also their purchase,
    loyalty, consent and call history (in bulk, batch by batch), loyalty cards for the loyal ones,
    and a few reservations, warranties and follow-ups made through the services.

    Deterministic for a seed. ``progress(done, total)`` is called after each batch.
    """
    from desktop.services import loyalty
    from desktop.services.shop import shop_settings

    with database.writing() as session:
        require(session, Permission.SETTINGS)
        region = shop_settings(session).region
        with_history = not loyalty.list_programs(session, include_ended=True)
    rng, history_rng, now = random.Random(seed), random.Random(seed + 1), utc_now()
    done, first_id, last_id = 0, None, 0
    while done < count:
        size = min(DEMO_COMMIT_EVERY, count - done)
        with database.writing() as session:
            batch_first = _next_customer_id(session)  # a till may have added someone since the last batch
            _insert_customers(session, _rows(rng, region, size, batch_first, now), size)
            last_id = batch_first + size - 1
            if with_history:
                add_demo_history(session, rng=history_rng, customer_ids=(batch_first, last_id))
        first_id = batch_first if first_id is None else first_id
        done += size
        if progress is not None:
            progress(done, count)
    if with_history:
        with database.writing() as session:
            if first_id is not None:
                add_demo_cards(session, loyal_only=True, customer_ids=(first_id, last_id))
            add_demo_records(session, region, seed=seed)
    return DemoResult(customers=count, first_id=first_id or last_id + 1, last_id=last_id)



@contextmanager
def _roomy_cache(cursor, rows: int) -> Iterator[None]:
    """Room for the indexes that random keys (UUIDs, phones, names) go into, while rows go in.

    With the connection's usual cache, a million customers' inserts evict and re-read
    (decrypt) index pages all the time: three times slower. About half a kilobyte a row,
    at most 512 MiB, and only until the rows are in.
    """
    before = cursor.execute("PRAGMA cache_size").fetchone()[0]
    wanted = min(512 * 1024, rows // 2)  # KiB
    if before < 0 and -before < wanted:
        cursor.execute(f"PRAGMA cache_size = {-wanted}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {before}")


def _flush(cursor, customers: list, phones: list, keys: list) -> None:
    if customers:
        cursor.executemany(_INSERT_CUSTOMER, customers)
        cursor.executemany(_INSERT_PHONE, phones)
        cursor.executemany(_INSERT_KEY, keys)
    customers.clear()
    phones.clear()
    keys.clear()


def add_demo_loyalty(session: Session, seed: int = 1, share: float = 0.3) -> int:
    """A coffee card and a points programme, with stamps and points for a share of customers.

    Goes through the loyalty service, entry by entry, as a till would: for demo shops,
    not for the million-customer benchmark books.
    """
    require(session, Permission.SETTINGS)
    from desktop.services import loyalty

    rng = random.Random(seed)
    coffee = loyalty.add_program(
        session, loyalty.ProgramSettings("Coffee card", "stamps", 10, "Free coffee")
    )
    points = loyalty.add_program(
        session, loyalty.ProgramSettings("Points", "points", 200, "10 off your next purchase", points_per_unit=1)
    )
    members = 0
    for customer_id in session.scalars(select(Customer.id).order_by(Customer.id)):
        if rng.random() >= share:
            continue
        members += 1
        loyalty.card_for(session, customer_id)
        for _ in range(rng.randint(1, 12)):
            loyalty.earn(session, customer_id, coffee.id)
        if rng.random() < 0.5:
            loyalty.earn(session, customer_id, points.id, f"{rng.randint(5, 180)},{rng.randint(0, 99):02d}")
    return members


def add_demo_cards(
    session: Session, *, loyal_only: bool = False, customer_ids: tuple[int, int] | None = None
) -> int:
    """A loyalty card for every customer without an active one (loyal_only: who has a loyalty entry;
    customer_ids: (first, last) only), in bulk (as card_for would issue them); how many."""
    require(session, Permission.SETTINGS)
    from desktop.services import card_codes

    session.flush()  # cards the session holds count too
    cursor = session.connection().connection.dbapi_connection.cursor()
    loyal = " AND id IN (SELECT customer_id FROM loyalty_entries)" if loyal_only else ""
    low, high = customer_ids or (0, 2**63 - 1)
    with closing(cursor):
        ids = [row[0] for row in cursor.execute(
            "SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM loyalty_cards WHERE status = 'active')"
            f"{loyal} AND id BETWEEN ? AND ? ORDER BY id", (low, high))]
        taken = {row[0] for row in cursor.execute("SELECT code FROM loyalty_cards")}
    codes: list[str] = []
    while len(codes) < len(ids):
        code = card_codes.new_code()
        if code not in taken:
            taken.add(code)
            codes.append(code)
    now = stored_time(utc_now())
    cursor = session.connection().connection.dbapi_connection.cursor()
    with closing(cursor), _roomy_cache(cursor, len(ids)):
        cursor.executemany(
            "INSERT INTO loyalty_cards (uuid, customer_id, code, status, issued_at, updated_at, change_seq)"
            f" VALUES (?, ?, ?, 'active', ?, ?, {CURRENT_CHANGE_SEQ})",
            ((str(uuid.uuid4()), customer_id, code, now, now) for customer_id, code in zip(ids, codes)),
        )
    session.expire_all()
    return len(ids)


@dataclass(frozen=True)
class DemoHistory:
    loyalty_entries: int
    consents: int
    calls: int


# Each with the shop's current change number (models.base.CURRENT_CHANGE_SEQ), so the next sync export takes it.
_INSERT_ENTRY = ("INSERT INTO loyalty_entries (uuid, program_id, customer_id, kind, amount, reason, purchase_cents,"
                 f" created_at, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, {CURRENT_CHANGE_SEQ})")
_INSERT_CONSENT = ("INSERT INTO consents (uuid, customer_id, channel, granted, notice_version, source, staff,"
                   f" recorded_at, change_seq) VALUES (?, ?, ?, ?, ?, 'signup', '', ?, {CURRENT_CHANGE_SEQ})")
_INSERT_CALL = ("INSERT INTO phone_calls (uuid, customer_id, caller_e164, reason, notes, follow_up_on, follow_up_done_at,"
                " staff, called_at, created_at, updated_at, change_seq)"
                f" VALUES (?, ?, ?, ?, ?, NULL, NULL, '', ?, ?, ?, {CURRENT_CHANGE_SEQ})")


def add_demo_history(
    session: Session, seed: int = 1, *, loyal_share: float = 0.25, consent_share: float = 0.2,
    caller_share: float = 0.03, rng: random.Random | None = None, customer_ids: tuple[int, int] | None = None,
) -> DemoHistory:
    """Purchase, loyalty, consent and call history for the customers already in the shop, in bulk.

    For books too large to fill through the services an entry at a time (the benchmarks'
    million customers): the rows are the ones the services would write. A share of customers
    collects coffee stamps (a purchase each, a reward redeemed per full card) and some of them
    points; a share gave consents when signing up; a few phoned the shop. Every time falls
    between the customer's first and latest visit. ``customer_ids`` (first, last): only those
    customers; ``rng``: carried on from an earlier batch instead of a new one from ``seed``.
    """
    require(session, Permission.SETTINGS)
    from desktop.services import loyalty
    from desktop.services.choices import choice_labels
    from desktop.services.privacy_notice import current_notice

    rng = rng or random.Random(seed)
    programs = {program.name: program for program in loyalty.list_programs(session, include_ended=True)}
    coffee = programs.get("Coffee card") or loyalty.add_program(
        session, loyalty.ProgramSettings("Coffee card", "stamps", 10, "Free coffee"))
    points = programs.get("Points") or loyalty.add_program(
        session, loyalty.ProgramSettings("Points", "points", 200, "10 off your next purchase", points_per_unit=1))

    version = current_notice(session).version
    reasons = choice_labels(session, "call_reason")
    session.flush()
    cursor = session.connection().connection.dbapi_connection.cursor()
    entries, consents, calls = [], [], []
    counts = [0, 0, 0]

    def flush(force: bool = False) -> None:
        for sql, rows, index in ((_INSERT_ENTRY, entries, 0), (_INSERT_CONSENT, consents, 1), (_INSERT_CALL, calls, 2)):
            if rows and (force or len(rows) >= BATCH):
                cursor.executemany(sql, rows)
                counts[index] += len(rows)
                rows.clear()

    low, high = customer_ids or (0, 2**63 - 1)
    people = session.connection().exec_driver_sql(
        "SELECT c.id, c.created_at, c.last_seen_at, c.email IS NOT NULL, p.e164 FROM customers c"
        " JOIN customer_phones p ON p.customer_id = c.id AND p.position = 0 WHERE c.id BETWEEN ? AND ? ORDER BY c.id",
        (low, high),
    ).all()
    with closing(cursor), _roomy_cache(cursor, len(people)):
        for customer_id, created, seen, has_email, phone in people:
            loyal, consenting, calling = (rng.random() < loyal_share, rng.random() < consent_share,
                                          rng.random() < caller_share)
            if not (loyal or consenting or calling):
                continue
            first, last = datetime.fromisoformat(created), datetime.fromisoformat(seen)

            def some_time() -> str:
                return stored_time(first + (last - first) * rng.random())

            if loyal:
                balance = 0
                for _ in range(min(12, 1 + int(rng.expovariate(0.4)))):
                    cents = rng.randint(150, 2500)
                    if coffee.status == "active" and (earned := loyalty.earned_for(coffee, cents)):
                        entries.append((str(uuid.uuid4()), coffee.id, customer_id, "earn", earned, "", cents,
                                        some_time()))
                        balance += earned
                if balance >= coffee.reward_at:
                    entries.append((str(uuid.uuid4()), coffee.id, customer_id, "redeem", -coffee.reward_at,
                                    coffee.reward_description, None, stored_time(last)))
                if rng.random() < 0.4:
                    cents = rng.randint(500, 18_000)
                    if points.status == "active" and (earned := loyalty.earned_for(points, cents)):
                        entries.append((str(uuid.uuid4()), points.id, customer_id, "earn", earned, "", cents,
                                        some_time()))
            if consenting:
                for channel in ("email", "sms") if has_email else ("sms",):
                    consents.append((str(uuid.uuid4()), customer_id, channel, rng.random() < 0.7, version, created))
            if calling and reasons:
                called = some_time()
                calls.append((str(uuid.uuid4()), customer_id, phone, rng.choice(reasons),
                              rng.choice(("",) + _DEMO_NOTES), called, called, called))
            flush()
        flush(force=True)
    session.expire_all()
    return DemoHistory(loyalty_entries=counts[0], consents=counts[1], calls=counts[2])


_DEMO_ITEMS = ("Bolo de chocolate, 2 kg", "Torta de limão", "Pão de fermentação natural", "Caixa de 24 pastéis de nata",
               "Bolo de aniversário com nome", "Cesta de Natal")
_DEMO_PRODUCTS = ("Espresso machine Barista Pro", "Coffee grinder C40", "Milk frother", "Electric kettle 1.7 l")
_DEMO_NOTES = ("Asked about opening hours on Sunday", "Wants a gluten-free cake for Saturday",
               "Complained the bread was cold", "Will call back to confirm the order")


def add_demo_records(session: Session, region: str, seed: int = 1, today: date | None = None) -> int:
    """A few reservations (due, ready, overdue), warranty cards (some expiring soon), logged calls with
    follow-ups and mailing-list consents, through the services as staff would make them."""
    require(session, Permission.SETTINGS)
    from desktop.services import phone_calls, reservations, warranties
    from desktop.services.consents import record_consents
    from desktop.services.privacy_notice import current_notice

    rng = random.Random(seed)
    today = today or date.today()
    people = list(session.scalars(select(Customer.id).order_by(Customer.last_seen_at.desc()).limit(40)))
    if len(people) < 10:
        return 0
    made = 0
    for index, customer_id in enumerate(people[:8]):
        days = (-3, -1, 0, 1, 2, 4, 6, 12)[index]
        made_on = today + timedelta(days=min(days, 0) - 2)
        form = reservations.NewReservation(
            customer_id, rng.choice(_DEMO_ITEMS), rng.randint(1, 3), rng.choice(("", "10,00", "25,50")),
            today + timedelta(days=days),
        )
        reservation = reservations.add_reservation(session, form, today=made_on)
        if index in (3, 5):
            reservations.change_status(session, reservation.reference, "ready")
        made += 1
    for index, customer_id in enumerate(people[8:14]):
        bought = today - timedelta(days=(350, 340, 200, 30, 700, 5)[index])
        form = warranties.NewWarranty(
            customer_id, rng.choice(_DEMO_PRODUCTS), f"SN-{rng.randint(10_000, 99_999)}-{index}", bought, 12
        )
        warranty = warranties.add_warranty(session, form, today=today)
        if index == 2:
            warranties.add_claim(session, warranty.id, problem="Leaks water from the base",
                                 claimed_on=today - timedelta(days=20), today=today)
        made += 1
    for index, customer_id in enumerate(people[14:18]):
        follow_up = today + timedelta(days=index) if index < 3 else None
        phone_calls.log_call(
            session,
            phone_calls.CallLog(reason=("Question", "Order", "Complaint", "Other")[index], customer_id=customer_id,
                                notes=_DEMO_NOTES[index], follow_up_on=follow_up),
            region,
            today=today,
        )
        made += 1
    version = current_notice(session).version
    for customer_id in people[18:30]:
        customer = session.get(Customer, customer_id)
        choices = {"sms": rng.random() < 0.5, "post": False}
        if customer.email:
            choices["email"] = rng.random() < 0.7
        record_consents(session, customer_id, choices, notice_version=version, source="signup")
        made += 1
    return made
