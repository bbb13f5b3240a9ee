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
