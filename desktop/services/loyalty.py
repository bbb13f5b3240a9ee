"""Stamp cards and points: programmes, the ledger behind every balance, and card codes.

A balance is never stored: it is the sum of the customer's ledger entries for the
programme, so it can always be reproduced and the ledger merges between tills later.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, RegularsError, translatable
from desktop.models import Customer, LoyaltyCard, LoyaltyEntry, LoyaltyProgram
from desktop.models.base import new_uuid, utc_now
from desktop.services import audit, card_codes
from desktop.services.customers import NOT_ERASED, full_name, get_customer, is_erased
from desktop.services.money import parse_cents
from desktop.services.permissions import Permission, require
from desktop.services.record_ids import is_number, record_by_number
from desktop.services.shop import shop_settings
from desktop.services.text import clean_text

KINDS = ("stamps", "points")
STATUSES = ("active", "paused", "ended")
MAX_REWARD_AT = 100_000
MAX_STAMPS = 20


class LoyaltyRefused(RegularsError):
    """The action is not allowed now (not enough balance, programme paused...); nothing written."""


@dataclass(frozen=True)
class ProgramSettings:
    name: str
    kind: str  # "stamps" | "points"
    reward_at: int | str
    reward_description: str
    spend_per_stamp: str | None = None  # stamps: "" or None for one stamp per purchase
    points_per_unit: int | str | None = None  # points: per whole currency unit


@dataclass(frozen=True)
class Balance:
    """One programme's balance for one customer, with what it means at the till."""

    program_id: int
    program: str
    kind: str
    status: str
    balance: int
    reward_at: int
    reward_description: str

    @property
    def rewards_due(self) -> int:
        return self.balance // self.reward_at if self.reward_at else 0

    @property
    def to_next_reward(self) -> int:
        return self.reward_at - self.balance % self.reward_at


# --- programmes ----------------------------------------------------------------------------


def _positive_int(value, field: str, problems: dict[str, Problem], *, maximum: int = MAX_REWARD_AT) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        problems[field] = Problem(translatable("Enter a whole number."))
        return None
    if not 1 <= number <= maximum:
        problems[field] = Problem(translatable("Enter a whole number from 1 to {max}."), {"max": maximum})
        return None
    return number


def add_program(session: Session, settings: ProgramSettings) -> LoyaltyProgram:
    require(session, Permission.SETTINGS)
    problems: dict[str, Problem] = {}
    name = clean_text(settings.name, max_length=80)
    if isinstance(name, Problem):
        problems["name"] = name
    elif not name:
        problems["name"] = Problem(translatable("Give the programme a name, e.g. Coffee card."))
    elif _program_named(session, name) is not None:
        problems["name"] = Problem(translatable("There is already a programme called {name}."), {"name": name})
    if settings.kind not in KINDS:
        problems["kind"] = Problem(translatable("A programme gives stamps or points."))
    # A printed card has room for 20 stamp boxes; points can run much higher.
    most = MAX_STAMPS if settings.kind == "stamps" else MAX_REWARD_AT
    reward_at = _positive_int(settings.reward_at, "reward_at", problems, maximum=most)
    description = clean_text(settings.reward_description, max_length=120)
    if isinstance(description, Problem):
        problems["reward_description"] = description
    elif not description:
        problems["reward_description"] = Problem(translatable("Say what the reward is, e.g. a free coffee."))
    cents_per_stamp = points_per_unit = None
    if settings.kind == "stamps" and (settings.spend_per_stamp or "").strip():
        shop = shop_settings(session)
        cents = parse_cents(settings.spend_per_stamp, shop.currency, shop.region)
        if isinstance(cents, Problem):
            problems["spend_per_stamp"] = cents
        else:
            cents_per_stamp = cents
    if settings.kind == "points":
        points_per_unit = _positive_int(settings.points_per_unit, "points_per_unit", problems, maximum=1000)
    if problems:
        raise InvalidInput(problems)
    program = LoyaltyProgram(
        name=name,
        kind=settings.kind,
        reward_at=reward_at,
        reward_description=description,
        cents_per_stamp=cents_per_stamp,
        points_per_unit=points_per_unit,
        status="active",
    )
    session.add(program)
    session.flush()
    audit.record(session, audit.SETTINGS_CHANGED, subject_kind="loyalty_program", subject_uuid=program.uuid,
                 details={"added": True})  # fmt: skip
    return program


