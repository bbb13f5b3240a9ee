"""The right to erasure, the erasure register and the retention review, against a real encrypted shop file."""

from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime

import pytest
from sqlalchemy import inspect, text

from desktop.errors import InvalidInput, NotAllowed, NotFound
from desktop.models import Actor, Base
from desktop.services import audit, loyalty
from desktop.services.customers import CustomerDetails, add_customer, get_customer
from desktop.services.erasure import (
    anonymise_customers,
    erase_customer,
    inactive_customers,
    set_retention_years,
)
from desktop.services.erasure_register import (
    ErasureRegisterError,
    read_register,
    reapply_erasure_register,
    register_path,
    remember_erasures,
)
from desktop.services.lookup import find_customers
from desktop.services.privacy_notice import current_notice, default_notice_text
from desktop.services.shop import shop_settings
from desktop.sync.tombstones import ERASED_FIELDS, ERASED_RECORD_FIELDS, ERASED_TEXT, apply_erasure
from tests.erasure_helpers import (
    ADJUSTMENT,
    EMAIL,
    NAME,
    REGION,
    counts_and_totals,
    customer_with_history,
    every_row,
    found_in_rows,
)

CASHIER = Actor(role="cashier", name="Rita", staff_uuid="x")
MANAGER = Actor(role="manager", name="Marta", staff_uuid="y")


def one(shop, sql: str, **params):
    with shop.reading() as session:
        return session.execute(text(sql), params).one()


def all_rows(shop, sql: str, **params) -> list[tuple]:
    with shop.reading() as session:
        return [tuple(row) for row in session.execute(text(sql), params)]


# Erasing one customer


def test_erasure_empties_every_personal_field_of_the_customer_and_their_records(shop):
    made = customer_with_history(shop)
    before = counts_and_totals(shop, made.customer_id, made.program_id)
    assert found_in_rows(every_row(shop))  # the search sees her before

    with shop.writing() as session:
        report = erase_customer(session, made.customer_id)

    assert found_in_rows(every_row(shop)) == []
    assert counts_and_totals(shop, made.customer_id, made.program_id) == before
    assert before["balance"] == 5 and before["reservations"] == 1 and before["phone_calls"] == 1
    customer = one(shop, f"SELECT {', '.join(ERASED_FIELDS)}, updated_at FROM customers WHERE id = :id",
                   id=made.customer_id)
    assert list(customer[:-1]) == list(ERASED_FIELDS.values())
    assert all_rows(shop, "SELECT * FROM customer_phones WHERE customer_id = :id", id=made.customer_id) == []
    assert all_rows(shop, "SELECT * FROM customer_search_keys WHERE customer_id = :id", id=made.customer_id) == []
    # Her records: what staff typed about her is gone; dates, amounts, statuses and staff names stay.
    assert one(shop, "SELECT item, notes, quantity, deposit_cents, status, staff FROM reservations") == (
        ERASED_TEXT, "", 1, 2550, "ready", "João")
    assert one(shop, "SELECT product, serial_number, serial_key, notes, months, staff FROM warranties") == (
        ERASED_TEXT, ERASED_TEXT, "(ERASED)", "", 12, "Rita")
    assert one(shop, "SELECT problem, outcome FROM warranty_claims") == (ERASED_TEXT, "")
    call = one(shop, "SELECT caller_e164, notes, reason, follow_up_on IS NOT NULL, follow_up_done_at IS NOT NULL"
                     " FROM phone_calls WHERE customer_id = :id", id=made.customer_id)
    assert tuple(call) == ("", "", "Question", 1, 1)  # nobody is left to call back
    assert one(shop, "SELECT caller_e164, notes FROM phone_calls WHERE customer_id IS NULL") == ("", "")
    assert one(shop, "SELECT status, replaced_at IS NOT NULL FROM loyalty_cards") == ("replaced", 1)
    assert all_rows(shop, "SELECT kind, amount, reason FROM loyalty_entries WHERE customer_id = :id ORDER BY id",
                    id=made.customer_id) == [("earn", 1, ""), ("earn", 1, ""), ("earn", 1, ""), ("adjust", 2, "")]
    assert all_rows(shop, "SELECT channel, granted FROM consents ORDER BY channel") == [
        ("email", 1), ("post", 0), ("sms", 1)]  # consents hold nothing but the link: kept as they were
    # Rui, the other customer, is untouched.
    assert one(shop, "SELECT first_name, notes FROM customers WHERE id = :id", id=made.other_id) == ("Rui", "")
    assert one(shop, "SELECT caller_e164, notes FROM phone_calls WHERE customer_id = :id", id=made.other_id) == (
        "+5521998761234", "Rui asks about bread")

    assert report.customer_id == made.customer_id and report.customer_uuid == made.customer_uuid
    assert not report.already_erased
    assert report.anonymised == {"customers": 1, "reservations": 1, "warranties": 1, "warranty_claims": 1,
                                 "phone_calls": 2, "loyalty_cards": 1, "loyalty_entries": 1}
    assert report.kept == {key: before[key] for key in report.kept}
    with shop.reading() as session:
        assert find_customers(session, NAME[0], REGION) == []
        assert find_customers(session, EMAIL, REGION) == []
        assert find_customers(session, "97531-8642", REGION) == []
        assert loyalty.balance_of(session, made.customer_id, made.program_id) == 5


