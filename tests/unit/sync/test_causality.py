"""Issue 22's findings: causality over wall clocks, field-by-field merges, phone numbers as a set,
watermarks that cannot skip, bundles from before stamps. Each till's clock is injected
(ShopDatabase.clock): a till "two days ahead" stamps its changes two days ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.models.base import utc_now
from desktop.services.customers import CustomerDetails, add_customer, change_customer, get_customer
from desktop.services.demo import add_demo_customers
from desktop.sync.bundle import BundleRefused
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.conftest import REGION
from tests.sync_helpers import SYNC_PASSPHRASE, dump, members, rezip


def skewed(database, offset: timedelta):
    database.clock = lambda: utc_now() + offset
    return database


def carry(source, target, folder, name, **options):
    path = folder / f"{name}.zip"
    export_bundle(source, path, passphrase=SYNC_PASSPHRASE)
    return import_bundle(target, path, passphrase=SYNC_PASSPHRASE, **options)


def add(database, first_name="Ana", phones=("(11) 98765-4321",), **details) -> str:
    with database.writing() as session:
        return add_customer(session, CustomerDetails(first_name=first_name, phones=list(phones), **details),
                            REGION).uuid


def change(database, uuid, **options) -> None:
    with database.writing() as session:
        change_customer(session, uuid, REGION, **options)


def read(database, uuid, *names):
    with database.reading() as session:
        customer = get_customer(session, uuid)
        return tuple(getattr(customer, name) for name in names)


def phones(database, uuid) -> set[str]:
    with database.reading() as session:
        return {phone.e164 for phone in get_customer(session, uuid).phones}


def conflicts(database) -> list[tuple]:
    with database.reading() as session:
        return session.connection().exec_driver_sql(
            "SELECT record_uuid, field, mine, theirs, kept FROM sync_conflicts ORDER BY id").all()


def test_a_till_two_days_ahead_loses_to_an_edit_made_after_seeing_its_change(shop, till_b, tmp_path):
    skewed(till_b, timedelta(days=2))
    ana = add(shop)
    carry(shop, till_b, tmp_path, "start")
    change(till_b, ana, changes={"city": "Porto"})  # stamped two days ahead
    carry(till_b, shop, tmp_path, "b-to-a", accept_clock_ahead=True)
    assert read(shop, ana, "city") == ("Porto",)
    change(shop, ana, changes={"city": "Lisboa"})  # made after seeing B's change: it must win
    carry(shop, till_b, tmp_path, "a-to-b")
    carry(till_b, shop, tmp_path, "b-to-a-again")
    assert read(shop, ana, "city") == read(till_b, ana, "city") == ("Lisboa",)
    assert conflicts(shop) == conflicts(till_b) == []  # one edit after the other: nothing to review
    assert dump(shop) == dump(till_b)


def test_a_bundle_stamped_more_than_a_day_ahead_is_refused_naming_the_till_and_its_clock(shop, till_b, tmp_path):
    ana = add(shop)
    carry(shop, till_b, tmp_path, "start")
    skewed(till_b, timedelta(days=2))
    change(till_b, ana, changes={"city": "Porto"})
    before = dump(shop)
    with pytest.raises(BundleRefused) as refused:
        carry(till_b, shop, tmp_path, "ahead")
    message = str(refused.value)
    with till_b.reading() as session:
        till = session.connection().exec_driver_sql("SELECT till_uuid FROM shop").scalar()
    assert till in message and "more than a day ahead" in message
    assert (utc_now() + timedelta(days=2)).strftime("%Y-%m-%d") in message
    assert dump(shop) == before


def test_two_tills_editing_different_fields_of_one_customer_both_keep_their_edit(shop, till_b, tmp_path):
    ana = add(shop)
    carry(shop, till_b, tmp_path, "start")
    change(shop, ana, changes={"email": "ana@example.com"})
    change(till_b, ana, changes={"address_line1": "Rua Augusta 12"})
    carry(shop, till_b, tmp_path, "a-to-b")
    carry(till_b, shop, tmp_path, "b-to-a")
    for database in (shop, till_b):
        assert read(database, ana, "email", "address_line1") == ("ana@example.com", "Rua Augusta 12")
    assert conflicts(shop) == conflicts(till_b) == []
    assert dump(shop) == dump(till_b)


def test_phone_numbers_merge_as_a_set(shop, till_b, tmp_path):
    ana = add(shop, phones=("(11) 98765-4321", "(11) 3333-4444"))
    carry(shop, till_b, tmp_path, "start")
    change(shop, ana, add_phones=["(11) 91111-2222"])
    change(till_b, ana, add_phones=["(11) 95555-6666"], remove_phones=["(11) 3333-4444"])
    carry(shop, till_b, tmp_path, "a-to-b")
    carry(till_b, shop, tmp_path, "b-to-a")
    assert phones(shop, ana) == phones(till_b, ana) == {"+5511987654321", "+5511911112222", "+5511955556666"}
    # A removal removes only what its till had seen: B removes a number A adds again meanwhile.
    change(till_b, ana, remove_phones=["(11) 91111-2222"])
    change(shop, ana, remove_phones=["(11) 91111-2222"])
    change(shop, ana, add_phones=["(11) 91111-2222"])
    carry(till_b, shop, tmp_path, "b-to-a-2")
    carry(shop, till_b, tmp_path, "a-to-b-2")
    assert "+5511911112222" in phones(shop, ana) and phones(shop, ana) == phones(till_b, ana)
    assert dump(shop) == dump(till_b)


def test_a_same_field_conflict_can_be_taken_back_by_the_owner(shop, till_b, tmp_path):
    from desktop.sync.conflicts import list_conflicts, resolve_conflict

    ana = add(shop)
    carry(shop, till_b, tmp_path, "start")
    change(shop, ana, changes={"notes": "likes espresso"})
    change(till_b, ana, changes={"notes": "likes tea"})  # later: wins
    carry(till_b, shop, tmp_path, "b-to-a")
    assert read(shop, ana, "notes") == ("likes tea",)
    with shop.writing() as session:
        [conflict] = list_conflicts(session)
        assert (conflict.mine, conflict.theirs, conflict.kept) == ("likes espresso", "likes tea", "theirs")
        resolve_conflict(session, conflict.id, "mine")
        assert list_conflicts(session) == []
    carry(shop, till_b, tmp_path, "a-to-b")
    assert read(shop, ana, "notes") == read(till_b, ana, "notes") == ("likes espresso",)


def test_demo_customers_with_old_times_reach_the_next_incremental_bundle(shop, till_b, tmp_path):
    add(shop, first_name="Rita")
    carry(shop, till_b, tmp_path, "start")  # the first export: full; the next ones incremental
    with shop.writing() as session:
        add_demo_customers(session, REGION, 340)  # visits and changes spread over the last two years
    report = carry(shop, till_b, tmp_path, "demo")
    assert not report.full
    assert report.counts("customers").added == 340
    with till_b.reading() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM customers").scalar() == 341


def test_a_till_whose_clock_was_put_back_still_exports_its_new_edit(shop, till_b, tmp_path):
    skewed(shop, timedelta(days=2))
    ana, rita = add(shop), add(shop, first_name="Rita", phones=("(11) 91234-5678",))
    carry(shop, till_b, tmp_path, "start", accept_clock_ahead=True)
    skewed(shop, timedelta(0))  # the clock is put right: two days back
    change(shop, rita, changes={"city": "Porto"})
    path = tmp_path / "after.zip"
    export_bundle(shop, path, passphrase=SYNC_PASSPHRASE)
    assert b"Porto" in members(path)["customers.csv"]
    import_bundle(till_b, path, passphrase=SYNC_PASSPHRASE)
    assert read(till_b, rita, "city") == ("Porto",)  # stamped after what the till had stamped before
    assert read(till_b, ana, "first_name") == ("Ana",)


def test_a_bundle_from_before_stamps_still_imports(shop, till_b, tmp_path):
    """Its records count as stamped at their updated_at (counter 0)."""
    ana = add(shop)
    carry(shop, till_b, tmp_path, "start")
    change(shop, ana, changes={"city": "Lisboa"})
    path = tmp_path / "new.zip"
    export_bundle(shop, path, passphrase=SYNC_PASSPHRASE)
    files = {name: _without_change_feed(data) if name.endswith(".csv") else data
             for name, data in members(path).items()}
    old = rezip(tmp_path / "old.zip", files)
    import_bundle(till_b, old, passphrase=SYNC_PASSPHRASE)
    assert read(till_b, ana, "city") == ("Lisboa",)


def _without_change_feed(data: bytes) -> bytes:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    drop = [index for index, name in enumerate(rows[0]) if name in ("stamp", "field_stamps", "removed_phones")]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell for index, cell in enumerate(row) if index not in drop])
    return out.getvalue().encode("utf-8")