def list_programs(session: Session, *, include_ended: bool = False) -> list[LoyaltyProgram]:
    query = select(LoyaltyProgram).order_by(LoyaltyProgram.id)
    if not include_ended:
        query = query.where(LoyaltyProgram.status != "ended")
    return list(session.scalars(query))


def _program_named(session: Session, name: str) -> LoyaltyProgram | None:
    """Case-insensitive in every script: SQLite's lower() folds only A-Z ("CAFÉ" stays "cafÉ").

    A shop has a handful of programmes, so they are compared here rather than in SQL.
    """
    wanted = unicodedata.normalize("NFC", name).casefold()
    return next((p for p in list_programs(session, include_ended=True) if p.name.casefold() == wanted), None)


def get_program(session: Session, name_or_id: str | int) -> LoyaltyProgram:
    text = str(name_or_id).strip()
    if is_number(text):
        program = record_by_number(session, LoyaltyProgram, text)
    else:
        program = _program_named(session, text)
    if program is None:
        raise NotFound(translatable("No loyalty programme {ref}."), ref=text[:80])
    return program


def set_program_status(session: Session, name_or_id: str | int, status: str) -> LoyaltyProgram:
    """Pause, resume or end a programme; balances are kept whatever happens."""
    require(session, Permission.SETTINGS)
    if status not in STATUSES:
        raise InvalidInput({"status": Problem(translatable("A programme is active, paused or ended."))})
    program = get_program(session, name_or_id)
    if program.status == "ended" and status != "ended":
        raise LoyaltyRefused(translatable("{name} has ended and cannot restart."), name=program.name)
    program.status = status
    program.updated_at = utc_now()
    audit.record(session, audit.SETTINGS_CHANGED, subject_kind="loyalty_program", subject_uuid=program.uuid,
                 details={"fields": ["status"]})  # fmt: skip
    return program


# --- balances and the ledger ---------------------------------------------------------------


def balance_of(session: Session, customer_id: int, program_id: int) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(LoyaltyEntry.amount), 0)).where(
            LoyaltyEntry.customer_id == customer_id, LoyaltyEntry.program_id == program_id
        )
    )


def balances(session: Session, customer_id: int) -> list[Balance]:
    """Every programme not ended, plus ended ones the customer still holds a balance in."""
    require(session, Permission.LOOK_UP)
    totals = dict(
        session.execute(
            select(LoyaltyEntry.program_id, func.sum(LoyaltyEntry.amount))
            .where(LoyaltyEntry.customer_id == customer_id)
            .group_by(LoyaltyEntry.program_id)
        ).all()
    )
    result = []
    for program in list_programs(session, include_ended=True):
        balance = totals.get(program.id, 0)
        if program.status == "ended" and not balance:
            continue
        result.append(_as_balance(program, balance))
    return result


def _as_balance(program: LoyaltyProgram, balance: int) -> Balance:
    return Balance(
        program_id=program.id,
        program=program.name,
        kind=program.kind,
        status=program.status,
        balance=balance,
        reward_at=program.reward_at,
        reward_description=program.reward_description,
    )


def _balance(session: Session, customer_id: int, program: LoyaltyProgram) -> Balance:
    """The balance just changed, even one that balances() leaves out (an ended programme at zero)."""
    return _as_balance(program, balance_of(session, customer_id, program.id))


def _require_active(program: LoyaltyProgram) -> None:
    if program.status != "active":
        raise LoyaltyRefused(
            translatable("{name} is {status}: balances are kept, but nothing can be earned or redeemed now."),
            name=program.name,
            status=program.status,
        )


_LEDGER_ACTIONS = {"earn": audit.STAMPED, "redeem": audit.REDEEMED, "adjust": audit.LOYALTY_CORRECTED,
                   "expire": audit.LOYALTY_CORRECTED}


