"""Staff accounts and PIN sign-in against a real encrypted shop file.

The PIN only says who is acting: it is stored as a salted Argon2id hash, five wrong PINs
in a row lock the account for a while (also across restarts), every attempt is audited,
and no PIN ever appears in the file's readable columns, the audit trail or a message.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from desktop.db.engine import ShopDatabase, open_shop_file
from desktop.errors import InvalidInput, NotAllowed, NotFound, PinRefused, RegularsError, ShopFileInUse
from desktop.models import AuditEntry, StaffMember
from desktop.models.base import utc_now
from desktop.models.staff import PASSPHRASE_HOLDER, Actor
from desktop.services import audit
from desktop.services.staff import (
    LOCK_MINUTES,
    MAX_PIN,
    MIN_PIN,
    WRONG_PINS_BEFORE_LOCK,
    StaffSummary,
    add_staff,
    change_staff,
    has_staff,
    list_staff,
    lock,
    sign_in,
)
from tests.conftest import PASSPHRASE
from tests.unit.services.helpers import count, new_customer

# Long PINs, so that finding one inside a UUID, a hash or a timestamp by chance is out of the question.
OLGA_PIN = "73915864"
CAIO_PIN = "58203917"
WRONG_PIN = "64028135"


# --- helpers ------------------------------------------------------------------------------


def add(shop: ShopDatabase, name: str, role: str, pin: str) -> StaffSummary:
    with shop.writing() as session:
        return add_staff(session, name, role, pin)


def change(shop: ShopDatabase, ref, **values) -> StaffSummary:
    with shop.writing() as session:
        return change_staff(session, ref, **values)


def member_row(shop: ShopDatabase, ref: int) -> StaffMember:
    with shop.reading() as session:
        return session.get(StaffMember, ref)


def entries(shop: ShopDatabase, action: str | None = None) -> list[AuditEntry]:
    with shop.reading() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(session.scalars(query))


def all_text(shop: ShopDatabase, table: str) -> str:
    """Every value of every row of a table, as one text to search."""
    with shop.reading() as session:
        rows = session.execute(text(f"SELECT * FROM {table}")).all()
    return "\n".join("\x1f".join(str(value) for value in row) for row in rows)


def names(shop: ShopDatabase) -> list[str]:
    with shop.reading() as session:
        return [member.name for member in list_staff(session)]


def refused_pin(shop: ShopDatabase, ref, pin: str, **kwargs) -> PinRefused:
    acting_before = shop.acting
    with pytest.raises(PinRefused) as refused:
        sign_in(shop, ref, pin, **kwargs)
    assert shop.acting == acting_before
    assert pin not in str(refused.value)
    return refused.value


def invalid(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        call(*args, **kwargs)
    return refused.value


@pytest.fixture
def olga(shop) -> StaffSummary:
    """The owner, the first account."""
    return add(shop, "Olga", "owner", OLGA_PIN)


@pytest.fixture
def caio(shop, olga) -> StaffSummary:
    """A cashier."""
    return add(shop, "Caio", "cashier", CAIO_PIN)


# --- PIN rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pin",
    [
        "",
        "   ",
        "123",  # too short
        "1" + "234567890123",  # 13 digits: too long
        "12a4",
        "12 34",
        "12-34",
        "١٢٣٤٥",  # Arabic-Indic digits: digits, but not ASCII ones
        "۱۲۳۴",  # Extended Arabic-Indic
        "１２３４",  # full-width
        "²³⁴⁵",  # superscripts pass str.isdigit()
    ],
)
def test_a_pin_is_4_to_12_ascii_digits(shop, olga, pin):
    staff_before, audit_before = count(shop, "staff_members"), count(shop, "audit_entries")
    with pytest.raises(InvalidInput) as refused, shop.writing() as session:
        add_staff(session, "Caio", "cashier", pin)
    assert refused.value.field == "pin"
    assert str(refused.value) == f"A PIN is {MIN_PIN} to {MAX_PIN} digits."
    assert (count(shop, "staff_members"), count(shop, "audit_entries")) == (staff_before, audit_before)


@pytest.mark.parametrize("pin", ["1111", "0000", "999999", "777777777777"])
def test_one_digit_repeated_is_refused(shop, olga, pin):
    refused = invalid(add, shop, "Caio", "cashier", pin)
    assert refused.field == "pin"
    assert "one digit repeated" in str(refused)
    assert pin not in str(refused)
    assert names(shop) == ["Olga"]


@pytest.mark.parametrize("pin", ["1234", "123456789012", " 2468 "])
def test_pins_of_4_to_12_digits_are_accepted_and_work(shop, pin):
    owner = add(shop, "Olga", "owner", pin)
    assert sign_in(shop, owner.id, pin.strip()) == Actor(role="owner", name="Olga", staff_uuid=owner.uuid)


def test_a_new_pin_follows_the_same_rules(shop, olga):
    for pin in ("1111", "987", "١٢٣٤", "abcd"):
        refused = invalid(change, shop, olga.id, pin=pin)
        assert refused.field == "pin"
        assert pin not in str(refused)
    assert sign_in(shop, olga.id, OLGA_PIN).name == "Olga"  # the old PIN still works


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_a_name_is_required(shop, name):
    refused = invalid(add, shop, name, "owner", OLGA_PIN)
    assert refused.field == "name"
    assert str(refused) == "Write the staff member's name."
    assert count(shop, "staff_members") == 0


def test_a_name_is_at_most_80_characters(shop):
    refused = invalid(add, shop, "O" * 81, "owner", OLGA_PIN)
    assert refused.field == "name"
    assert "at most 80 characters (81 given)" in str(refused)
    assert count(shop, "staff_members") == 0
    assert add(shop, "O" * 80, "owner", OLGA_PIN).name == "O" * 80


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("4111 1111 1111 1111", "payment card"),
        ("Olga\u202e", "text-direction"),
        ("Ol\x07ga", "control character"),
    ],
)
def test_names_that_clean_text_refuses_are_refused_on_the_name_field(shop, name, words):
    refused = invalid(add, shop, name, "owner", OLGA_PIN)
    assert refused.field == "name"
    assert words in str(refused)
    assert count(shop, "staff_members") == 0


def test_a_name_is_kept_cleaned(shop):
    member = add(shop, "  Ze\u0301 ", "owner", OLGA_PIN)  # a decomposed é, spaces around
    assert member.name == "Zé"
    assert member_row(shop, member.id).name_key == "ze"


@pytest.mark.parametrize("again", ["ze", "ZE", "Zé", "ZÉ", "Ze\u0301", " zé "])
def test_names_are_unique_whatever_the_case_and_accents(shop, again):
    add(shop, "Zé", "owner", OLGA_PIN)
    refused = invalid(add, shop, again, "cashier", CAIO_PIN)
    assert refused.field == "name"
    assert str(refused) == "Zé already has an account."  # the existing member's name, as written then
    assert count(shop, "staff_members") == 1


def test_a_turned_off_account_keeps_its_name(shop, olga, caio):
    change(shop, caio.id, active=False)
    refused = invalid(add, shop, "caio", "cashier", WRONG_PIN)
    assert refused.field == "name"


def test_every_bad_field_is_named_at_once(shop, olga):
    refused = invalid(add, shop, "Olga", "boss", "12")
    assert set(refused.problems) == {"role", "pin"}  # the duplicate name is only looked for once the rest is right
    refused = invalid(add, shop, "", "boss", "12")
    assert set(refused.problems) == {"name", "role", "pin"}


# --- roles and the last owner -------------------------------------------------------------


@pytest.mark.parametrize("role", ["", "boss", "Owner", None])
def test_the_role_is_one_of_three(shop, role):
    refused = invalid(add, shop, "Olga", role, OLGA_PIN)
    assert refused.field == "role"
    assert str(refused) == "Choose owner, manager or cashier."
    assert count(shop, "staff_members") == 0


@pytest.mark.parametrize("role", ["manager", "cashier"])
def test_the_first_account_must_be_the_owners(shop, role):
    audit_before = count(shop, "audit_entries")
    refused = invalid(add, shop, "Caio", role, CAIO_PIN)
    assert refused.field == "role"
    assert str(refused) == "The first account must be the owner's."
    assert (count(shop, "staff_members"), count(shop, "audit_entries")) == (0, audit_before)
    with shop.reading() as session:
        assert not has_staff(session)


def test_after_the_owner_any_role_may_be_added(shop, olga):
    assert add(shop, "Mauro", "manager", "97531864").role == "manager"
    assert add(shop, "Caio", "cashier", CAIO_PIN).role == "cashier"
    assert add(shop, "Ana", "owner", "86420975").role == "owner"


def test_the_last_owner_cannot_be_demoted(shop, olga, caio):
    refused = invalid(change, shop, olga.id, role="manager")
    assert refused.field == "role"
    assert str(refused) == "Olga is the only owner. Make someone else owner first."
    assert member_row(shop, olga.id).role == "owner"


def test_the_last_owner_cannot_be_turned_off(shop, olga, caio):
    audit_before = count(shop, "audit_entries")
    refused = invalid(change, shop, "olga", active=False)
    assert refused.field == "active"
    assert "only owner" in str(refused)
    assert member_row(shop, olga.id).active
    assert count(shop, "audit_entries") == audit_before


def test_with_a_second_owner_the_first_can_be_demoted_then_the_second_is_the_last(shop, olga, caio):
    change(shop, caio.id, role="owner")
    assert change(shop, olga.id, role="cashier").role == "cashier"
    assert invalid(change, shop, caio.id, role="manager").field == "role"
    assert invalid(change, shop, caio.id, active=False).field == "active"


def test_with_a_second_owner_the_first_can_be_turned_off(shop, olga, caio):
    change(shop, caio.id, role="owner")
    assert change(shop, olga.id, active=False).active is False
    assert invalid(change, shop, caio.id, active=False).field == "active"


def test_a_turned_off_owner_does_not_count_as_an_owner(shop, olga, caio):
    ana = add(shop, "Ana", "owner", "86420975")
    change(shop, ana.id, active=False)
    assert invalid(change, shop, olga.id, role="manager").field == "role"


def test_an_owner_may_stay_owner(shop, olga):
    assert change(shop, olga.id, role="owner").role == "owner"
    assert change(shop, olga.id, active=True).active


def test_a_cashier_cannot_promote_themselves(shop, olga, caio):
    sign_in(shop, caio.id, CAIO_PIN)
    with pytest.raises(NotAllowed) as refused:
        change(shop, caio.id, role="owner")
    assert str(refused.value) == "Only the owner may manage staff."
    with pytest.raises(NotAllowed):
        add(shop, "Bruno", "owner", "86420975")
    assert member_row(shop, caio.id).role == "cashier"
    assert names(shop) == ["Caio", "Olga"]


def test_an_unknown_staff_member_is_not_found(shop, olga):
    for ref in ("Nobody", 99, "99", "00000000-0000-4000-8000-000000000000"):
        with pytest.raises(NotFound) as missing:
            change(shop, ref, role="manager")
        assert str(ref) in str(missing.value)
        with pytest.raises(NotFound):
            sign_in(shop, ref, OLGA_PIN)


# --- listing ------------------------------------------------------------------------------


def test_no_staff_until_the_first_account(shop):
    with shop.reading() as session:
        assert not has_staff(session)
        assert list_staff(session) == []
    add(shop, "Olga", "owner", OLGA_PIN)
    with shop.reading() as session:
        assert has_staff(session)


def test_list_staff_by_name_and_turned_off_accounts_only_on_request(shop, olga, caio):
    add(shop, "ábia", "manager", "97531864")
    change(shop, caio.id, active=False)
    with shop.reading() as session:
        assert [m.name for m in list_staff(session)] == ["ábia", "Olga"]
        everyone = list_staff(session, include_inactive=True)
    assert [m.name for m in everyone] == ["ábia", "Caio", "Olga"]
    listed_caio = everyone[1]
    assert listed_caio == StaffSummary(caio.id, caio.uuid, "Caio", "cashier", False, None)
    assert not any(OLGA_PIN in repr(m) or "argon2" in repr(m) for m in everyone)


def test_members_are_found_by_number_name_or_uuid(shop, olga):
    assert change(shop, olga.id, role="owner").uuid == olga.uuid
    assert change(shop, str(olga.id), role="owner").uuid == olga.uuid
    assert change(shop, "OLGA", role="owner").uuid == olga.uuid
    assert change(shop, olga.uuid, role="owner").uuid == olga.uuid


# --- how the PIN is stored ----------------------------------------------------------------


def test_the_pin_is_stored_only_as_a_salted_argon2id_hash(shop, olga):
    second = add(shop, "Caio", "cashier", OLGA_PIN)  # the same PIN
    first_hash, second_hash = member_row(shop, olga.id).pin_hash, member_row(shop, second.id).pin_hash
    assert first_hash.startswith("$argon2id$")
    assert second_hash.startswith("$argon2id$")
    assert first_hash != second_hash  # salted
    assert PasswordHasher().verify(first_hash, OLGA_PIN)
    assert OLGA_PIN not in all_text(shop, "staff_members")


def test_no_pin_appears_in_the_staff_table_or_the_audit_trail(shop, olga):
    caio = add(shop, "Caio", "cashier", CAIO_PIN)
    new_pin = "30571946"
    change(shop, caio.id, pin=new_pin)
    sign_in(shop, caio.id, new_pin)
    refused_pin(shop, caio.id, WRONG_PIN)
    refused_pin(shop, caio.id, CAIO_PIN)  # the old one, now wrong
    shop.acting = PASSPHRASE_HOLDER  # the owner takes over and sets the PIN back
    change(shop, caio.id, pin=CAIO_PIN)
    staff_text, audit_text = all_text(shop, "staff_members"), all_text(shop, "audit_entries")
    for pin in (OLGA_PIN, CAIO_PIN, new_pin, WRONG_PIN):
        assert pin not in staff_text
        assert pin not in audit_text
    assert all(row.pin_hash.startswith("$argon2id$") for row in (member_row(shop, olga.id), member_row(shop, caio.id)))


# --- signing in ---------------------------------------------------------------------------


def test_sign_in_makes_the_member_the_actor_of_every_unit_of_work(shop, olga, caio):
    shop.acting = None  # the till starts locked
    actor = sign_in(shop, "caio", CAIO_PIN)
    assert actor == Actor(role="cashier", name="Caio", staff_uuid=caio.uuid)
    assert shop.acting == actor
    with shop.reading() as session:
        assert session.info["actor"] == actor
    new_customer(shop, "Ana", "Souza")
    [created] = entries(shop, audit.CUSTOMER_CREATED)
    assert (created.staff_uuid, created.staff_name, created.role) == (caio.uuid, "Caio", "cashier")


def test_sign_in_as_the_owner(shop, olga):
    actor = sign_in(shop, olga.uuid, OLGA_PIN)
    assert actor == Actor(role="owner", name="Olga", staff_uuid=olga.uuid)
    assert not actor.is_passphrase_holder


def test_a_wrong_pin_says_how_many_tries_are_left(shop, olga, caio):
    now = utc_now()
    for left in range(WRONG_PINS_BEFORE_LOCK - 1, 0, -1):
        refused = refused_pin(shop, caio.id, WRONG_PIN, now=now)
        assert str(refused) == f"Wrong PIN. Wrong PINs left before the account locks for {LOCK_MINUTES} min: {left}."
        assert member_row(shop, caio.id).failed_pins == WRONG_PINS_BEFORE_LOCK - left
        assert member_row(shop, caio.id).locked_until is None


def test_the_fifth_wrong_pin_locks_the_account_for_a_while(shop, olga, caio):
    start = utc_now()
    for _ in range(WRONG_PINS_BEFORE_LOCK - 1):
        refused_pin(shop, caio.id, WRONG_PIN, now=start)
    refused = refused_pin(shop, caio.id, WRONG_PIN, now=start)
    assert str(refused) == (
        f"Too many wrong PINs: Caio's account is locked. Try again in {LOCK_MINUTES} min."
    )
    assert member_row(shop, caio.id).locked_until == start + timedelta(minutes=LOCK_MINUTES)

    still = refused_pin(shop, caio.id, CAIO_PIN, now=start + timedelta(minutes=14))  # even the right PIN
    assert "locked" in str(still) and "Try again in 1 min." in str(still)
    refused_pin(shop, caio.id, WRONG_PIN, now=start + timedelta(minutes=10))
    assert member_row(shop, caio.id).locked_until == start + timedelta(minutes=LOCK_MINUTES)  # not extended

    actor = sign_in(shop, caio.id, CAIO_PIN, now=start + timedelta(minutes=16))
    assert actor.name == "Caio" and shop.acting == actor
    row = member_row(shop, caio.id)
    assert (row.failed_pins, row.locked_until) == (0, None)


def test_other_accounts_are_not_locked_with_one(shop, olga, caio):
    now = utc_now()
    for _ in range(WRONG_PINS_BEFORE_LOCK):
        refused_pin(shop, caio.id, WRONG_PIN, now=now)
    assert sign_in(shop, olga.id, OLGA_PIN, now=now).name == "Olga"


def test_a_right_pin_starts_the_count_again(shop, olga, caio):
    for _ in range(3):
        refused_pin(shop, caio.id, WRONG_PIN)
    sign_in(shop, caio.id, CAIO_PIN)
    assert member_row(shop, caio.id).failed_pins == 0
    assert str(refused_pin(shop, caio.id, WRONG_PIN)).endswith(": 4.")


def test_the_count_of_wrong_pins_survives_reopening_the_shop_file(shop_path):
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        add(database, "Olga", "owner", OLGA_PIN)
        caio = add(database, "Caio", "cashier", CAIO_PIN)
        refused_pin(database, caio.id, WRONG_PIN)
        refused_pin(database, caio.id, WRONG_PIN)
    finally:
        database.close()

    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        start = utc_now()
        assert str(refused_pin(database, caio.id, WRONG_PIN, now=start)).endswith(": 2.")
        assert str(refused_pin(database, caio.id, WRONG_PIN, now=start)).endswith(": 1.")
        assert "is locked" in str(refused_pin(database, caio.id, WRONG_PIN, now=start))
    finally:
        database.close()

    database = open_shop_file(shop_path, PASSPHRASE)  # the lock too
    try:
        assert "is locked" in str(refused_pin(database, caio.id, CAIO_PIN, now=start + timedelta(minutes=14)))
        assert sign_in(database, caio.id, CAIO_PIN, now=start + timedelta(minutes=16)).name == "Caio"
    finally:
        database.close()


def test_a_turned_off_account_cannot_sign_in(shop, olga, caio):
    change(shop, caio.id, active=False)
    audit_before = count(shop, "audit_entries")
    with pytest.raises(NotAllowed) as refused:
        sign_in(shop, caio.id, CAIO_PIN)
    assert str(refused.value) == "Caio's account is turned off."
    assert shop.acting == PASSPHRASE_HOLDER
    assert member_row(shop, caio.id).failed_pins == 0
    assert count(shop, "audit_entries") == audit_before + 1  # the attempt is in the trail all the same
    change(shop, caio.id, active=True)
    assert sign_in(shop, caio.id, CAIO_PIN).name == "Caio"


def test_a_new_pin_set_by_the_owner_lifts_a_lock(shop, olga, caio):
    now = utc_now()
    for _ in range(WRONG_PINS_BEFORE_LOCK):
        refused_pin(shop, caio.id, WRONG_PIN, now=now)
    new_pin = "30571946"
    assert change(shop, caio.id, pin=new_pin).locked_until is None
    row = member_row(shop, caio.id)
    assert (row.failed_pins, row.locked_until) == (0, None)
    refused_pin(shop, caio.id, CAIO_PIN, now=now)  # the old PIN no longer works
    assert sign_in(shop, caio.id, new_pin, now=now).name == "Caio"


def test_every_attempt_is_audited_with_the_member_as_subject(shop, olga, caio):
    shop.acting = None
    before = len(entries(shop))
    now = utc_now()
    refused_pin(shop, caio.id, WRONG_PIN, now=now)
    sign_in(shop, caio.id, CAIO_PIN, now=now)
    for _ in range(WRONG_PINS_BEFORE_LOCK):
        refused_pin(shop, caio.id, WRONG_PIN, now=now)
    trail = entries(shop)[before:]
    assert [e.action for e in trail] == [audit.SIGN_IN_FAILED, audit.SIGNED_IN] + [audit.SIGN_IN_FAILED] * 5
    for entry in trail:
        assert (entry.subject_kind, entry.subject_uuid) == ("staff", caio.uuid)
        assert (entry.staff_uuid, entry.staff_name, entry.role) == (caio.uuid, "Caio", "cashier")
        assert entry.at == now
        for pin in (CAIO_PIN, WRONG_PIN):
            assert pin not in entry.details
    failures = [json.loads(e.details) for e in trail if e.action == audit.SIGN_IN_FAILED]
    assert failures == [{"locked": False}] * 5 + [{"locked": True}]
    assert trail[1].details == ""
    shop.acting = PASSPHRASE_HOLDER
    with shop.reading() as session:
        assert audit.verify_chain(session).intact


def test_an_attempt_on_a_locked_account_is_audited_too(shop, olga, caio):
    now = utc_now()
    for _ in range(WRONG_PINS_BEFORE_LOCK):
        refused_pin(shop, caio.id, WRONG_PIN, now=now)
    before = len(entries(shop, audit.SIGN_IN_FAILED))
    refused_pin(shop, caio.id, CAIO_PIN, now=now + timedelta(minutes=5))
    assert len(entries(shop, audit.SIGN_IN_FAILED)) == before + 1


def test_staff_changes_are_audited_by_field_name(shop, olga, caio):
    [added] = [e for e in entries(shop, audit.STAFF_CHANGED) if e.subject_uuid == caio.uuid]
    assert json.loads(added.details) == {"added": True, "role": "cashier"}
    assert (added.staff_name, added.role) == ("", "owner")  # the passphrase holder did it
    before = len(entries(shop))
    change(shop, caio.id, role="manager", pin="30571946", active=False)
    change(shop, caio.id, role="manager")  # no change: nothing recorded
    [changed] = entries(shop)[before:]
    assert (changed.action, changed.subject_kind, changed.subject_uuid) == (audit.STAFF_CHANGED, "staff", caio.uuid)
    assert json.loads(changed.details) == {"fields": ["role", "pin", "active"]}


def test_lock_hides_the_book_and_is_audited(shop, olga, caio):
    sign_in(shop, caio.id, CAIO_PIN)
    lock(shop)
    assert shop.acting is None
    [locked] = entries(shop, audit.LOCKED)
    assert (locked.staff_uuid, locked.staff_name, locked.role) == (caio.uuid, "Caio", "cashier")
    with pytest.raises(NotAllowed) as refused:
        new_customer(shop, "Ana")
    assert "locked" in str(refused.value)
    lock(shop)  # already locked: nothing more to record
    assert len(entries(shop, audit.LOCKED)) == 1
    assert sign_in(shop, caio.id, CAIO_PIN).name == "Caio"


# --- no PIN in any message ----------------------------------------------------------------


def test_no_pin_appears_in_any_error(shop, olga, caio):
    """Every refusal a PIN can cause, collected and searched for every PIN typed."""
    typed = [OLGA_PIN, CAIO_PIN, WRONG_PIN, "1111", "123", "1234567890123", "١٢٣٤٥", "12a4"]
    raised: list[RegularsError] = []

    def attempt(call, *args, **kwargs):
        try:
            call(*args, **kwargs)
        except RegularsError as exc:
            raised.append(exc)
        else:
            pytest.fail(f"{call.__name__} was not refused")

    for pin in typed[3:]:
        attempt(add, shop, "Bruno", "cashier", pin)
        attempt(change, shop, caio.id, pin=pin)
    now = utc_now()
    for _ in range(WRONG_PINS_BEFORE_LOCK):
        attempt(sign_in, shop, caio.id, WRONG_PIN, now=now)
    attempt(sign_in, shop, caio.id, CAIO_PIN, now=now)
    attempt(sign_in, shop, "Nobody", OLGA_PIN)
    attempt(add, shop, "Olga", "owner", OLGA_PIN)  # a duplicate name
    change(shop, caio.id, pin=CAIO_PIN)
    change(shop, caio.id, active=False)
    attempt(sign_in, shop, caio.id, CAIO_PIN)
    assert len(raised) == 2 * 5 + 6 + 3
    for exc in raised:
        shown = " ".join([str(exc), repr(exc.args), repr(exc.problem.params)])
        if isinstance(exc, InvalidInput):
            shown += repr(exc.problems) + exc.describe()
        for pin in typed:
            assert pin not in shown, (pin, shown)


def test_each_lock_in_a_row_lasts_twice_as_long_up_to_a_day(shop, olga, caio):
    """Five guesses a quarter of an hour would cover every four-digit PIN in three weeks; doubling makes it years."""
    now = utc_now()
    for round_in_a_row, minutes in enumerate((15, 30, 60, 120), start=1):
        for attempt in range(WRONG_PINS_BEFORE_LOCK):
            refused = refused_pin(shop, caio.id, WRONG_PIN, now=now)
            if attempt == 0 and round_in_a_row > 1:
                assert f"locks for {minutes} min" in str(refused)  # the warning names the next lock
        assert member_row(shop, caio.id).locked_until == now + timedelta(minutes=minutes)
        assert f"Try again in {minutes} min." in str(refused)
        now += timedelta(minutes=minutes, seconds=1)
    for _ in range(6 * WRONG_PINS_BEFORE_LOCK):
        refused_pin(shop, caio.id, WRONG_PIN, now=now)
        now += timedelta(days=1, seconds=1)
    assert member_row(shop, caio.id).locked_until <= now + timedelta(days=1)  # never more than a day
    sign_in(shop, caio.id, CAIO_PIN, now=now)
    assert member_row(shop, caio.id).failed_pins == 0  # the right PIN starts afresh


def _held_by_another_writer(shop: ShopDatabase):
    """A second connection in a write transaction, as a long sync import holds the file."""
    other = shop.engine.raw_connection()
    other.driver_connection.execute("PRAGMA busy_timeout = 0")
    other.driver_connection.execute("BEGIN IMMEDIATE")
    return other


@pytest.mark.slow
def test_locking_never_waits_for_a_busy_file_to_hide_the_book(shop, olga, caio):
    sign_in(shop, caio.id, CAIO_PIN)
    other = _held_by_another_writer(shop)
    try:
        lock(shop)  # the "locked" entry cannot be written: the lock happens all the same
        assert shop.acting is None
        with pytest.raises(ShopFileInUse, match="busy"):
            sign_in(shop, caio.id, CAIO_PIN)
        assert shop.acting is None
    finally:
        other.driver_connection.execute("ROLLBACK")
        other.close()
    sign_in(shop, caio.id, CAIO_PIN)
    assert shop.acting.name == "Caio"
