"""The right of access: everything held about one customer, as JSON and PDF, against a real encrypted shop file.

The schema itself says what must be exported: every table with a foreign key leading to the
customer is walked, and each of the customer's rows in it must be in the export, column for
column. A table added later without being exported fails here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import Table, select

from desktop.errors import NotAllowed, NotFound
from desktop.models import Base
from desktop.models.staff import Actor
from desktop.output_files import OutputRefused
from desktop.services import audit
from desktop.services.consents import record_consents
from desktop.services.customers import CustomerDetails, add_customer, get_customer, record_visit, update_customer
from desktop.services.loyalty import (
    ProgramSettings,
    add_program,
    adjust,
    card_for,
    earn,
    list_programs,
    redeem,
    replace_card,
)
from desktop.services.phone_calls import CallLog, log_call
from desktop.services.privacy_access import (
    FORMAT,
    FORMAT_VERSION,
    customer_data,
    plain_value,
    write_access_export,
)
from desktop.services.privacy_notice import publish_notice
from desktop.services.reservations import NewReservation, add_reservation, change_status
from desktop.services.warranties import NewWarranty, add_claim, add_warranty
from tests.conftest import REGION
from tests.pdf_reading import flat_text, require_poppler
from tests.unit.services.helpers import count

TODAY = date(2026, 11, 25)
GREEK = "Παπαδόπουλος"


def details(**values) -> CustomerDetails:
    return CustomerDetails(**({
        "first_name": "João", "last_name": "Conceição " + GREEK, "company": "<b>Ana & Co</b>",
        "phones": ["11987654321", "1132345678"], "email": "joao@example.com", "address_line1": "Rua Três Irmãos 12",
        "city": "São Paulo", "postal_code": "01310-100", "birthday": date(1980, 4, 2), "notes": "Prefere pão sem açúcar",
    } | values))


def fill_every_record(shop, customer_details: CustomerDetails) -> int:
    """A customer with something in every kind of record the shop keeps; their id."""
    with shop.writing() as session:
        customer = add_customer(session, customer_details, REGION, allow_duplicate=True)
        customer_id = customer.id
        record_consents(session, customer_id, {"email": True, "sms": True}, notice_version=1, source="signup",
                        staff="Rita")
        notice = publish_notice(session, "Versão 2: os seus dados ficam connosco.")
        record_consents(session, customer_id, {"email": False, "post": True}, notice_version=notice.version,
                        source="counter", staff="Rui")
        programs = {program.name: program for program in list_programs(session)}
        stamps = programs.get("Café da casa") or add_program(
            session, ProgramSettings("Café da casa", "stamps", 5, "Um café grátis"))
        points = programs.get("Pontos") or add_program(
            session, ProgramSettings("Pontos", "points", 100, "Bolo inteiro", points_per_unit=1))
        for _ in range(6):
            earn(session, customer_id, stamps.id)
        redeem(session, customer_id, stamps.id)
        earn(session, customer_id, points.id, "42,50")
        adjust(session, customer_id, points.id, -2, "Carimbo a mais")
        card_for(session, customer_id)
        replace_card(session, customer_id)
        reservation = add_reservation(session, NewReservation(customer_id, "Bolo-rei", 1, "10,00", "2026-12-24",
                                                              "Sem frutos secos"), staff="Rita", today=TODAY)
        change_status(session, reservation.id, "ready", staff="Rui")
        warranty = add_warranty(session, NewWarranty(customer_id, "Máquina de café", f"SN-4482-{customer_id}", "2026-03-15", 24),
                                staff="Rita", today=TODAY)
        add_claim(session, warranty.id, problem="Não aquece", claimed_on="2026-10-01", outcome="Trocada",
                  today=TODAY)
        log_call(session, CallLog(reason="Question", customer_id=customer_id, notes="Perguntou pelo bolo",
                                  follow_up_on="2026-11-30"), REGION, staff="Rita", today=TODAY)
        update_customer(session, customer_id, details(notes="Cliente desde 2019"), REGION, allow_duplicate=True)
        record_visit(session, customer_id)
    return customer_id


@pytest.fixture
def joao(shop) -> int:
    return fill_every_record(shop, details())


@pytest.fixture
def someone_else(shop) -> int:
    """Another customer with records of every kind, none of which may appear in João's export."""
    return fill_every_record(shop, details(first_name="Maria", last_name="Outra", company="", email="maria@example.com",
                                           phones=["11912345678"], notes="Só dela"))


# --- the schema says what must be there ----------------------------------------------------------


def tables_about_customers() -> list[Table]:
    """customers, and every table with a foreign key (or a customer_* column) leading to one of these, repeatedly."""
    found = {"customers": Base.metadata.tables["customers"]}
    grew = True
    while grew:
        grew = False
        for table in Base.metadata.sorted_tables:
            if table.name in found:
                continue
            refers = any(fk.column.table.name in found for fk in table.foreign_keys)
            refers |= any(column.name.startswith("customer") for column in table.columns)
            if refers:
                found[table.name] = table
                grew = True
    return list(found.values())