def _append(session: Session, customer_id: int, program: LoyaltyProgram, kind: str, amount: int, **extra) -> None:
    """A ledger entry, and its entry in the audit trail (the programme and the amount, no more)."""
    session.add(LoyaltyEntry(customer_id=customer_id, program_id=program.id, kind=kind, amount=amount, **extra))
    audit.customer_action(session, _LEDGER_ACTIONS[kind], customer_id, {"program": program.name, "amount": amount})


def earned_for(program: LoyaltyProgram, cents: int | None) -> int:
    """Stamps or points a purchase of cents earns (a stamp a visit when the card does not count the amount)."""
    if program.kind == "stamps":
        return 1 if program.cents_per_stamp is None else (cents or 0) // program.cents_per_stamp
    return (cents or 0) // 100 * program.points_per_unit


def earn(session: Session, customer_id: int, program_ref: str | int, purchase: str | int | None = None) -> Balance:
    """A stamp (or stamps for the amount spent), or points for the amount spent."""
    require(session, Permission.LOYALTY)
    program = get_program(session, program_ref)
    customer = _serving(session, customer_id)
    _require_active(program)
    cents = None
    if purchase not in (None, ""):
        shop = shop_settings(session)
        cents = parse_cents(purchase, shop.currency, shop.region)
        if isinstance(cents, Problem):
            raise InvalidInput({"purchase": cents})
    if cents is None and program.kind == "stamps" and program.cents_per_stamp is not None:
        raise InvalidInput({"purchase": Problem(translatable("This card gives stamps for the amount spent: enter it."))})
    if cents is None and program.kind == "points":
        raise InvalidInput({"purchase": Problem(translatable("Enter the amount spent to give points."))})
    amount = earned_for(program, cents)
    if amount <= 0:
        raise LoyaltyRefused(translatable("That purchase is too small to earn anything on {name}."), name=program.name)
    _append(session, customer.id, program, "earn", amount, purchase_cents=cents)
    customer.last_seen_at = utc_now()
    return _balance(session, customer.id, program)


def redeem(session: Session, customer_id: int, program_ref: str | int) -> Balance:
    """One reward; refused, with nothing written, unless the balance covers it."""
    require(session, Permission.LOYALTY)
    program = get_program(session, program_ref)
    customer = _serving(session, customer_id)
    _require_active(program)
    balance = balance_of(session, customer.id, program.id)
    if balance < program.reward_at:
        raise LoyaltyRefused(
            translatable("Not enough for a reward yet: {balance} of {needed} on {name}."),
            balance=balance,
            needed=program.reward_at,
            name=program.name,
        )
    _append(session, customer.id, program, "redeem", -program.reward_at, reason=program.reward_description)
    return _balance(session, customer.id, program)


def adjust(session: Session, customer_id: int, program_ref: str | int, amount: int | str, reason: str) -> Balance:
    """A correction by hand; it needs a reason and cannot take the balance below zero."""
    require(session, Permission.LOYALTY)
    program = get_program(session, program_ref)
    customer = _serving(session, customer_id)
    problems: dict[str, Problem] = {}
    try:
        change = int(str(amount).strip())
        if change == 0 or abs(change) > MAX_REWARD_AT:
            raise ValueError
    except ValueError:
        problems["amount"] = Problem(translatable("Enter a whole number other than zero, e.g. 2 or -1."))
        change = 0
    cleaned = clean_text(reason, max_length=200)
    if isinstance(cleaned, Problem):
        problems["reason"] = cleaned
    elif not cleaned:
        problems["reason"] = Problem(translatable("Say why the balance is corrected."))
    if problems:
        raise InvalidInput(problems)
    _never_below_zero(session, customer.id, program, change)
    _append(session, customer.id, program, "adjust", change, reason=cleaned)
    return _balance(session, customer.id, program)


def expire(session: Session, customer_id: int, program_ref: str | int, amount: int, reason: str = "expired") -> Balance:
    require(session, Permission.LOYALTY)
    program = get_program(session, program_ref)
    if amount <= 0:
        raise InvalidInput({"amount": Problem(translatable("Enter how much expires."))})
    _never_below_zero(session, customer_id, program, -amount)
    _append(session, customer_id, program, "expire", -amount, reason=reason[:200])
    return _balance(session, customer_id, program)