def test_erasure_is_recorded_in_the_audit_trail_with_nothing_personal(shop):
    made = customer_with_history(shop)
    with shop.writing() as session:
        erase_customer(session, made.customer_uuid)
    entry = one(shop, "SELECT action, subject_kind, subject_uuid, details, role FROM audit_entries"
                      " ORDER BY id DESC LIMIT 1")
    assert entry[:3] == (audit.CUSTOMER_ERASED, "customer", made.customer_uuid)
    assert json.loads(entry[3]) == {"records": {"customers": 1, "loyalty_cards": 1, "loyalty_entries": 1,
                                                "phone_calls": 2, "reservations": 1, "warranties": 1,
                                                "warranty_claims": 1}}
    assert entry[4] == "owner"
    with shop.reading() as session:
        assert audit.verify_chain(session).intact


def test_erasing_again_keeps_the_first_time_and_anonymises_what_arrived_since(shop):
    made = customer_with_history(shop)
    with shop.writing() as session:
        first = erase_customer(session, made.customer_id)
    with shop.writing() as session:  # a record of hers arrives later (from a till that had not heard yet)
        session.execute(text("UPDATE reservations SET notes = 'Zuleika again' WHERE customer_id = :id"),
                        {"id": made.customer_id})
    with shop.writing() as session:
        again = erase_customer(session, made.customer_id)
    assert again.already_erased and again.erased_at == first.erased_at
    assert again.anonymised == {"reservations": 1}
    assert one(shop, "SELECT notes FROM reservations") == ("",)
    assert all_rows(shop, "SELECT kind FROM tombstones") == [("erased",)]


