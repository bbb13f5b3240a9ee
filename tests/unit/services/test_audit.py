"""The hash-chained audit trail: appended only, tamper shows, and it names fields, never values."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from desktop.db.engine import ShopDatabase
from desktop.models import AuditEntry
from desktop.models.base import utc_now
from desktop.models.staff import PASSPHRASE_HOLDER, Actor
from desktop.services import audit
from desktop.services.audit import AuditFilter, changed_fields, list_entries, record, staff_names_in_trail, verify_chain
from desktop.services.customers import CustomerDetails, add_customer, get_customer, update_customer
from tests.conftest import REGION
from tests.unit.services.helpers import count

MAURO = Actor(role="manager", name="Mauro", staff_uuid="00000000-0000-4000-8000-00000000000a")
CAIO = Actor(role="cashier", name="Caio", staff_uuid="00000000-0000-4000-8000-00000000000b")
SUBJECT = "11111111-2222-4333-8444-555555555555"


# --- helpers ------------------------------------------------------------------------------


def rows(shop: ShopDatabase) -> list[AuditEntry]:
    with shop.reading() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def raw_rows(shop: ShopDatabase) -> list[tuple]:
    with shop.reading() as session:
        return [tuple(row) for row in session.execute(text("SELECT * FROM audit_entries ORDER BY id"))]


def trail_text(shop: ShopDatabase) -> str:
    """Every value of every audit entry, as one text to search."""
    return "\n".join("\x1f".join(str(value) for value in row) for row in raw_rows(shop))


def check(shop: ShopDatabase) -> audit.ChainCheck:
    with shop.reading() as session:
        return verify_chain(session)


def add_entries(shop: ShopDatabase, how_many: int, *, start: datetime | None = None) -> list[int]:
    """Entries one minute apart (by whoever is acting); their ids."""
    start = start or utc_now()
    ids = []
    for n in range(how_many):
        with shop.writing() as session:
            ids.append(record(session, audit.PRINTED, subject_kind="customer", subject_uuid=SUBJECT,
                              details={"pages": n + 1}, at=start + timedelta(minutes=n)).id)  # fmt: skip
    return ids


def behind_the_back(shop: ShopDatabase, *statements: str, **params) -> None:
    """Raw SQL on a write session's own connection, committed: what someone with the file could do."""
    with shop.writing() as session:
        for statement in statements:
            session.execute(text(statement), params)


def listed(shop: ShopDatabase, wanted: AuditFilter = AuditFilter(), **paging) -> list[int]:
    with shop.reading() as session:
        return [entry.id for entry in list_entries(session, wanted, **paging)]


# --- the chain ----------------------------------------------------------------------------


def test_a_chain_of_entries_verifies_intact(shop):
    before = count(shop, "audit_entries")
    add_entries(shop, 3)
    shop.acting = MAURO
    with shop.writing() as session:
        record(session, audit.IMPORTED, details={"customers": 4})
    with shop.reading() as session:  # a read unit of work gets its own write
        record(session, audit.EXPORTED, details={"kind": "contacts", "count": 2})
    shop.acting = PASSPHRASE_HOLDER

    entries = rows(shop)
    assert len(entries) == before + 5
    assert entries[0].previous_hash == audit.GENESIS
    for earlier, later in zip(entries, entries[1:]):
        assert later.previous_hash == earlier.entry_hash
    assert len({entry.entry_hash for entry in entries}) == len(entries)
    result = check(shop)
    assert (result.entries, result.broken_at, result.reason, result.intact) == (len(entries), None, "", True)


def test_an_empty_trail_is_intact(shop):
    behind_the_back(shop, "DROP TRIGGER audit_entries_no_delete", "DELETE FROM audit_entries")
    assert check(shop) == audit.ChainCheck(0)
    with shop.writing() as session:
        first = record(session, audit.LOCKED)
    assert first.previous_hash == audit.GENESIS
    assert check(shop).intact


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("details", '{"pages": 99}'),
        ("staff_name", "Somebody else"),
        ("role", "cashier"),
        ("action", audit.SIGNED_IN),
        ("subject_uuid", "99999999-2222-4333-8444-555555555555"),
        ("at", "2001-01-01 00:00:00.000000"),
    ],
)
def test_an_entry_edited_behind_the_back_breaks_the_chain_there(shop, column, value):
    ids = add_entries(shop, 4)
    edited = ids[1]
    behind_the_back(
        shop,
        "DROP TRIGGER audit_entries_no_update",
        f"UPDATE audit_entries SET {column} = :value WHERE id = :id",
        value=value,
        id=edited,
    )
    [row] = [row for row in raw_rows(shop) if row[0] == edited]
    assert value in [str(cell) for cell in row]  # the edit went through
    result = check(shop)
    assert (result.broken_at, result.reason, result.intact) == (edited, "contents", False)
    assert result.entries == [entry.id for entry in rows(shop)].index(edited) + 1