def rows_of(session, customer_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows that belong to the customer, read with plain SQL along the foreign keys."""
    owned: dict[str, list[dict[str, Any]]] = {}
    for table in tables_about_customers():  # parents come before children
        if table.name == "customers":
            query = select(table).where(table.c.id == customer_id)
        else:
            conditions = []
            for fk in table.foreign_keys:
                if fk.column.table.name in owned:
                    values = [row[fk.column.name] for row in owned[fk.column.table.name]]
                    conditions.append(fk.parent.in_(values))
            if "customer_id" in table.c and not any(fk.parent.name == "customer_id" for fk in table.foreign_keys):
                conditions.append(table.c.customer_id == customer_id)
            query = select(table).where(*conditions)
        owned[table.name] = [dict(row._mapping) for row in session.execute(query)]
    return owned


def every_dict(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from every_dict(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from every_dict(inner)


def test_every_table_that_refers_to_customers_is_exported_row_by_row_and_column_by_column(shop, joao, someone_else):
    with shop.reading() as session:
        data = customer_data(session, joao)
        owned = rows_of(session, joao)
    exported = list(every_dict(data))
    names = {table.name for table in tables_about_customers()}
    assert {"customer_phones", "consents", "loyalty_entries", "reservation_events", "warranty_claims",
            "phone_calls"} <= names  # the walk finds direct and indirect references
    for table, rows in owned.items():
        assert rows, f"the test customer has no {table} row: give fill_every_record one, and export them"
        for row in rows:
            expected = {name: plain_value(value) for name, value in row.items()}
            assert any(expected.items() <= candidate.items() for candidate in exported), (table, expected)


def test_nothing_of_another_customer_is_exported(shop, joao, someone_else):
    with shop.reading() as session:
        other = get_customer(session, someone_else)
        other_uuid, other_id = other.uuid, other.id
        text = json.dumps(customer_data(session, joao), ensure_ascii=False)
        owned = rows_of(session, someone_else)
    assert other_uuid not in text
    assert "Só dela" not in text and "maria@example.com" not in text and "+5511912345678" not in text
    for table in ("consents", "loyalty_entries", "reservations", "warranties", "phone_calls", "loyalty_cards"):
        for row in owned[table]:
            assert row["uuid"] not in text, table
    assert all(entry.get("customer_id") in (None, joao) for entry in every_dict(json.loads(text))
               if "customer_id" in entry), other_id


def test_the_export_reads_as_described(shop, joao):
    with shop.reading() as session:
        data = customer_data(session, joao)
    assert list(data)[:4] == ["format", "format_version", "shop", "exported_at"]
    assert (data["format"], data["format_version"], data["shop"]) == (FORMAT, FORMAT_VERSION, "Padaria Teste")
    assert data["exported_at"].endswith("+00:00")
    assert data["customer"]["last_name"] == "Conceição " + GREEK
    assert data["customer"]["birthday"] == "1980-04-02"
    assert [phone["e164"] for phone in data["phones"]] == ["+5511987654321", "+551132345678"]
    assert [(c["channel"], c["granted"], c["notice_version"], c["source"], c["staff"]) for c in data["consents"]] == [
        ("email", True, 1, "signup", "Rita"), ("sms", True, 1, "signup", "Rita"),
        ("email", False, 2, "counter", "Rui"), ("post", True, 2, "counter", "Rui")]
    assert [notice["version"] for notice in data["privacy_notices"]] == [1, 2]
    assert data["privacy_notices"][1]["text"] == "Versão 2: os seus dados ficam connosco."
    assert {(b["program"], b["balance"]) for b in data["loyalty"]["balances"]} == {("Café da casa", 1),
                                                                                   ("Pontos", 40)}
    assert [entry["program"] for entry in data["loyalty"]["ledger"]].count("Café da casa") == 7
    assert [card["status"] for card in data["loyalty"]["cards"]] == ["replaced", "active"]
    assert [event["status"] for event in data["reservations"][0]["events"]] == ["open", "ready"]
    assert data["reservations"][0]["expected_on"] == "2026-12-24"
    assert data["warranties"][0]["claims"][0]["problem"] == "Não aquece"
    assert data["phone_calls"][0]["follow_up_on"] == "2026-11-30"
    actions = [entry["action"] for entry in data["audit_entries"]]
    assert actions[0] == audit.CUSTOMER_CREATED and audit.CUSTOMER_CHANGED in actions
    changed = next(entry for entry in data["audit_entries"] if entry["action"] == audit.CUSTOMER_CHANGED)
    assert changed["details"] == {"fields": ["notes"]} and changed["role"] == "owner"
    json.dumps(data)  # plain values only


def test_a_card_code_finds_the_customer_too(shop, joao):
    with shop.reading() as session:
        code = customer_data(session, joao)["loyalty"]["cards"][-1]["code"]
        assert customer_data(session, code)["customer"]["id"] == joao


# --- the two files -------------------------------------------------------------------------------


def test_writes_both_files_and_records_the_export(shop, joao, tmp_path):
    require_poppler()
    out = tmp_path / "nova pasta" / "pedido"
    with shop.writing() as session:
        export = write_access_export(session, str(joao), out)
        uuid = get_customer(session, joao).uuid
    assert export.json_path.parent == out and export.pdf_path.parent == out
    assert export.json_path.name == f"customer-data-{uuid[:8]}.json"
    assert export.pdf_path.name == f"customer-data-{uuid[:8]}.pdf"
    assert sorted(path.name for path in out.iterdir()) == sorted([export.json_path.name, export.pdf_path.name])

    data = json.loads(export.json_path.read_text(encoding="utf-8"))
    assert GREEK in export.json_path.read_text(encoding="utf-8")  # written as UTF-8, not \u escapes
    assert data["customer"]["uuid"] == uuid

    text = flat_text(export.pdf_path)
    for expected in ("Your data held by Padaria Teste", f"João Conceição {GREEK}", "<b>Ana & Co</b>",
                     "(11) 98765-4321", "(11) 3234-5678", "joao@example.com", "Rua Três Irmãos 12", "02/04/1980",
                     "Cliente desde 2019", "Versão 2: os seus dados ficam connosco.", "Um café grátis",
                     "Bolo-rei", "R$ 10,00", "24/12/2026", "SN-4482", "Não aquece", "Perguntou pelo bolo",
                     "Record changed", "notes", export.json_path.name):
        assert expected in text, expected

    with shop.reading() as session:
        entries = audit.list_entries(session, audit.AuditFilter(action=audit.CUSTOMER_EXPORTED))
        assert audit.verify_chain(session).intact
    assert [(e.subject_kind, e.subject_uuid, json.loads(e.details), e.role) for e in entries] == [
        ("customer", uuid, {"files": 2}, "owner")]


@pytest.mark.parametrize("role", ["cashier", "manager"])
def test_only_the_owner_may_export_and_a_refusal_writes_nothing(shop, joao, tmp_path, role):
    out = tmp_path / "export"
    entries = count(shop, "audit_entries")
    shop.acting = Actor(role=role, name="Rita", staff_uuid="x")
    with pytest.raises(NotAllowed, match="Only the owner"):
        with shop.writing() as session:
            write_access_export(session, joao, out)
    with pytest.raises(NotAllowed):
        with shop.reading() as session:
            customer_data(session, joao)
    assert not out.exists()
    assert count(shop, "audit_entries") == entries


def test_refuses_to_write_over_an_earlier_export(shop, joao, tmp_path):
    out = tmp_path / "out"
    with shop.writing() as session:
        first = write_access_export(session, joao, out)
    first.json_path.unlink()
    first.pdf_path.write_bytes(b"the customer's earlier copy")
    entries = count(shop, "audit_entries")
    with pytest.raises(OutputRefused) as refused:
        with shop.writing() as session:
            write_access_export(session, joao, out)
    assert str(first.pdf_path) in str(refused.value) and "already exists" in str(refused.value)
    assert first.pdf_path.read_bytes() == b"the customer's earlier copy"
    assert not first.json_path.exists()
    assert [path.name for path in out.iterdir()] == [first.pdf_path.name]  # no temporary file left either
    assert count(shop, "audit_entries") == entries


def test_an_unknown_customer_or_an_unusable_folder_writes_nothing(shop, joao, tmp_path):
    entries = count(shop, "audit_entries")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(NotFound):
        with shop.writing() as session:
            write_access_export(session, "999", out / "a")
    blocker = out / "a file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputRefused, match="is a file, not a folder") as failed:
        with shop.writing() as session:
            write_access_export(session, joao, blocker)
    assert str(blocker) in str(failed.value)
    assert sorted(path.name for path in out.iterdir()) == ["a file"]
    assert count(shop, "audit_entries") == entries


def test_a_greek_customer_with_nothing_else_recorded(shop, tmp_path):
    require_poppler()
    with shop.writing() as session:
        customer_id = add_customer(session, CustomerDetails(first_name="Ελένη", last_name=GREEK,
                                                            phones=["11987650000"]), REGION).id
        export = write_access_export(session, customer_id, tmp_path)
    text = flat_text(export.pdf_path)
    assert f"Ελένη {GREEK}" in text
    assert text.count("Nothing recorded.") >= 6  # consents, notices, cards, balances, ledger, reservations, ...
    data = json.loads(Path(export.json_path).read_text(encoding="utf-8"))
    assert data["consents"] == [] and data["reservations"] == [] and data["loyalty"]["ledger"] == []