def _never_below_zero(session: Session, customer_id: int, program: LoyaltyProgram, change: int) -> None:
    balance = balance_of(session, customer_id, program.id)
    if balance + change < 0:
        raise LoyaltyRefused(
            translatable("That would take {name} below zero (the balance is {balance})."),
            name=program.name,
            balance=balance,
        )


def ledger(session: Session, customer_id: int, program_ref: str | int | None = None) -> list[LoyaltyEntry]:
    require(session, Permission.LOOK_UP)
    query = select(LoyaltyEntry).where(LoyaltyEntry.customer_id == customer_id).order_by(LoyaltyEntry.id)
    if program_ref is not None:
        query = query.where(LoyaltyEntry.program_id == get_program(session, program_ref).id)
    return list(session.scalars(query))


# --- cards ---------------------------------------------------------------------------------


def active_card(session: Session, customer_id: int) -> LoyaltyCard | None:
    return session.scalars(
        select(LoyaltyCard).where(LoyaltyCard.customer_id == customer_id, LoyaltyCard.status == "active")
    ).first()


def card_for(session: Session, customer_id: int) -> LoyaltyCard:
    """The customer's card, issuing one if they have none yet."""
    require(session, Permission.LOYALTY)
    customer = _serving(session, customer_id)
    return active_card(session, customer.id) or _issue(session, customer.id)


def replace_card(session: Session, customer_id: int) -> LoyaltyCard:
    """A lost card: the old code stops working at once and a new one is issued."""
    require(session, Permission.LOYALTY)
    customer = _serving(session, customer_id)
    old = active_card(session, customer.id)
    if old is not None:
        old.status = "replaced"
        old.replaced_at = old.updated_at = utc_now()
        session.flush()
    return _issue(session, customer.id)


def _issue(session: Session, customer_id: int) -> LoyaltyCard:
    for _ in range(5):  # a clash in 32^7 codes is rare; try again rather than fail
        card = LoyaltyCard(customer_id=customer_id, code=card_codes.new_code(), status="active")
        try:
            with session.begin_nested():
                session.add(card)
            return card
        except IntegrityError:
            continue
    raise RegularsError(translatable("Could not issue a new card code; please try again."))


CHUNK = 10_000  # ids in one IN (...) list, well under SQLite's limit on bound values


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def issue_cards(session: Session, customer_ids: list[int]) -> dict[int, str]:
    """Each customer's active card code, issuing cards in one go to those who have none yet
    (as card_for would, one by one). The customers must exist and not be erased."""
    codes: dict[int, str] = {}
    for chunk in _chunks(customer_ids):
        codes.update(session.execute(select(LoyaltyCard.customer_id, LoyaltyCard.code).where(
            LoyaltyCard.status == "active", LoyaltyCard.customer_id.in_(chunk))).all())
    missing = list(dict.fromkeys(i for i in customer_ids if i not in codes))
    now = utc_now()
    while missing:  # a clash in 32^7 codes is rare: the few that clash draw again
        fresh = {customer_id: card_codes.new_code() for customer_id in missing}
        taken = set()
        for chunk in _chunks(list(fresh.values())):
            taken.update(session.scalars(select(LoyaltyCard.code).where(LoyaltyCard.code.in_(chunk))))
        issued, seen = {}, set()
        for customer_id, code in fresh.items():
            if code not in taken and code not in seen:
                issued[customer_id] = code
                seen.add(code)
        session.execute(insert(LoyaltyCard), [
            {"uuid": new_uuid(), "customer_id": customer_id, "code": code, "status": "active",
             "issued_at": now, "updated_at": now} for customer_id, code in issued.items()])
        codes.update(issued)
        missing = [customer_id for customer_id in missing if customer_id not in issued]
    return codes