def test_recomputing_the_edited_entrys_own_hash_only_moves_the_break_to_the_next(shop):
    ids = add_entries(shop, 4)
    edited = ids[1]
    behind_the_back(shop, "DROP TRIGGER audit_entries_no_update",
                    "UPDATE audit_entries SET details = '{\"pages\": 99}' WHERE id = :id", id=edited)  # fmt: skip
    with shop.writing() as session:  # recompute that entry's hash, as a careful forger would
        entry = session.get(AuditEntry, edited)
        session.execute(text("UPDATE audit_entries SET entry_hash = :hash WHERE id = :id"),
                        {"hash": audit._entry_hash(entry.previous_hash, entry), "id": edited})  # fmt: skip
    result = check(shop)
    assert (result.broken_at, result.reason) == (ids[2], "previous")


def test_a_middle_entry_deleted_behind_the_back_breaks_the_chain_at_the_next(shop):
    ids = add_entries(shop, 4)
    behind_the_back(shop, "DROP TRIGGER audit_entries_no_delete", "DELETE FROM audit_entries WHERE id = :id",
                    id=ids[1])  # fmt: skip
    result = check(shop)
    assert (result.broken_at, result.reason, result.intact) == (ids[2], "previous", False)


def test_the_first_entry_deleted_breaks_the_chain_at_the_second(shop):
    add_entries(shop, 2)
    first, second = [entry.id for entry in rows(shop)[:2]]
    behind_the_back(shop, "DROP TRIGGER audit_entries_no_delete", "DELETE FROM audit_entries WHERE id = :id",
                    id=first)  # fmt: skip
    assert check(shop) == audit.ChainCheck(1, second, "previous")


def test_an_entry_inserted_in_the_middle_breaks_the_chain(shop):
    ids = add_entries(shop, 3)
    behind_the_back(shop, "DROP TRIGGER audit_entries_no_update",
                    "UPDATE audit_entries SET id = id + 100 WHERE id > :id", id=ids[0])  # fmt: skip
    with shop.writing() as session:  # a forged entry, correctly chained to the one before it
        forged = AuditEntry(id=ids[0] + 1, at=utc_now(), staff_uuid="", staff_name="", role="owner",
                            action=audit.LOCKED, subject_kind="", subject_uuid="", details="",
                            previous_hash=session.get(AuditEntry, ids[0]).entry_hash)  # fmt: skip
        forged.entry_hash = audit._entry_hash(forged.previous_hash, forged)
        session.add(forged)
    result = check(shop)
    assert (result.broken_at, result.reason) == (ids[1] + 100, "previous")


def test_the_triggers_refuse_to_change_or_delete_an_entry(shop):
    add_entries(shop, 2)
    before = raw_rows(shop)
    statements = [
        ("UPDATE audit_entries SET details = '' WHERE id = :id", "audit entries cannot be changed"),
        ("DELETE FROM audit_entries WHERE id = :id", "audit entries cannot be deleted"),
        ("DELETE FROM audit_entries", "audit entries cannot be deleted"),
    ]
    for statement, message in statements:
        with pytest.raises(IntegrityError) as refused, shop.writing() as session:
            session.execute(text(statement), {"id": before[-1][0]})
        assert message in str(refused.value)
    with pytest.raises(IntegrityError), shop.writing() as session:  # through the model too
        session.get(AuditEntry, before[-1][0]).details = '{"pages": 7}'
    with pytest.raises(IntegrityError), shop.writing() as session:
        session.delete(session.get(AuditEntry, before[0][0]))
    assert raw_rows(shop) == before
    assert check(shop).intact


