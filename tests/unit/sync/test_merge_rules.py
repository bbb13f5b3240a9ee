"""Concurrent edits on two tills: last writer wins record by record, ties break the same way on both,
an erasure always wins, ledger entries merge by UUID, clashing keys are reported and nothing is half-applied."""

from __future__ import annotations

import pytest

from desktop.models.base import utc_now
from desktop.services import loyalty
from desktop.services.customers import (
    CustomerDetails,
    add_customer,
    get_customer,
    update_customer,
)
from desktop.services.lookup import find_customers
from desktop.services.reservations import NewReservation, add_reservation, change_status
from desktop.sync.bundle import BundleRefused
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from desktop.sync.tombstones import apply_erasure
from tests.sync_helpers import SYNC_PASSPHRASE, dump, fill_book

REGION = "BR"


def carry(source, target, folder, name, **options):
    """source exports a bundle and target imports it; the import report."""
    path = folder / f"{name}.zip"
    export_bundle(source, path, passphrase=SYNC_PASSPHRASE, **options)
    return import_bundle(target, path, passphrase=SYNC_PASSPHRASE)


def exchange(a, b, folder, name="x"):
    carry(a, b, folder, f"{name}-ab")
    carry(b, a, folder, f"{name}-ba")


def customer_uuid(database, customer_id) -> str:
    with database.reading() as session:
        return get_customer(session, customer_id).uuid


def edit(database, uuid, **changes):
    with database.writing() as session:
        customer = get_customer(session, uuid)
        details = CustomerDetails.of(customer)
        for name, value in changes.items():
            setattr(details, name, value)
        update_customer(session, customer.id, details, REGION)


def read(database, uuid, *names):
    with database.reading() as session:
        customer = get_customer(session, uuid)
        return tuple(getattr(customer, name) for name in names)


def set_updated_at(database, uuid, moment):
    with database.writing() as session:
        session.connection().exec_driver_sql(
            "UPDATE customers SET updated_at = ? WHERE uuid = ?", (moment.strftime("%Y-%m-%d %H:%M:%S.%f"), uuid)
        )


def test_the_later_edit_wins_on_both_tills(shop, till_b, tmp_path):
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    ana = customer_uuid(shop, made["ana"])
    edit(shop, ana, city="Lisboa")
    edit(till_b, ana, city="Porto", notes="edited later on B")

    report = carry(shop, till_b, tmp_path, "a-to-b")
    assert [(c.uuid, c.resolution) for c in report.conflicts if c.table == "customers"] == [(ana, "kept local")]
    carry(till_b, shop, tmp_path, "b-to-a")

    assert read(shop, ana, "city", "notes") == read(till_b, ana, "city", "notes") == ("Porto", "edited later on B")
    assert dump(shop) == dump(till_b)


def test_phones_travel_with_their_customer(shop, till_b, tmp_path):
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    ana = customer_uuid(shop, made["ana"])
    edit(till_b, ana, phones=["(11) 91111-2222"])
    carry(till_b, shop, tmp_path, "back")
    with shop.reading() as session:
        assert [m.id for m in find_customers(session, "(11) 91111-2222", REGION)] == [made["ana"]]
        assert find_customers(session, "(11) 98765-4321", REGION) == []
    assert dump(shop) == dump(till_b)


def test_a_same_field_conflict_has_the_same_winner_on_both_tills_and_is_listed(shop, till_b, tmp_path):
    """Even with both versions saved at the same wall-clock moment: stamps (time, counter, till) never tie."""
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    ana = customer_uuid(shop, made["ana"])
    edit(shop, ana, city="Lisboa")
    edit(till_b, ana, city="Porto")
    moment = utc_now()
    set_updated_at(shop, ana, moment)
    set_updated_at(till_b, ana, moment)

    to_b = carry(shop, till_b, tmp_path, "a-to-b")
    to_a = carry(till_b, shop, tmp_path, "b-to-a")

    assert read(shop, ana, "city") == read(till_b, ana, "city") == ("Porto",)  # B's edit has the later stamp
    conflicts = to_b.conflicts + to_a.conflicts
    assert [conflict.resolution for conflict in conflicts].count("took theirs") == 1
    for database in (shop, till_b):
        with database.reading() as session:
            listed = session.connection().exec_driver_sql(
                "SELECT record_uuid, field, mine, theirs FROM sync_conflicts").all()
        assert [(uuid, field, {mine, theirs}) for uuid, field, mine, theirs in listed] == [
            (ana, "city", {"Lisboa", "Porto"})]
    assert dump(shop) == dump(till_b)


