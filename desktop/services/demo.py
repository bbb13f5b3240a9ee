"""A realistic fake customer book, for trying Regulars out and for the benchmarks.

Names come in the shop's own language with a share of visitors from the other demo
countries (Latin and Greek scripts), phones are valid mobile numbers of each country,
and visits are spread over the last two years. Rows go in by bulk insert, so a million
customers take about a minute rather than hours (about 2.5 minutes for a million on two cores).
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterator

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from desktop.models import Customer, CustomerPhone, CustomerSearchKey
from desktop.models.base import utc_now
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
            local = fold(f"{first}.{last}").replace(" ", "")
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
        yield customer, phones, name_keys(first, last)


def add_demo_customers(session: Session, region: str, count: int, seed: int = 1) -> DemoResult:
    """Adds count fake customers to the open shop, deterministically for a given seed."""
    require(session, Permission.SETTINGS)
    rng = random.Random(seed)
    first_id = (session.scalar(select(func.max(Customer.id))) or 0) + 1
    now = utc_now()
    customers, phones, keys = [], [], []
    for customer, numbers, customer_keys in _rows(rng, region, count, first_id, now):
        customers.append(customer)
        for position, (e164, national) in enumerate(numbers):
            phones.append(
                {
                    "customer_id": customer["id"],
                    "position": position,
                    "label": "mobile",
                    "e164": e164,
                    "national_number": national,
                    "reversed_digits": national[::-1],
                }
            )
        keys.extend({"key": k, "customer_id": customer["id"]} for k in customer_keys)
        if len(customers) >= BATCH:
            _flush(session, customers, phones, keys)
    _flush(session, customers, phones, keys)
    return DemoResult(customers=count, first_id=first_id, last_id=first_id + count - 1)


def _flush(session: Session, customers: list, phones: list, keys: list) -> None:
    if customers:
        session.execute(insert(Customer), customers)
        session.execute(insert(CustomerPhone), phones)
        session.execute(insert(CustomerSearchKey), keys)
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