def test_an_entry_is_saved_with_its_action_or_not_at_all(shop):
    before = raw_rows(shop)
    with pytest.raises(RuntimeError), shop.writing() as session:
        record(session, audit.PRINTED, details={"pages": 1})
        raise RuntimeError("the action failed after its entry was added")
    assert raw_rows(shop) == before


# --- what an entry says -------------------------------------------------------------------


def test_an_entry_names_who_acted(shop):
    shop.acting = CAIO
    with shop.writing() as session:
        by_caio = record(session, audit.CUSTOMER_VIEWED, subject_kind="customer", subject_uuid=SUBJECT)
    shop.acting = PASSPHRASE_HOLDER
    with shop.writing() as session:
        by_owner = record(session, audit.BACKED_UP)
        given = record(session, audit.SIGN_IN_FAILED, staff=(MAURO.staff_uuid, MAURO.name, MAURO.role))
    shop.acting = None  # locked: nobody
    with shop.writing() as session:
        nobody = record(session, audit.LOCKED)
    stored = {entry.id: entry for entry in rows(shop)}
    who = {key: (e.staff_uuid, e.staff_name, e.role) for key, e in
           (("caio", stored[by_caio.id]), ("owner", stored[by_owner.id]), ("given", stored[given.id]),
            ("nobody", stored[nobody.id]))}  # fmt: skip
    assert who == {
        "caio": (CAIO.staff_uuid, "Caio", "cashier"),
        "owner": ("", "", "owner"),
        "given": (MAURO.staff_uuid, "Mauro", "manager"),
        "nobody": ("", "", ""),
    }
    assert (stored[by_caio.id].subject_kind, stored[by_caio.id].subject_uuid) == ("customer", SUBJECT)
    assert stored[by_owner.id].details == ""  # no details: an empty text, not "null"


def test_an_entry_recorded_from_a_read_unit_of_work_gets_its_own_write(shop):
    before = count(shop, "audit_entries")
    shop.acting = MAURO
    with shop.reading() as session:
        entry = record(session, audit.PRINTED, subject_kind="customer", subject_uuid=SUBJECT, details={"pages": 2})
        assert session.info["writing"] is False
    shop.acting = PASSPHRASE_HOLDER
    assert count(shop, "audit_entries") == before + 1
    saved = rows(shop)[-1]
    assert saved.id == entry.id
    assert (saved.action, saved.staff_name, saved.role, saved.subject_uuid) == (audit.PRINTED, "Mauro", "manager",
                                                                                 SUBJECT)  # fmt: skip
    assert json.loads(saved.details) == {"pages": 2}
    assert check(shop).intact


def test_customer_entries_name_the_fields_and_never_the_values(shop):
    with shop.writing() as session:
        customer = add_customer(session, CustomerDetails(first_name="Anabela", last_name="Quaresma",
                                                         phones=["(11) 98765-4321"], email="anabela.q@exemplo.com.br"),
                                REGION)  # fmt: skip
        customer_id, uuid = customer.id, customer.uuid
    with shop.writing() as session:
        details = CustomerDetails.of(get_customer(session, customer_id))
        details.email, details.phones = "quaresma.nova@correio.pt", ["(21) 99123-8765"]
        update_customer(session, customer_id, details, REGION)

    created, changed = [e for e in rows(shop) if e.subject_uuid == uuid]
    assert (created.action, created.subject_kind) == (audit.CUSTOMER_CREATED, "customer")
    assert json.loads(created.details) == {"fields": ["email", "first_name", "last_name", "phones"]}
    assert (changed.action, changed.subject_kind) == (audit.CUSTOMER_CHANGED, "customer")
    assert json.loads(changed.details) == {"fields": ["email", "phones"]}

    everything = trail_text(shop).casefold()
    for value in ("Anabela", "Quaresma", "anabela.q", "exemplo", "correio", "98765", "4321", "99123", "8765",
                  "+5511987654321", "+5521991238765"):  # fmt: skip
        assert value.casefold() not in everything, value


def test_saving_a_customer_unchanged_records_nothing(shop):
    with shop.writing() as session:
        customer_id = add_customer(session, CustomerDetails(first_name="Ana", phones=["11987654321"]), REGION).id
    before = count(shop, "audit_entries")
    with shop.writing() as session:
        update_customer(session, customer_id, CustomerDetails.of(get_customer(session, customer_id)), REGION)
    assert count(shop, "audit_entries") == before


