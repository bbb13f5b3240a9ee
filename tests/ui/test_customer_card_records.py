from __future__ import annotations

from datetime import date, timedelta

from desktop.services.card_codes import display
from desktop.services.phone_calls import CallLog, log_call
from desktop.services.reservations import NewReservation, add_reservation, change_status
from desktop.services.warranties import NewWarranty, add_warranty, expiry
from desktop.ui.customer_card import CustomerCard
from tests.ui.helpers import id_of

TODAY = date.today()


def _card(qtbot, context) -> CustomerCard:
    card = CustomerCard(context)
    qtbot.addWidget(card)
    card.show()
    return card


def _fmt(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def test_open_reservations_warranties_and_recent_calls_show_on_the_card(qtbot, context):
    fernanda = id_of(context, "fernanda")
    expected = TODAY + timedelta(days=4)
    with context.database.writing() as session:
        cake = add_reservation(session, NewReservation(fernanda, "Cake", 2, "", expected)).reference
        ready = add_reservation(session, NewReservation(fernanda, "Bread", 1, "", expected))
        change_status(session, ready.id, "ready")
        done = add_reservation(session, NewReservation(fernanda, "Collected pie", 1, "", expected))
        change_status(session, done.id, "ready")
        change_status(session, done.id, "collected")
        add_warranty(session, NewWarranty(fernanda, "Kettle", "KT-1", date(2020, 3, 15), 12))
        add_warranty(session, NewWarranty(fernanda, "Mixer", "MX-22", TODAY, 24))
        for number in range(4):
            log_call(session, CallLog(reason="Question", customer_id=fernanda, notes=f"call {number}"), "BR")
    card = _card(qtbot, context)
    card.show_customer(fernanda)

    reservations = card.values["reservations"].text().splitlines()
    assert sorted(reservations) == sorted([
        f"• {display(cake)} · Cake × 2 · {_fmt(expected)} · Open",
        f"• {display(ready.reference)} · Bread · {_fmt(expected)} · Ready",
    ])
    assert "Collected pie" not in card.values["reservations"].text()
    warranties = card.values["warranties"].text().splitlines()
    assert warranties == [f"• Mixer, until {_fmt(expiry(TODAY, 24))}", "• Kettle, ended 14/03/2021"]
    calls = card.values["calls"].text().splitlines()
    assert len(calls) == 3
    assert calls[0].endswith("Question · call 3")  # newest first
    for key in ("reservations", "warranties", "calls"):
        assert card.values[key].isVisibleTo(card)


def test_records_rows_are_hidden_for_a_customer_without_any(qtbot, context):
    card = _card(qtbot, context)
    card.show_customer(id_of(context, "joao"))
    assert card.name.text() == "João da Silva"
    for key in ("reservations", "warranties", "calls"):
        assert card.values[key].text() == ""
        assert not card.values[key].isVisibleTo(card)


def test_customer_text_on_the_card_is_never_markup(qtbot, context):
    joao = id_of(context, "joao")
    with context.database.writing() as session:
        add_reservation(session, NewReservation(joao, "<b>Bold</b> cake", 1, "", TODAY + timedelta(days=1)))
    card = _card(qtbot, context)
    card.show_customer(joao)
    assert "<b>Bold</b> cake" in card.values["reservations"].text()
    assert card.values["reservations"].textFormat().name == "PlainText"