def customer_by_card(session: Session, code: str) -> Customer | None:
    """The owner of an active card; None for unknown, replaced or mistyped codes."""
    require(session, Permission.LOOK_UP)
    if not card_codes.is_valid(code):
        return None
    return session.scalars(
        select(Customer)
        .join(LoyaltyCard, LoyaltyCard.customer_id == Customer.id)
        .where(LoyaltyCard.code == card_codes.normalise(code), LoyaltyCard.status == "active")
    ).first()


def _serving(session: Session, customer_id: int) -> Customer:
    """The customer, unless erased: an erased customer's card stopped working and gets no new one."""
    customer = get_customer(session, customer_id)
    if is_erased(customer):
        raise LoyaltyRefused(translatable("Customer #{id} was erased: there is no card to use."), id=customer.id)
    return customer


def all_customer_ids(session: Session) -> list[int]:
    """Everyone who can hold a card (not the erased)."""
    require(session, Permission.BULK_PRINT)
    return list(session.scalars(select(Customer.id).where(NOT_ERASED).order_by(Customer.id)))


def customers_without_card(session: Session) -> list[int]:
    require(session, Permission.BULK_PRINT)
    has_card = select(LoyaltyCard.customer_id).where(LoyaltyCard.status == "active")
    query = select(Customer.id).where(Customer.id.not_in(has_card), NOT_ERASED).order_by(Customer.id)
    return list(session.scalars(query))


def customer_from_ref(session: Session, ref: str | int) -> Customer:
    """A customer by number, UUID or (scanned) card code."""
    require(session, Permission.LOOK_UP)
    text = str(ref).strip()
    if card_codes.looks_like_code(text):
        customer = customer_by_card(session, text)
        if customer is None:
            raise NotFound(translatable("No active card {code} (check it for a typo)."), code=text[:20])
        return customer
    return get_customer(session, text)


REWARD_LINES = {"stamps": translatable("{count} stamps: {reward}"), "points": translatable("{count} points: {reward}")}


def reward_line(program: LoyaltyProgram, translate: Callable[[str], str] = lambda text: text) -> str:
    """What the card promises, as printed on it: "10 stamps: a free coffee"."""
    return translate(REWARD_LINES[program.kind]).format(count=program.reward_at, reward=program.reward_description)


def card_faces(session: Session, customer_ids: list[int], shop_name: str, program_ref: str | int | None = None,
               *, translate: Callable[[str], str] = lambda text: text):
    """What to print for each customer's card, issuing cards to those who have none yet.

    One customer's card is part of serving them; cards for several are bulk printing.
    """
    from desktop.printing.loyalty_cards import CardFace

    require(session, Permission.BULK_PRINT if len(customer_ids) > 1 else Permission.LOYALTY)
    program = get_program(session, program_ref) if program_ref is not None else None
    if program is None:
        program = next((p for p in list_programs(session) if p.kind == "stamps"), None)
    people: dict[int, tuple[str, str, str]] = {}  # id -> uuid, first and last name
    for chunk in _chunks(customer_ids):
        people.update((row.id, (row.uuid, row.first_name, row.last_name)) for row in session.execute(
            select(Customer.id, Customer.uuid, Customer.first_name, Customer.last_name).where(Customer.id.in_(chunk))))
    for customer_id in customer_ids:
        if customer_id not in people or not people[customer_id][1]:
            _serving(session, customer_id)  # says why: no such customer, or erased
    codes = issue_cards(session, customer_ids)
    stamps = program.reward_at if program is not None and program.kind == "stamps" else None
    faces = [
        CardFace(
            shop_name=shop_name,
            customer_name=full_name(people[customer_id][1], people[customer_id][2]),
            code=codes[customer_id],
            code_display=card_codes.display(codes[customer_id]),
            stamps=stamps,
            programme_name=program.name if program is not None else "",
            reward=reward_line(program, translate) if program is not None else "",
        )
        for customer_id in customer_ids
    ]
    audit.record(session, audit.PRINTED, subject_kind="customer" if len(faces) == 1 else "",
                 subject_uuid=people[customer_ids[0]][0] if len(faces) == 1 else "",
                 details={"document": "loyalty cards", "count": len(faces)})  # fmt: skip
    return faces