def test_the_ledger_stays_append_only_after_an_erasure_and_a_rolled_back_erasure_changes_nothing(shop):
    made = customer_with_history(shop)
    with pytest.raises(RuntimeError), shop.writing() as session:
        erase_customer(session, made.customer_id)
        raise RuntimeError("the till crashed before the commit")
    assert one(shop, "SELECT reason FROM loyalty_entries WHERE kind = 'adjust'") == (ADJUSTMENT,)
    assert one(shop, "SELECT first_name FROM customers WHERE id = :id", id=made.customer_id) == (NAME[0],)
    assert not register_path(shop.path).exists()  # never written for an erasure that did not happen

    with shop.writing() as session:
        erase_customer(session, made.customer_id)
    for statement in ("UPDATE loyalty_entries SET amount = 9", "UPDATE loyalty_entries SET reason = 'x'",
                      "UPDATE loyalty_entries SET reason = '', amount = amount + 1", "DELETE FROM loyalty_entries"):
        with pytest.raises(Exception, match="cannot be"), shop.writing() as session:
            session.execute(text(statement))
    assert one(shop, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'loyalty_entries_no%'") \
        == (2,)


@pytest.mark.parametrize("actor", [CASHIER, MANAGER], ids=["cashier", "manager"])
def test_a_cashier_or_a_manager_may_not_erase_and_nothing_changes(shop, actor):
    made = customer_with_history(shop)
    before = every_row(shop)
    shop.acting = actor
    with pytest.raises(NotAllowed, match="Only the owner"), shop.writing() as session:
        erase_customer(session, made.customer_id)
    with pytest.raises(NotAllowed, match="Only the owner"), shop.writing() as session:
        anonymise_customers(session, [made.customer_id])
    shop.acting = None  # a locked till
    with pytest.raises(NotAllowed, match="locked"), shop.writing() as session:
        erase_customer(session, made.customer_id)
    assert every_row(shop) == before
    assert not register_path(shop.path).exists()


def test_an_unknown_customer_is_named_and_nothing_is_written(shop):
    made = customer_with_history(shop)
    before = every_row(shop)
    with pytest.raises(NotFound, match="No customer 999"), shop.writing() as session:
        erase_customer(session, 999)
    with pytest.raises(NotFound, match="No customer 999"), shop.writing() as session:
        anonymise_customers(session, [made.customer_id, 999])
    assert every_row(shop) == before


def test_a_card_code_finds_the_customer_to_erase_and_then_no_longer_works(shop):
    made = customer_with_history(shop)
    code = one(shop, "SELECT code FROM loyalty_cards")[0]
    with shop.writing() as session:
        assert erase_customer(session, code).customer_id == made.customer_id
    with pytest.raises(NotFound), shop.writing() as session:
        erase_customer(session, code)


def test_the_shop_file_zeroes_what_it_deletes(shop):
    with shop.reading() as session:
        assert session.execute(text("PRAGMA secure_delete")).scalar_one() == 1


def test_every_record_that_leads_to_a_customer_is_erased_or_kept_on_purpose():
    """A new table or column that refers to customers must be added to the erasure (or here, saying why)."""
    kept_on_purpose = {
        # Nothing about the customer beyond the link: their yes or no, a status step, the ledger's amounts.
        "consents": {"channel", "source", "staff"},
        "reservation_events": {"status", "staff"},
        "loyalty_entries": {"kind"},
        # Random codes the shop made; the card is retired by the erasure.
        "loyalty_cards": {"code", "status"},
        "reservations": {"reference", "status", "staff"},
        "warranties": {"staff"},
        "warranty_claims": {"staff"},
        "phone_calls": {"reason", "staff"},  # the reason is a label from the shop's list
    }
    erased_elsewhere = {"loyalty_entries": {"reason"}}  # cleared for hand adjustments (tombstones.py)
    change_feed = {"stamp", "field_stamps"}  # sync's stamps: times and till ids (desktop/sync/clock.py)
    leads_to_customer = {"customers"}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name not in leads_to_customer and any(
                fk.column.table.name in leads_to_customer for fk in table.foreign_keys
            ) and table.name not in ("customer_phones", "customer_search_keys"):
                leads_to_customer.add(table.name)
                changed = True
    assert leads_to_customer - {"customers"} == set(kept_on_purpose)
    for name in leads_to_customer - {"customers"}:
        columns = inspect(Base.metadata.tables[name]).columns
        texts = {c.name for c in columns if c.type.python_type is str and not c.name.endswith("uuid")}
        handled = (set(ERASED_RECORD_FIELDS.get(name, {})) | kept_on_purpose[name] | erased_elsewhere.get(name, set())
                   | change_feed)
        assert texts <= handled, f"{name}: {sorted(texts - handled)} neither erased nor kept on purpose"


# The erasure register


def test_the_register_holds_identifiers_only_and_is_private(shop):
    made = customer_with_history(shop)
    with shop.writing() as session:
        report = erase_customer(session, made.customer_id)
    path = register_path(shop.path)
    assert path == shop.path.with_name("shop.regulars.erased")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["erasures"] == [{"customer_uuid": made.customer_uuid,
                                 "erased_at": report.erased_at.strftime("%Y-%m-%d %H:%M:%S.%f")}]
    assert found_in_rows({"register": [(path.read_text(),)]}) == []
    assert read_register(shop.path) == {made.customer_uuid: report.erased_at.strftime("%Y-%m-%d %H:%M:%S.%f")}


def test_reapplying_the_register_erases_again_and_takes_in_the_files_own_erasures(shop):
    made = customer_with_history(shop)
    with shop.writing() as session:
        rui = get_customer(session, made.other_id).uuid
        apply_erasure(session, rui)  # as if it arrived by sync: in the file, not yet in the register
    remember_erasures(shop.path, {made.customer_uuid: "2026-03-01 09:30:00.000000"})

    assert reapply_erasure_register(shop) == 1
    assert found_in_rows(every_row(shop)) == []
    assert read_register(shop.path) == {made.customer_uuid: "2026-03-01 09:30:00.000000",
                                        rui: read_register(shop.path)[rui]}
    assert one(shop, "SELECT updated_at FROM customers WHERE id = :id", id=made.customer_id)[0].startswith(
        "2026-03-01 09:30:00")
    entry = one(shop, "SELECT action, subject_uuid, details FROM audit_entries ORDER BY id DESC LIMIT 1")
    assert entry[:2] == (audit.CUSTOMER_ERASED, made.customer_uuid)
    assert json.loads(entry[2])["from"] == "erasure register"
    before = every_row(shop)
    assert reapply_erasure_register(shop) == 0
    assert every_row(shop) == before


def test_a_registered_customer_not_in_the_file_is_erased_when_they_arrive(shop):
    stranger = "0f0e0d0c-0b0a-4909-8807-060504030201"
    remember_erasures(shop.path, {stranger: "2026-03-01 09:30:00.000000"})
    assert reapply_erasure_register(shop) == 0
    assert all_rows(shop, "SELECT record_uuid, kind FROM tombstones") == [(stranger, "erased")]


def test_a_damaged_register_is_named_and_nothing_is_erased(shop):
    made = customer_with_history(shop)
    register_path(shop.path).write_text('{"format": "Regulars erasure register", "version": 1, "erasures": [{"c')
    with pytest.raises(ErasureRegisterError, match="shop.regulars.erased is damaged"):
        reapply_erasure_register(shop)
    assert one(shop, "SELECT first_name FROM customers WHERE id = :id", id=made.customer_id) == (NAME[0],)

    with pytest.raises(ErasureRegisterError, match="The erasure is saved in the shop file, but"):
        with shop.writing() as session:
            erase_customer(session, made.customer_id)
    assert one(shop, "SELECT first_name FROM customers WHERE id = :id", id=made.customer_id) == ("",)


def test_the_register_error_never_hides_the_erasure(shop):
    """A register that cannot be read still leaves the erasure saved, and says so."""
    made = customer_with_history(shop)
    register_path(shop.path).mkdir()
    with pytest.raises(ErasureRegisterError, match="saved"), shop.writing() as session:
        erase_customer(session, made.customer_id)
    assert one(shop, "SELECT first_name FROM customers WHERE id = :id", id=made.customer_id) == ("",)
    register_path(shop.path).rmdir()
    with shop.writing() as session:
        erase_customer(session, made.customer_id)
    assert set(read_register(shop.path)) == {made.customer_uuid}


# The retention review


def _age(shop, customer_id: int, **when: str) -> None:
    """Moves a customer's times into the past, behind the services' back."""
    with shop.writing() as session:
        for column, moment in when.items():
            table, _, name = column.partition("__")
            key = "id" if table == "customers" else "customer_id"
            session.execute(text(f"UPDATE {table} SET {name} = :at WHERE {key} = :id"),
                            {"at": moment, "id": customer_id})


def test_inactive_customers_counts_every_kind_of_activity(shop):
    today = date(2026, 6, 15)
    old = "2022-01-10 10:00:00.000000"
    with shop.writing() as session:
        program = loyalty.add_program(session, loyalty.ProgramSettings("Café", "stamps", 10, "Um café"))
        ids = {name: add_customer(session, CustomerDetails(first_name=name, phones=[f"1198765{index:04d}"]),
                                  REGION).id
               for index, name in enumerate(["Idle", "Stamped", "Covered", "Erased", "Recent", "Called"])}
        session.execute(text(  # a stamp of last December: the ledger takes no later change to its time
            "INSERT INTO loyalty_entries (uuid, program_id, customer_id, kind, amount, reason, created_at)"
            " VALUES ('6d9e5c1a-0000-4000-8000-000000000001', :program, :customer, 'earn', 1, '',"
            " '2025-12-01 10:00:00.000000')"), {"program": program.id, "customer": ids["Stamped"]})
    from desktop.services import phone_calls, warranties
    with shop.writing() as session:
        warranties.add_warranty(session, warranties.NewWarranty(ids["Covered"], "Oven", "OV-123",
                                                                date(2022, 1, 5), 60), today=date(2022, 1, 10))
        phone_calls.log_call(session, phone_calls.CallLog(reason="Question", customer_id=ids["Called"]), REGION)
    for name in ("Idle", "Stamped", "Covered", "Erased", "Called"):
        _age(shop, ids[name], customers__last_seen_at=old)
    _age(shop, ids["Covered"], warranties__updated_at=old)
    _age(shop, ids["Called"], phone_calls__called_at="2024-01-01 10:00:00.000000")
    with shop.writing() as session:
        apply_erasure(session, get_customer(session, ids["Erased"]).uuid)

    with shop.reading() as session:
        listed = inactive_customers(session, today=today)  # the shop's 3 years
        assert [(c.id, c.name, c.last_active_at) for c in listed] == [
            (ids["Idle"], "Idle", datetime(2022, 1, 10, 10))]
        # The warranty covers to 2027: its owner stays; the caller of 2024 is idle after 2 years.
        assert {c.name for c in inactive_customers(session, 2, today=today)} == {"Idle", "Called"}
        called = next(c for c in inactive_customers(session, 2, today=today) if c.name == "Called")
        assert called.last_active_at == datetime(2024, 1, 1, 10)
        assert {c.name for c in inactive_customers(session, 1, today=date(2033, 1, 1))} == {
            "Idle", "Stamped", "Covered", "Called", "Recent"}


def test_the_retention_period_is_checked_naming_the_field(shop):
    with shop.reading() as session:
        for bad in (0, -1, 51, "three", True):
            with pytest.raises(InvalidInput) as refused:
                inactive_customers(session, bad)
            assert refused.value.field == "years"
    with pytest.raises(InvalidInput) as refused, shop.writing() as session:
        set_retention_years(session, "0")
    assert refused.value.field == "retention_years"
    assert "from 1 to 50" in refused.value.describe()
    with shop.writing() as session:
        assert set_retention_years(session, " 7 ") == 7
    with shop.reading() as session:
        assert shop_settings(session).retention_years == 7
    entry = one(shop, "SELECT action, details FROM audit_entries ORDER BY id DESC LIMIT 1")
    assert entry == (audit.SETTINGS_CHANGED, '{"fields": ["retention_years"]}')


def test_who_may_review_and_anonymise(shop):
    made = customer_with_history(shop)
    shop.acting = MANAGER
    with shop.reading() as session:
        assert inactive_customers(session) == []  # a manager may review
    with pytest.raises(NotAllowed), shop.writing() as session:
        set_retention_years(session, 5)
    shop.acting = CASHIER
    with pytest.raises(NotAllowed, match="manager or the owner"), shop.reading() as session:
        inactive_customers(session)
    shop.acting = Actor(role="owner", name="Olga", staff_uuid="z")
    with shop.writing() as session:
        assert anonymise_customers(session, [made.customer_id, made.other_id, made.customer_id]) == 2
    with shop.writing() as session:
        assert anonymise_customers(session, [made.customer_id]) == 0  # already erased
    entries = all_rows(shop, "SELECT subject_uuid, staff_name FROM audit_entries WHERE action = :action",
                       action=audit.CUSTOMER_ERASED)
    with shop.reading() as session:
        rui = get_customer(session, made.other_id).uuid
    assert entries == [(made.customer_uuid, "Olga"), (rui, "Olga"), (made.customer_uuid, "Olga")]
    assert set(read_register(shop.path)) == {made.customer_uuid, rui}


def test_the_retention_boundary_and_29_february(shop):
    """A customer last seen exactly the retention period ago is not yet listed; a day more and they are."""
    with shop.writing() as session:
        edge = add_customer(session, CustomerDetails(first_name="Edge", phones=["11912340000"]), REGION).id
    _age(shop, edge, customers__last_seen_at="2025-02-28 00:00:00.000000")
    with shop.reading() as session:
        assert inactive_customers(session, 3, today=date(2028, 2, 29)) == []  # back to 28 February 2025
        assert [c.id for c in inactive_customers(session, 3, today=date(2028, 3, 1))] == [edge]


# The privacy notice


def test_the_default_notice_says_how_long_backups_and_customers_are_kept(shop):
    with shop.reading() as session:
        notice = current_notice(session).text
    assert "if we have not seen you for 3 years we review your details and anonymise them" in notice
    assert "we keep only the last 14" in notice
    assert "{" not in notice
    text_for_one = default_notice_text("Padaria", backup_keep=1, retention_years=1)
    assert "for 1 year we review" in text_for_one and "the last 1," in text_for_one


def test_anonymising_inactive_customers_commits_in_short_batches(shop, monkeypatch):
    """Between batches nobody holds the write lock: a till adds a customer, and one who came back
    meanwhile is not anonymised."""
    from desktop.db.engine import open_shop_file
    from desktop.services import erasure
    from desktop.services.customers import record_visit
    from tests.conftest import PASSPHRASE

    monkeypatch.setattr(erasure, "ANONYMISE_EVERY", 2)
    with shop.writing() as session:
        ids = [add_customer(session, CustomerDetails(first_name=f"Idle {n}", phones=[f"1198765{n:04d}"]), REGION).id
               for n in range(5)]
    for customer_id in ids:
        _age(shop, customer_id, customers__last_seen_at="2020-01-10 10:00:00.000000")
    till = open_shop_file(shop.path, PASSPHRASE)
    till.engine.dispose()
    steps: list[tuple[int, int]] = []

    def between_batches(done: int, total: int) -> None:
        steps.append((done, total))
        if done == 2:
            with till.writing() as session:  # would wait, then fail, if the anonymising held the file
                add_customer(session, CustomerDetails(first_name="Walk-in", phones=["11912340000"]), REGION)
                record_visit(session, ids[4])  # Idle 4 came back

    try:
        assert erasure.anonymise_inactive(shop, ids, 3, progress=between_batches) == 4
    finally:
        till.close()
    assert steps == [(2, 5), (4, 5), (5, 5)]
    with shop.reading() as session:
        assert [c.id for c in inactive_customers(session, 3)] == []
        assert get_customer(session, ids[4]).first_name == "Idle 4"
    assert len(read_register(shop.path)) == 4