def test_a_customer_erased_on_one_till_and_edited_on_the_other_is_erased_on_both(shop, till_b, tmp_path):
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    ana = customer_uuid(shop, made["ana"])
    with shop.writing() as session:
        assert apply_erasure(session, ana)
    edit(till_b, ana, city="Porto", notes="a later edit, on B")

    to_a = carry(till_b, shop, tmp_path, "b-to-a")
    assert [(c.uuid, c.resolution) for c in to_a.conflicts] == [(ana, "kept erased")]
    carry(shop, till_b, tmp_path, "a-to-b")

    for till in (shop, till_b):
        first, last, email, city, notes, phones = read(till, ana, "first_name", "last_name", "email", "city",
                                                       "notes", "phones")
        assert (first, last, email, city, notes, phones) == ("", "", None, "", "", [])
        with till.reading() as session:
            assert find_customers(session, "Conceição", REGION) == []
            assert find_customers(session, "98765-4321", REGION) == []
            # The ledger, reservations and warranties that point at the record stay whole.
            assert loyalty.balance_of(session, made["ana"], made["coffee"]) == 2
    assert dump(shop) == dump(till_b)


def test_an_erasure_reaches_a_till_that_never_had_the_customer(shop, till_b, tmp_path):
    made = fill_book(shop)
    ana = customer_uuid(shop, made["ana"])
    with shop.writing() as session:
        apply_erasure(session, ana)
    report = carry(shop, till_b, tmp_path, "first")
    assert report.total("rejected") == 0
    assert read(till_b, ana, "first_name", "phones") == ("", [])
    assert dump(shop) == dump(till_b)


def test_apply_erasure_is_idempotent_and_keeps_the_first_time(shop):
    with shop.writing() as session:
        customer = add_customer(session, CustomerDetails(first_name="Rita", phones=["(11) 97777-8888"]), REGION)
        uuid = customer.uuid
    with shop.writing() as session:
        assert apply_erasure(session, uuid)
    first = read(shop, uuid, "updated_at")
    with shop.writing() as session:
        assert apply_erasure(session, uuid)
    assert read(shop, uuid, "updated_at") == first
    with shop.reading() as session:
        rows = session.connection().exec_driver_sql("SELECT table_name, record_uuid, kind FROM tombstones").all()
    assert rows == [("customers", uuid, "erased")]
    with shop.writing() as session:  # a customer not (yet) in this file: the tombstone waits for it
        assert not apply_erasure(session, "0f0e0d0c-0b0a-4909-8807-060504030201")


def test_a_ledger_exchanged_twice_counts_each_stamp_once(shop, till_b, tmp_path):
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    with till_b.writing() as session:
        loyalty.earn(session, made["ana"], "Café")
    with shop.writing() as session:
        loyalty.earn(session, made["ana"], "Café")
    for round_number in range(2):
        exchange(shop, till_b, tmp_path, f"round-{round_number}")
    carry(shop, till_b, tmp_path, "a-again", full=True)
    carry(till_b, shop, tmp_path, "b-again", full=True)
    for till in (shop, till_b):
        with till.reading() as session:
            assert loyalty.balance_of(session, made["ana"], made["coffee"]) == 4  # 3 - 1 + 1 + 1
    assert dump(shop) == dump(till_b)


def test_a_clashing_reservation_reference_is_reported_and_nothing_of_it_applied(shop, till_b, tmp_path):
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    with till_b.writing() as session:
        clash = add_reservation(session, NewReservation(made["ana"], "Torta", expected_on=utc_now().date()))
        change_status(session, clash.reference, "ready")
        reference = clash.reference
    with shop.writing() as session:  # the one-in-a-trillion: A issues the same reference for another item
        mine = add_reservation(session, NewReservation(made["ana"], "Pão", expected_on=utc_now().date()))
        session.connection().exec_driver_sql("UPDATE reservations SET reference = ? WHERE id = ?", (reference, mine.id))

    report = carry(till_b, shop, tmp_path, "b-to-a")

    clashes = [c for c in report.conflicts if c.table == "reservations"]
    assert len(clashes) == 1 and "belongs to another record" in clashes[0].reason
    events = [r for r in report.rejected if r.file == "reservation_events.csv"]
    assert len(events) == 2 and all("was not applied" in r.reason for r in events)
    with shop.reading() as session:
        items = session.connection().exec_driver_sql(
            "SELECT item FROM reservations WHERE reference = ?", (reference,)).scalars().all()
    assert items == ["Pão"]


