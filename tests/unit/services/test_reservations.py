"""Reservations from promise to collection, against a real encrypted shop file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.errors import InvalidInput, NotFound
from desktop.services import card_codes
from desktop.services.lookup import find_customers, query_problem
from desktop.services.reservations import (
    NewReservation,
    add_reservation,
    change_status,
    customer_reservations,
    get_reservation,
    reservation_list,
    reservation_summary,
    status_history,
)
from tests.conftest import REGION
from tests.unit.services.helpers import count, new_customer

TODAY = date(2026, 11, 25)


@pytest.fixture
def ana(shop) -> int:
    return new_customer(shop, "Ana", "Souza")


def reserve(shop, customer_id, **values) -> str:
    form = NewReservation(customer_id=customer_id, **({"item": "Bolo de aniversário", "expected_on": TODAY} | values))
    with shop.writing() as session:
        return add_reservation(session, form, staff="Rita", today=TODAY).reference


def test_a_reservation_gets_a_checked_reference_and_starts_open(shop, ana):
    reference = reserve(shop, ana, quantity="2", deposit="12,50", expected_on="2026-11-28", notes="Sem glúten")
    assert card_codes.is_valid(reference, card_codes.RESERVATION_PREFIX) and reference.startswith("B")
    with shop.reading() as session:
        summary = reservation_summary(session, card_codes.display(reference).lower())
    assert (summary.item, summary.quantity, summary.deposit_cents) == ("Bolo de aniversário", 2, 1250)
    assert (summary.expected_on, summary.status, summary.notes) == (date(2026, 11, 28), "open", "Sem glúten")
    assert (summary.customer_name, summary.customer_phone) == ("Ana Souza", "+5511987654321")


@pytest.mark.parametrize("deposit", ["", "0", "0,00", 0])
def test_no_deposit_is_allowed(shop, ana, deposit):
    reference = reserve(shop, ana, deposit=deposit)
    with shop.reading() as session:
        assert reservation_summary(session, reference).deposit_cents == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"item": "  "}, "item"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "dois"}, "quantity"),
        ({"deposit": "12,5x"}, "deposit"),
        ({"deposit": "-3"}, "deposit"),
        ({"expected_on": "28/11/2026"}, "expected_on"),
        ({"expected_on": TODAY - timedelta(days=1)}, "expected_on"),
        ({"expected_on": None}, "expected_on"),
        ({"notes": "card 4111 1111 1111 1111"}, "notes"),
        ({"customer_id": None}, "customer"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(shop, ana, values, field):
    form = NewReservation(**({"customer_id": ana, "item": "Bolo", "expected_on": TODAY} | values))
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        add_reservation(session, form, today=TODAY)
    assert field in caught.value.problems
    assert count(shop, "reservations") == 0 and count(shop, "reservation_events") == 0


def test_unknown_customer_is_not_found(shop):
    with pytest.raises(NotFound), shop.writing() as session:
        add_reservation(session, NewReservation(customer_id=999, item="Bolo", expected_on=TODAY), today=TODAY)
    assert count(shop, "reservations") == 0


def test_status_moves_forward_with_time_stamped_events(shop, ana):
    reference = reserve(shop, ana)
    with shop.writing() as session:
        change_status(session, reference, "ready", staff="Rui")
    with shop.writing() as session:
        change_status(session, reference, "collected", staff="Rita")
    with shop.reading() as session:
        history = status_history(session, reference)
        assert [(status, who) for status, _, who in history] == [("open", "Rita"), ("ready", "Rui"), ("collected", "Rita")]
        times = [when for _, when, _ in history]
        assert times == sorted(times)
        assert get_reservation(session, reference).status_changed_at == times[-1]


@pytest.mark.parametrize(
    ("path", "refused"),
    [([], "collected"), (["ready", "collected"], "cancelled"), (["cancelled"], "ready"), ([], "open"), ([], "lost")],
)
def test_moves_that_skip_or_reverse_are_refused(shop, ana, path, refused):
    reference = reserve(shop, ana)
    for status in path:
        with shop.writing() as session:
            change_status(session, reference, status)
    events = count(shop, "reservation_events")
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        change_status(session, reference, refused)
    assert caught.value.field == "status"
    assert count(shop, "reservation_events") == events


def test_cancel_from_open_or_ready(shop, ana):
    for path in ([], ["ready"]):
        reference = reserve(shop, ana)
        for status in path + ["cancelled"]:
            with shop.writing() as session:
                change_status(session, reference, status)
        with shop.reading() as session:
            assert get_reservation(session, reference).status == "cancelled"


def test_lists_due_this_week_ready_and_overdue(shop, ana):
    with shop.writing() as session:  # one overdue: made earlier, its date has now passed
        add_reservation(session, NewReservation(ana, "Velho", expected_on=TODAY - timedelta(days=3)),
                        today=TODAY - timedelta(days=5))
    due_today = reserve(shop, ana, item="Hoje")
    due_sunday = reserve(shop, ana, item="Em sete dias", expected_on=TODAY + timedelta(days=7))
    reserve(shop, ana, item="Daqui a oito dias", expected_on=TODAY + timedelta(days=8))
    ready = reserve(shop, ana, item="Pronto")
    with shop.writing() as session:
        change_status(session, ready, "ready")
    with shop.reading() as session:
        def items(which):
            return [r.item for r in reservation_list(session, which, today=TODAY)]

        assert items("due_this_week") == ["Hoje", "Em sete dias"]
        assert items("ready") == ["Pronto"]
        assert items("overdue") == ["Velho"]
        assert items("open")[0] == "Velho" and len(items("open")) == 4
        overdue = reservation_list(session, "overdue", today=TODAY)[0]
        assert overdue.is_overdue(TODAY)
        assert {due_today, due_sunday} <= {r.reference for r in customer_reservations(session, ana)}
        with pytest.raises(InvalidInput):
            reservation_list(session, "someday")


def test_the_slip_code_finds_the_customer_in_the_lookup_box(shop, ana):
    reference = reserve(shop, ana)
    with shop.reading() as session:
        for typed in (reference, card_codes.display(reference), card_codes.display(reference).lower()):
            matches = find_customers(session, typed, REGION)
            assert [(m.id, m.matched_by) for m in matches] == [(ana, "reservation")]
        wrong = reference[:-1] + ("0" if reference[-1] != "0" else "1")
        assert find_customers(session, wrong, REGION) == []
        assert query_problem(wrong) is not None
