"""Shared by the erasure tests: a customer with a whole history, and what the shop file holds about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

from sqlalchemy import text

from desktop.db.engine import ShopDatabase

REGION = "BR"

# Distinctive enough that finding one anywhere can only mean it was left behind.
NAME = ("Zuleika", "Brabançonne")
PHONES = ("+55 11 97531-8642", "+351 936 482 751")  # the second: she also calls from it, without saying who she is
PHONE_FORMS = ("+5511975318642", "5511975318642", "11975318642", "975318642", "+351936482751", "351936482751",
               "936482751", "24681357911", "157284639")  # E.164, national digits, and reversed as lookups keep them
EMAIL = "zuleika.brabanconne.4417@example.org"
NOTES = "Zuleika prefers the Quintaflor rye"
ITEM = "Quintaflor birthday cake for Zuleika"
PRODUCT = "Espresso machine Quintaflor"
SERIAL = "QF-88213-ZB"
PROBLEM = "Quintaflor pump leaks"
ADJUSTMENT = "Zuleika's birthday bonus"
# Every value of hers the shop typed: none may be found after the erasure.
NEEDLES = (*NAME, "zuleika", "brabanconne", EMAIL, NOTES, ITEM, PRODUCT, SERIAL, "QF88213ZB", PROBLEM,
           ADJUSTMENT, "Quintaflor", "Rua das Camélias 17", "Vila Quintaflor", "01234-567", "1984-06-12",
           *PHONE_FORMS)


@dataclass(frozen=True)
class History:
    customer_id: int
    customer_uuid: str
    program_id: int
    reservation: str
    warranty_id: int
    other_id: int  # another customer, whom the erasure leaves alone


def customer_with_history(shop: ShopDatabase) -> History:
    """Zuleika: consents, stamps and a hand adjustment, a card, a reservation moved on, a warranty with a
    claim, a call with a follow-up, a call from her other number without her name; and Rui, untouched."""
    from desktop.services import loyalty, phone_calls, reservations, warranties
    from desktop.services.consents import record_consents
    from desktop.services.customers import CustomerDetails, add_customer
    from desktop.services.privacy_notice import current_notice

    today = date.today()
    with shop.writing() as session:
        customer = add_customer(session, CustomerDetails(
            first_name=NAME[0], last_name=NAME[1], phones=[PHONES[0], PHONES[1]], email=EMAIL, company="Quintaflor Lda",
            address_line1="Rua das Camélias 17", city="Vila Quintaflor", postal_code="01234-567", country="BR",
            preferred_payment="pix", birthday="1984-06-12", notes=NOTES, heard_from="Quintaflor fair",
        ), REGION)
        other = add_customer(session, CustomerDetails(first_name="Rui", last_name="Tavares",
                                                      phones=["+55 21 99876-1234"]), REGION)
        program = loyalty.add_program(session, loyalty.ProgramSettings("Café", "stamps", 10, "Um café"))
        for _ in range(3):
            loyalty.earn(session, customer.id, program.id)
        loyalty.adjust(session, customer.id, program.id, 2, ADJUSTMENT)
        loyalty.earn(session, other.id, program.id)
        loyalty.card_for(session, customer.id)
        record_consents(session, customer.id, {"email": True, "sms": True, "post": False},
                        notice_version=current_notice(session).version, source="counter", staff="Rita")
        booked = reservations.add_reservation(session, reservations.NewReservation(
            customer.id, ITEM, 1, "25,50", today + timedelta(days=3), notes=f"Write: {NAME[0]}",
        ), staff="Rita")
        reservations.change_status(session, booked.reference, "ready", staff="João")
        warranty = warranties.add_warranty(session, warranties.NewWarranty(
            customer.id, PRODUCT, SERIAL, today - timedelta(days=40), 12, notes="Quintaflor box opened",
        ), staff="Rita")
        warranties.add_claim(session, warranty.id, problem=PROBLEM, outcome="Quintaflor pump replaced",
                             claimed_on=today)
        phone_calls.log_call(session, phone_calls.CallLog(
            reason="Question", customer_id=customer.id, phone=PHONES[0], notes=f"{NAME[0]} asks about Quintaflor",
            follow_up_on=today + timedelta(days=1)), REGION)
        phone_calls.log_call(session, phone_calls.CallLog(reason="Question", phone="+55 21 99876-1234",
                                                          notes="Rui asks about bread"), REGION)
        history = History(customer.id, customer.uuid, program.id, booked.reference, warranty.id, other.id)
    with shop.writing() as session:  # a call from her other number, logged before anyone knew it was hers
        session.execute(text(
            "INSERT INTO phone_calls (uuid, customer_id, caller_e164, reason, notes, staff, called_at, created_at,"
            " updated_at) VALUES (:uuid, NULL, '+351936482751', 'Question', 'Asked for Quintaflor rye', 'Rita',"
            " '2026-01-05 10:00:00.000000', '2026-01-05 10:00:00.000000', '2026-01-05 10:00:00.000000')"
        ), {"uuid": str(uuid4())})
    return history


def every_row(shop: ShopDatabase) -> dict[str, list[tuple]]:
    """Every row of every table of the shop file, as the SQLCipher connection reads it."""
    with shop.reading() as session:
        conn = session.connection()
        tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars().all()
        return {table: conn.exec_driver_sql(f'SELECT * FROM "{table}"').all() for table in tables}


def found_in_rows(rows: dict[str, list[tuple]], needles=NEEDLES) -> list[str]:
    """Where each needle turns up (case-insensitively, in any cell of any table)."""
    found = []
    for table, table_rows in rows.items():
        for row in table_rows:
            for cell in row:
                if cell is None:
                    continue
                value = cell.decode("latin-1") if isinstance(cell, bytes) else str(cell)
                found.extend(f"{needle!r} in {table}" for needle in needles if needle.casefold() in value.casefold())
    return sorted(set(found))


def counts_and_totals(shop: ShopDatabase, customer_id: int, program_id: int) -> dict[str, object]:
    """What reports are made of: how many records of each kind the customer has, and their balance."""
    from desktop.services import loyalty
    from desktop.services.erasure import kept_records

    with shop.reading() as session:
        return {**kept_records(session, customer_id),
                "balance": loyalty.balance_of(session, customer_id, program_id),
                "ledger": tuple(session.execute(text("SELECT count(*), sum(amount) FROM loyalty_entries")).one())}
