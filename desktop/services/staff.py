"""Staff accounts at the till: who is working, with which role, proven by a personal PIN.

A PIN is a short number, so anyone holding the shop file could try all ten thousand
four-digit PINs in minutes: it must never guard the data itself. It only says which
staff member is acting once the file is open (the passphrase, or the keyring, opened it).
PINs are stored as salted Argon2id hashes, five wrong PINs in a row lock that account
for a while, and the attempts, right or wrong, go to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from desktop.db.engine import ShopDatabase
from desktop.db.unlock import unlock
from desktop.errors import (
    InvalidInput,
    NotAllowed,
    NotFound,
    PinRefused,
    Problem,
    RegularsError,
    ShopFileInUse,
    WrongPassphrase,
    translatable,
)
from desktop.models import ROLES, Actor, StaffMember
from desktop.models.base import utc_now
from desktop.models.staff import PASSPHRASE_HOLDER
from desktop.services import audit
from desktop.services.permissions import Permission, acting, require
from desktop.services.record_ids import is_number, record_by_number
from desktop.services.shop import shop_settings
from desktop.services.text import fold, staff_name

MIN_PIN, MAX_PIN = 4, 12
WRONG_PINS_BEFORE_LOCK = 5
LOCK_MINUTES = 15  # the first lock; each further one in a row doubles, up to MAX_LOCK_MINUTES
MAX_LOCK_MINUTES = 24 * 60
IDLE_LOCK_RANGE = (0, 240)  # minutes without input before the window locks itself; 0: never
# OWASP's Argon2id setting for interactive logins (46 MiB, one pass): about 50 ms a check
# here, so a queue never waits, yet each guess costs an attacker the same memory.
_HASHER = PasswordHasher(time_cost=1, memory_cost=46 * 1024, parallelism=1, type=Type.ID)


@dataclass(frozen=True)
class StaffSummary:
    """A staff member as the sign-in list and the staff dialog show them (no hash)."""

    id: int
    uuid: str
    name: str
    role: str
    active: bool
    locked_until: datetime | None


def _summary(member: StaffMember) -> StaffSummary:
    return StaffSummary(member.id, member.uuid, member.name, member.role, member.active, member.locked_until)


def _check_pin(pin: str | None, problems: dict[str, Problem]) -> str | None:
    pin = (pin or "").strip()
    if not pin.isascii() or not pin.isdigit() or not MIN_PIN <= len(pin) <= MAX_PIN:
        problems["pin"] = Problem(
            translatable("A PIN is {low} to {high} digits."), {"low": MIN_PIN, "high": MAX_PIN}
        )
        return None
    if len(set(pin)) == 1:
        problems["pin"] = Problem(translatable("Choose a PIN that is not one digit repeated."))
        return None
    return pin


def _check_role(role: str | None, problems: dict[str, Problem]) -> str | None:
    if role not in ROLES:
        problems["role"] = Problem(translatable("Choose owner, manager or cashier."))
        return None
    return role


def _active_owners(session: Session) -> int:
    query = select(func.count()).where(StaffMember.role == "owner", StaffMember.active.is_(True))
    return session.scalar(query) or 0


def has_staff(session: Session) -> bool:
    """Whether anyone has a PIN yet; until then the passphrase holder works alone."""
    return (session.scalar(select(func.count()).where(StaffMember.active.is_(True))) or 0) > 0


def list_staff(session: Session, *, include_inactive: bool = False) -> list[StaffSummary]:
    """Everyone who can sign in (the lock screen's list needs no permission)."""
    query = select(StaffMember).order_by(StaffMember.name_key)
    if not include_inactive:
        query = query.where(StaffMember.active.is_(True))
    return [_summary(member) for member in session.scalars(query)]




def _find_member(session: Session, ref: int | str) -> StaffMember | None:
    """A staff member by number, UUID or name (any case); None if nobody is."""
    if isinstance(ref, int) or is_number(ref):
        return record_by_number(session, StaffMember, ref)
    return session.scalar(
        select(StaffMember).where((StaffMember.uuid == ref) | (StaffMember.name_key == fold(str(ref))))
    )


def _member(session: Session, ref: int | str) -> StaffMember:
    member = _find_member(session, ref)
    if member is None:
        raise NotFound(translatable("No staff member is called {name}."), name=str(ref))
    return member


def recorded_staff_name(session: Session, given: str | None = "") -> str:
    """The staff name a record keeps (who took the call, the sign-up, the reservation).

    Nothing given: the acting staff member's. Given on a shop with staff accounts: it must be
    an active staff member's number or name, and is kept as their account spells it
    (InvalidInput on "staff" otherwise); on a shop without, it is kept as written.
    """
    cleaned = staff_name(given)
    if not cleaned:
        actor = acting(session)
        return actor.name if actor is not None else ""
    if not has_staff(session):
        return cleaned
    member = _find_member(session, cleaned)
    if member is None or not member.active:
        raise InvalidInput({"staff": Problem(
            translatable("No active staff member is called {name}. Give a staff member's number or name."),
            {"name": cleaned},
        )})  # fmt: skip
    return member.name


def add_staff(session: Session, name: str, role: str, pin: str) -> StaffSummary:
    """A new account. The first one must be an owner's, so the shop is never left without one."""
    require(session, Permission.STAFF)
    problems: dict[str, Problem] = {}
    try:
        cleaned = staff_name(name)
    except InvalidInput as exc:
        problems["name"] = exc.problems["staff"]
        cleaned = ""
    if not problems and not cleaned:
        problems["name"] = Problem(translatable("Write the staff member's name."))
    role = _check_role(role, problems)
    pin = _check_pin(pin, problems)
    same_name = session.scalar(select(StaffMember.name).where(StaffMember.name_key == fold(cleaned))) if cleaned else None
    if not problems and same_name is not None:
        problems["name"] = Problem(translatable("{name} already has an account."), {"name": same_name})
    if not problems and role != "owner" and not _active_owners(session):
        problems["role"] = Problem(translatable("The first account must be the owner's."))
    if problems:
        raise InvalidInput(problems)
    member = StaffMember(name=cleaned, name_key=fold(cleaned), role=role, pin_hash=_HASHER.hash(pin))
    session.add(member)
    session.flush()
    audit.record(session, audit.STAFF_CHANGED, subject_kind="staff", subject_uuid=member.uuid,
                 details={"added": True, "role": role})  # fmt: skip
    return _summary(member)


def change_staff(
    session: Session, ref: int | str, *, role: str | None = None, pin: str | None = None, active: bool | None = None
) -> StaffSummary:
    """A new role, a new PIN (which also lifts a lock), or an account turned off or back on."""
    require(session, Permission.STAFF)
    member = _member(session, ref)
    problems: dict[str, Problem] = {}
    if role is not None:
        _check_role(role, problems)
    if pin is not None:
        pin = _check_pin(pin, problems)
    leaves_owner = (role is not None and role != "owner") or active is False
    if not problems and member.role == "owner" and member.active and leaves_owner and _active_owners(session) == 1:
        problems["role" if active is None else "active"] = Problem(
            translatable("{name} is the only owner. Make someone else owner first."), {"name": member.name}
        )
    if problems:
        raise InvalidInput(problems)
    changed = []
    if role is not None and role != member.role:
        member.role, changed = role, [*changed, "role"]
    if pin:
        member.pin_hash, member.failed_pins, member.locked_until = _HASHER.hash(pin), 0, None
        changed.append("pin")
    if active is not None and active != member.active:
        member.active, changed = active, [*changed, "active"]
    if changed:
        member.updated_at = utc_now()
        audit.record(session, audit.STAFF_CHANGED, subject_kind="staff", subject_uuid=member.uuid,
                     details={"fields": changed})  # fmt: skip
    return _summary(member)


def sign_in(database: ShopDatabase, ref: int | str, pin: str, *, now: datetime | None = None) -> Actor:
    """Makes ``ref`` the acting staff member if ``pin`` is theirs; PinRefused otherwise.

    A failed attempt is saved (and audited) before PinRefused is raised, so restarting the
    app does not reset the count.
    """
    now = now or utc_now()
    with database.writing() as session:
        member = _member(session, ref)
        who = (member.uuid, member.name, member.role)
        refused: RegularsError | None = None
        if not member.active:
            refused = NotAllowed(translatable("{name}'s account is turned off."), name=member.name)
        elif _locked_at(member, now):
            refused = _locked(member, now)
        if refused is not None:  # still an attempt: it goes in the trail, and the transaction commits
            audit.record(session, audit.SIGN_IN_FAILED, subject_kind="staff", subject_uuid=member.uuid, staff=who,
                         at=now, details={"locked": _locked_at(member, now), "active": member.active})  # fmt: skip
        elif _pin_matches(member.pin_hash, pin):
            if _HASHER.check_needs_rehash(member.pin_hash):
                member.pin_hash = _HASHER.hash(pin)
            member.failed_pins, member.locked_until = 0, None
            audit.record(session, audit.SIGNED_IN, subject_kind="staff", subject_uuid=member.uuid, staff=who, at=now)
            actor = Actor(role=member.role, name=member.name, staff_uuid=member.uuid)
        else:
            member.failed_pins += 1  # counted until the right PIN: each lock in a row lasts twice as long
            rounds, left = divmod(member.failed_pins, WRONG_PINS_BEFORE_LOCK)
            if left == 0:
                member.locked_until = now + timedelta(minutes=_lock_minutes(rounds))
                refused = _locked(member, now)
            else:
                refused = PinRefused(
                    translatable("Wrong PIN. Wrong PINs left before the account locks for {minutes} min: {left}."),
                    left=WRONG_PINS_BEFORE_LOCK - left,
                    minutes=_lock_minutes(rounds + 1),
                )
            audit.record(session, audit.SIGN_IN_FAILED, subject_kind="staff", subject_uuid=member.uuid, staff=who,
                         at=now, details={"locked": _locked_at(member, now)})  # fmt: skip
    if refused is not None:
        raise refused
    database.acting = actor
    return actor


def _lock_minutes(round_in_a_row: int) -> int:
    """15, 30, 60 ... minutes, up to a day: guessing a four-digit PIN at the till takes years, not weeks."""
    return min(LOCK_MINUTES * 2 ** (round_in_a_row - 1), MAX_LOCK_MINUTES)


def _locked_at(member: StaffMember, now: datetime) -> bool:
    return member.locked_until is not None and member.locked_until > now


def _pin_matches(pin_hash: str, pin: str) -> bool:
    try:
        return _HASHER.verify(pin_hash, (pin or "").strip())
    except (VerificationError, InvalidHashError):
        return False


def _locked(member: StaffMember, now: datetime) -> PinRefused:
    minutes = max(1, -(-int((member.locked_until - now).total_seconds()) // 60))
    return PinRefused(
        translatable("Too many wrong PINs: {name}'s account is locked. Try again in {minutes} min."),
        name=member.name,
        minutes=minutes,
    )


def lock(database: ShopDatabase) -> None:
    """Hides the book until someone signs in again (Ctrl+L, or the idle timer).

    Locking never fails: the book is closed to everyone first, and the trail's "locked" entry
    is written after, or left out if the file is too busy (an import holding the write lock).
    """
    actor, database.acting = database.acting, None
    if actor is None:
        return
    try:
        with database.writing() as session:
            audit.record(session, audit.LOCKED, staff=(actor.staff_uuid, actor.name, actor.role))
    except (SQLAlchemyError, ShopFileInUse):
        pass


def sign_in_with_passphrase(database: ShopDatabase, passphrase: str) -> Actor:
    """The shop passphrase proves the owner is back (with or without staff accounts: a forgotten PIN).

    Checked against the key file like opening the shop (slow on purpose); WrongPassphrase otherwise,
    which the trail records too.
    """
    owner = (PASSPHRASE_HOLDER.staff_uuid, PASSPHRASE_HOLDER.name, PASSPHRASE_HOLDER.role)
    try:
        unlock(database.path, passphrase or "")
    except WrongPassphrase:
        with database.writing() as session:
            audit.record(session, audit.SIGN_IN_FAILED, staff=owner, details={"passphrase": True})
        raise
    with database.writing() as session:
        audit.record(session, audit.SIGNED_IN, staff=owner)
    database.acting = PASSPHRASE_HOLDER
    return PASSPHRASE_HOLDER


def set_idle_lock_minutes(session: Session, minutes: int) -> int:
    """How long the window waits without input before it locks itself (0: never)."""
    require(session, Permission.SETTINGS)
    low, high = IDLE_LOCK_RANGE
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not low <= minutes <= high:
        raise InvalidInput({"idle_lock_minutes": Problem(
            translatable("The idle lock is a whole number of minutes from {low} to {high} (0: never)."),
            {"low": low, "high": high},
        )})  # fmt: skip
    shop = shop_settings(session)
    if shop.idle_lock_minutes != minutes:
        shop.idle_lock_minutes, shop.updated_at = minutes, utc_now()
        audit.record(session, audit.SETTINGS_CHANGED, subject_kind="shop", subject_uuid=shop.uuid,
                     details={"fields": ["idle_lock_minutes"]})  # fmt: skip
    return minutes
