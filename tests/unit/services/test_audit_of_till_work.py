"""Work done for a customer at the till is in the audit trail, naming the customer by UUID and nothing they said."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from desktop.models import AuditEntry
from desktop.services import audit, loyalty
from desktop.services.customers import get_customer
from desktop.services.erasure import erase_customer
from desktop.services.phone_calls import CallLog, complete_follow_up, log_call, reopen_follow_up
from desktop.services.reservations import NewReservation, add_reservation, change_status
from desktop.services.warranties import NewWarranty, add_claim, add_warranty
from tests.conftest import REGION
from tests.unit.services.helpers import new_customer


def _entries_about(shop, customer_id) -> list[tuple[str, str]]:
    with shop.reading() as session:
        uuid = get_customer(session, customer_id).uuid
        return [(entry.action, entry.details) for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.subject_uuid == uuid).order_by(AuditEntry.id))]


def test_stamping_redeeming_calls_reservations_and_warranties_are_recorded(shop):
    ana = new_customer(shop, "Ana", "Souza")
    with shop.writing() as session:
        coffee = loyalty.add_program(session, loyalty.ProgramSettings(
            name="Coffee card", kind="stamps", reward_at=2, reward_description="A free coffee")).id
        loyalty.earn(session, ana, coffee)
        loyalty.earn(session, ana, coffee)
        loyalty.redeem(session, ana, coffee)
        call = log_call(session, CallLog(reason="Question", customer_id=ana, notes="Asked about bread",
                                         follow_up_on=date.today() + timedelta(days=1)), REGION)
        complete_follow_up(session, call.id)
        reopen_follow_up(session, call.id)
        reservation = add_reservation(session, NewReservation(
            customer_id=ana, item="Bolo de chocolate", expected_on=date.today() + timedelta(days=2)))
        change_status(session, reservation.reference, "ready")
        warranty = add_warranty(session, NewWarranty(
            customer_id=ana, product="Cafeteira", serial_number="AB-1234", purchase_date=date.today()))
        add_claim(session, warranty.id, problem="Leaks")
    actions = [action for action, _details in _entries_about(shop, ana)]
    assert actions == [
        audit.CUSTOMER_CREATED, audit.STAMPED, audit.STAMPED, audit.REDEEMED, audit.CALL_LOGGED,
        audit.FOLLOW_UP_DONE, audit.FOLLOW_UP_DONE, audit.RESERVATION_ADDED, audit.RESERVATION_CHANGED,
        audit.WARRANTY_ADDED, audit.WARRANTY_CLAIMED,
    ]
    trail = " ".join(details for _action, details in _entries_about(shop, ana))
    for said in ("Asked about bread", "Bolo", "Cafeteira", "AB-1234", "Leaks", "Souza"):
        assert said not in trail  # names and counts, never what was typed


def test_the_owner_sees_whom_an_entry_is_about_and_an_erased_customer_as_erased(shop):
    ana = new_customer(shop, "Ana", "Souza")
    bruno = new_customer(shop, "Bruno", phone="11987650000")
    with shop.writing() as session:
        erase_customer(session, bruno)
    with shop.reading() as session:
        entries = audit.list_entries(session)
        named = audit.subjects(session, entries)
        ana_uuid, bruno_uuid = get_customer(session, ana).uuid, get_customer(session, bruno).uuid
    assert named[ana_uuid] == audit.Subject("Ana Souza", ana)
    assert named[bruno_uuid].erased and named[bruno_uuid].name == ""


def test_a_loyalty_programme_is_named_too(shop):
    with shop.writing() as session:
        program = loyalty.add_program(session, loyalty.ProgramSettings(
            name="Coffee card", kind="stamps", reward_at=2, reward_description="A free coffee"))
        uuid = program.uuid
    with shop.reading() as session:
        assert audit.subjects(session, audit.list_entries(session))[uuid] == audit.Subject("Coffee card")