def test_the_latest_visit_is_kept_whoever_edited_last(shop, till_b, tmp_path):
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    ana = customer_uuid(shop, made["ana"])
    edit(shop, ana, city="Lisboa")  # A edits; B only serves her later
    with till_b.writing() as session:
        session.connection().exec_driver_sql(
            "UPDATE customers SET last_seen_at = '2099-01-01 10:00:00.000000' WHERE uuid = ?", (ana,))
    exchange(shop, till_b, tmp_path)
    for till in (shop, till_b):
        city, seen = read(till, ana, "city", "last_seen_at")
        assert city == "Lisboa" and seen.year == 2099
    assert dump(shop) == dump(till_b)


def _set_up_minutes_ago(minutes: int, *databases) -> None:
    """The starting records of the shop files (the first notice, the shop row) dated this long ago.

    The session's template file is made when the test run starts, so without this the age of
    those records, and what an incremental bundle carries (the watermark's margin is ten
    minutes), would depend on how long the run took to reach the test.
    """
    columns = {"privacy_notices": ("published_at", "updated_at"), "shop": ("created_at", "updated_at")}
    for database in databases:
        with database.writing() as session:
            for table, names in columns.items():
                assignments = ", ".join(f"{name} = strftime('%Y-%m-%d %H:%M:%f000', 'now', '-{minutes} minutes')"
                                        for name in names)  # fmt: skip
                session.connection().exec_driver_sql(f"UPDATE {table} SET {assignments}")


@pytest.mark.parametrize("minutes", [1, 11], ids=["set-up-just-now", "set-up-before-the-export-margin"])
def test_a_till_passes_on_what_it_learnt_from_another(shop, till_b, till_c, tmp_path, minutes):
    """The export margin is ten minutes: records older than that only travel in a full bundle."""
    _set_up_minutes_ago(minutes, shop, till_b, till_c)
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "a-b")
    carry(shop, till_c, tmp_path, "a-c", full=True)  # C joins after A's first export: with everything
    export_bundle(till_b, tmp_path / "warm-up.zip", passphrase=SYNC_PASSPHRASE)  # B's watermark moves on
    edit(shop, customer_uuid(shop, made["ana"]), city="Coimbra")
    carry(shop, till_b, tmp_path, "a-b-again")

    carry(till_b, till_c, tmp_path, "b-c")  # incremental: what B learnt from A since its last export goes too

    assert read(till_c, customer_uuid(shop, made["ana"]), "city") == ("Coimbra",)
    assert dump(till_c) == dump(shop) == dump(till_b)


def test_a_new_till_is_refused_an_incremental_bundle(shop, till_b, till_c, tmp_path):
    """Joining from one would leave the new till without the older records, its first notice among them."""
    _set_up_minutes_ago(11, shop, till_b, till_c)
    fill_book(shop)
    carry(shop, till_b, tmp_path, "a-b")
    export_bundle(shop, tmp_path / "changes.zip", passphrase=SYNC_PASSPHRASE)
    before = dump(till_c)

    with pytest.raises(BundleRefused, match="this till is new to the shop; nothing was imported") as refused:
        import_bundle(till_c, tmp_path / "changes.zip", passphrase=SYNC_PASSPHRASE)

    assert "regulars export --full" in str(refused.value)
    assert dump(till_c) == before
    with till_c.reading() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM sync_imports").scalar() == 0
    carry(shop, till_c, tmp_path, "everything", full=True)
    assert dump(till_c) == dump(shop)


def test_an_incremental_bundle_holds_the_changes_and_what_they_refer_to(shop, till_b, tmp_path):
    made = fill_book(shop)
    carry(shop, till_b, tmp_path, "start")
    with shop.writing() as session:  # as if the last export were now: everything so far has travelled
        session.connection().exec_driver_sql(
            "UPDATE shop SET sync_watermark = ?", (utc_now().strftime("%Y-%m-%d %H:%M:%S.%f"),))
    with shop.writing() as session:
        loyalty.earn(session, made["giorgos"], "Pontos", "10,00")

    report = export_bundle(shop, tmp_path / "small.zip", passphrase=SYNC_PASSPHRASE)

    assert report.rows_of("loyalty_entries") == 1
    assert report.rows_of("customers") == 1  # Giorgos, because the new entry refers to him
    assert report.rows_of("loyalty_programs") == 1  # and its programme
    assert report.rows_of("reservations") == 0 and report.rows_of("consents") == 0
    imported = import_bundle(till_b, tmp_path / "small.zip", passphrase=SYNC_PASSPHRASE)
    assert imported.counts("loyalty_entries").added == 1 and imported.total("rejected") == 0
