"""The phone-call log and its follow-ups, and the shop's editable lists, on a real encrypted shop file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.errors import InvalidInput
from desktop.services.choices import (
    CALL_REASON,
    HEARD_FROM,
    add_choice,
    choice_labels,
    retire_choice,
)
from desktop.services.customers import get_customer
from desktop.services.phone_calls import (
    CallLog,
    complete_follow_up,
    customer_calls,
    log_call,
    open_follow_ups,
    recent_calls,
)
from tests.conftest import REGION
from tests.unit.services.helpers import count, new_customer

TODAY = date(2026, 11, 25)


def log(shop, **values) -> int:
    with shop.writing() as session:
        return log_call(session, CallLog(**({"reason": "Question"} | values)), REGION, staff="Rita", today=TODAY).id


def test_a_new_shop_has_the_default_lists(shop):
    with shop.reading() as session:
        assert choice_labels(session, CALL_REASON) == ["Question", "Complaint", "Order", "Other"]
        assert "Social media" in choice_labels(session, HEARD_FROM)


def test_the_lists_can_be_edited(shop):
    with shop.writing() as session:
        add_choice(session, CALL_REASON, "Orçamento")
        retire_choice(session, CALL_REASON, "other")
    with shop.reading() as session:
        assert choice_labels(session, CALL_REASON) == ["Question", "Complaint", "Order", "Orçamento"]
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        add_choice(session, CALL_REASON, "orcamento")
    assert caught.value.field == "label"
    with shop.writing() as session:  # a retired label comes back at the end
        add_choice(session, CALL_REASON, "Other")
    with shop.reading() as session:
        assert choice_labels(session, CALL_REASON)[-1] == "Other"


def test_a_known_callers_number_in_any_format_finds_them(shop):
    ana = new_customer(shop, "Ana")
    call_id = log(shop, phone="+55 (11) 98765-4321", reason="complaint", notes="Pão veio frio")
    with shop.reading() as session:
        (call,) = customer_calls(session, ana)
    assert (call.id, call.customer_name, call.reason, call.notes) == (call_id, "Ana", "Complaint", "Pão veio frio")
    assert count(shop, "customers") == 1


def test_a_new_caller_with_a_name_becomes_a_minimal_customer(shop):
    log(shop, phone="21 99876-5432", caller_name="Γιώργος Παπαδόπουλος", heard_from="social MEDIA")
    log(shop, phone="21 99876-5433", caller_name="Inês", heard_from="A vizinha falou")
    with shop.reading() as session:
        calls = recent_calls(session)
        george = get_customer(session, calls[1].customer_id)
        ines = get_customer(session, calls[0].customer_id)
    assert (george.first_name, george.last_name, george.heard_from) == ("Γιώργος", "Παπαδόπουλος", "Social media")
    assert george.phones[0].e164 == "+5521998765432"
    assert ines.heard_from == "A vizinha falou"  # free text kept as said


def test_a_caller_who_gives_no_name_is_logged_by_number_alone(shop):
    log(shop, phone="21 99876-5432", notes="Perguntou o horário")
    log(shop)  # a withheld number
    with shop.reading() as session:
        calls = recent_calls(session)
    assert [(c.customer_id, c.phone) for c in calls] == [(None, ""), (None, "+5521998765432")]
    assert count(shop, "customers") == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "Gossip"}, "reason"),
        ({"phone": "12"}, "phone"),
        ({"follow_up_on": TODAY - timedelta(days=1)}, "follow_up_on"),
        ({"follow_up_on": "amanhã"}, "follow_up_on"),
        ({"caller_name": "Ana"}, "phone"),
        ({"notes": "cartão 4111-1111-1111-1111"}, "notes"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(shop, values, field):
    with pytest.raises(InvalidInput) as caught:
        log(shop, **values)
    assert field in caught.value.problems
    assert count(shop, "phone_calls") == 0 and count(shop, "customers") == 0


def test_follow_ups_stay_open_until_done(shop):
    later = log(shop, phone="21 99876-5432", follow_up_on=TODAY + timedelta(days=2))
    sooner = log(shop, phone="21 99876-5433", follow_up_on=TODAY)
    log(shop, phone="21 99876-5434")
    with shop.reading() as session:
        assert [c.id for c in open_follow_ups(session)] == [sooner, later]
    with shop.writing() as session:
        complete_follow_up(session, sooner, staff="Rui")
    with shop.reading() as session:
        assert [c.id for c in open_follow_ups(session)] == [later]
        done = [c for c in recent_calls(session) if c.id == sooner][0]
        assert done.follow_up_done_at is not None