def test_changed_fields_names_what_differs_sorted():
    before = {"email": "a@x.pt", "phones": ["+351912345678"], "city": "Porto", "notes": ""}
    after = {"email": "b@x.pt", "phones": ["+351912345678"], "city": "Lisboa", "notes": "", "company": "Café"}
    assert changed_fields(before, after) == ["city", "company", "email"]
    assert changed_fields(after, after) == []


# --- reading the trail --------------------------------------------------------------------


@pytest.fixture
def busy_day(shop) -> dict[str, list[int]]:
    """A trail of a day and the next: who did what, at known times (the template's own entry aside)."""
    day = datetime(2026, 3, 10, 9, 0)
    made: dict[str, list[int]] = {"mauro": [], "caio": [], "owner": []}
    plan = [
        (MAURO, audit.PRINTED, day),
        (CAIO, audit.CUSTOMER_VIEWED, day + timedelta(hours=1)),
        (CAIO, audit.PRINTED, day + timedelta(hours=2)),
        (PASSPHRASE_HOLDER, audit.EXPORTED, day + timedelta(hours=3)),
        (MAURO, audit.CUSTOMER_VIEWED, day + timedelta(days=1)),
        (CAIO, audit.PRINTED, day + timedelta(days=1, hours=1)),
    ]
    for actor, action, at in plan:
        shop.acting = actor
        with shop.writing() as session:
            entry = record(session, action, subject_kind="customer", subject_uuid=SUBJECT if actor is CAIO else "",
                           at=at)  # fmt: skip
        made[actor.name.lower() or "owner"].append(entry.id)
    shop.acting = PASSPHRASE_HOLDER
    made["all"] = made["mauro"] + made["caio"] + made["owner"]
    return made


def test_filter_by_action(shop, busy_day):
    printed = listed(shop, AuditFilter(action=audit.PRINTED))
    assert printed == sorted([busy_day["mauro"][0], *busy_day["caio"][1:]], reverse=True)
    assert listed(shop, AuditFilter(action=audit.RESTORED)) == []


def test_filter_by_staff(shop, busy_day):
    assert listed(shop, AuditFilter(staff="Caio")) == sorted(busy_day["caio"], reverse=True)
    assert listed(shop, AuditFilter(staff="Mauro", action=audit.CUSTOMER_VIEWED)) == [busy_day["mauro"][1]]


def test_filter_by_subject(shop, busy_day):
    assert listed(shop, AuditFilter(subject_uuid=SUBJECT)) == sorted(busy_day["caio"], reverse=True)


def test_filter_by_dates_since_inclusive_until_exclusive(shop, busy_day):
    first_day = datetime(2026, 3, 10)
    second_day = first_day + timedelta(days=1)
    on_first = listed(shop, AuditFilter(since=first_day, until=second_day))
    assert on_first == sorted([busy_day["mauro"][0], *busy_day["caio"][:2], busy_day["owner"][0]], reverse=True)
    from_second = listed(shop, AuditFilter(since=second_day, until=second_day + timedelta(days=1)))
    assert from_second == [busy_day["caio"][2], busy_day["mauro"][1]]
    at_nine = datetime(2026, 3, 10, 9, 0)
    assert listed(shop, AuditFilter(since=at_nine, until=at_nine + timedelta(hours=1))) == [busy_day["mauro"][0]]
    assert listed(shop, AuditFilter(staff="Caio", since=second_day, until=second_day + timedelta(days=1))) == [
        busy_day["caio"][2]
    ]


def test_pages_newest_first(shop, busy_day):
    everything = listed(shop)
    assert everything == sorted(everything, reverse=True)
    assert len(everything) == len(busy_day["all"]) + 1  # with the template's privacy notice entry
    pages = [listed(shop, offset=offset, limit=3) for offset in (0, 3, 6, 9)]
    assert [len(page) for page in pages] == [3, 3, 1, 0]
    assert [entry for page in pages for entry in page] == everything
    assert listed(shop, AuditFilter(action=audit.PRINTED), offset=1, limit=1) == [busy_day["caio"][1]]


def test_staff_names_in_the_trail(shop, busy_day):
    with shop.reading() as session:
        assert staff_names_in_trail(session) == ["", "Caio", "Mauro"]  # "": the passphrase holder
