"""Mailing-list sign-up, consent records and the privacy notice, against a real encrypted shop file."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from desktop.errors import DuplicateCustomer, InvalidInput
from desktop.models import Consent
from desktop.services.consents import consent_history, current_consents, record_consents
from desktop.services.customers import get_customer
from desktop.services.privacy_notice import current_notice, publish_notice
from desktop.services.signup import SignUp, sign_up, sign_up_existing

REGION = "BR"
TABLES = ("customers", "customer_phones", "consents")


def counts(shop) -> dict[str, int]:
    with shop.reading() as session:
        return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def notice_version(shop) -> int:
    with shop.reading() as session:
        return current_notice(session).version


def test_a_new_shop_has_notice_version_one_naming_the_shop(shop):
    with shop.reading() as session:
        notice = current_notice(session)
        assert notice.version == 1
        assert "Padaria Teste" in notice.text
        assert "{shop_name}" not in notice.text


def test_publishing_adds_a_version_and_keeps_the_old_one(shop):
    with shop.writing() as session:
        assert publish_notice(session, "  New text.\r\nSecond line. ").version == 2
    with shop.reading() as session:
        assert current_notice(session).text == "New text.\nSecond line."
        assert session.execute(text("SELECT count(*) FROM privacy_notices")).scalar_one() == 2
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        publish_notice(session, "   ")
    assert caught.value.field == "notice"


def test_minimal_sign_up_records_nothing_but_the_answers_given(shop):
    with shop.writing() as session:
        customer = sign_up(
            session, SignUp(first_name="Ana", phone="11 98765-4321"), REGION, notice_version=1, staff="Rita"
        )
        customer_id = customer.id
    with shop.reading() as session:
        assert current_consents(session, customer_id) == {}  # no tick: nothing recorded, which means no
        assert get_customer(session, customer_id).phones[0].e164 == "+5511987654321"


def test_ticked_channels_are_recorded_with_version_source_staff_and_time(shop):
    with shop.writing() as session:
        customer_id = sign_up(
            session,
            SignUp(first_name="Inês", email="ines@example.pt", phone="21 99876-5432",
                   consents={"email": True, "sms": False}),
            REGION,
            notice_version=1,
            staff="Rita",
        ).id
    with shop.reading() as session:
        now = current_consents(session, customer_id)
    assert set(now) == {"email", "sms"}
    assert now["email"].granted and not now["sms"].granted
    assert (now["email"].notice_version, now["email"].source, now["email"].staff) == (1, "signup", "Rita")
    assert now["email"].recorded_at is not None


def test_a_tick_without_the_contact_it_needs_names_that_consent_and_writes_nothing(shop):
    before = counts(shop)
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        sign_up(session, SignUp(first_name="Ana", phone="11987654321", consents={"email": True, "post": True}),
                REGION, notice_version=1)
    assert set(caught.value.problems) == {"consent_email", "consent_post"}
    assert counts(shop) == before


def test_every_problem_is_reported_at_once(shop):
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        sign_up(session, SignUp(first_name="", phone="12", email="not-an-email"), REGION, notice_version=7)
    assert {"first_name", "phone", "email", "notice_version"} <= set(caught.value.problems)


def test_a_known_phone_offers_the_existing_customer_and_writes_nothing(shop):
    with shop.writing() as session:
        first = sign_up(session, SignUp(first_name="Ana", phone="11987654321"), REGION, notice_version=1).id
    before = counts(shop)
    with pytest.raises(DuplicateCustomer) as caught, shop.writing() as session:
        sign_up(session, SignUp(first_name="Ana Maria", phone="+55 (11) 98765-4321", consents={"sms": True}),
                REGION, notice_version=1)
    assert caught.value.existing[0].id == first
    assert caught.value.field == "phone"
    assert counts(shop) == before


def test_signing_up_an_existing_customer_fills_blanks_and_keeps_what_is_there(shop):
    with shop.writing() as session:
        customer_id = sign_up(session, SignUp(first_name="Ana", last_name="Souza", phone="11987654321"),
                              REGION, notice_version=1).id
    with shop.writing() as session:
        sign_up_existing(
            session, customer_id,
            SignUp(first_name="Anita", last_name="Other", phone="11987654321", email="ana@example.com",
                   consents={"email": True, "sms": True}),
            REGION, notice_version=1, staff="Rui",
        )
    with shop.reading() as session:
        customer = get_customer(session, customer_id)
        assert (customer.first_name, customer.last_name, customer.email) == ("Ana", "Souza", "ana@example.com")
        assert [p.e164 for p in customer.phones] == ["+5511987654321"]
        assert {c: s.granted for c, s in current_consents(session, customer_id).items()} == {"email": True, "sms": True}


def test_withdrawal_is_a_new_row_and_history_is_kept(shop):
    with shop.writing() as session:
        customer_id = sign_up(session, SignUp(first_name="Ana", email="ana@example.com", consents={"email": True}),
                              REGION, notice_version=1).id
    with shop.writing() as session:
        rows = record_consents(session, customer_id, {"email": False, "sms": False}, notice_version=1,
                               source="counter", only_changes=True)
        assert [(r.channel, r.granted) for r in rows] == [("email", False), ("sms", False)]
        assert record_consents(session, customer_id, {"email": False}, notice_version=1, source="counter",
                               only_changes=True) == []
    with shop.reading() as session:
        history = consent_history(session, customer_id)
        assert [(h.channel, h.granted) for h in history] == [("email", True), ("email", False), ("sms", False)]
        assert current_consents(session, customer_id)["email"].granted is False


def test_consent_rows_cannot_be_edited_even_with_sql(shop):
    with shop.writing() as session:
        customer_id = sign_up(session, SignUp(first_name="Ana", email="ana@example.com", consents={"email": True}),
                              REGION, notice_version=1).id
    with pytest.raises((DatabaseError, IntegrityError)), shop.writing() as session:
        session.execute(text("UPDATE consents SET granted = 0"))
    with shop.reading() as session:
        assert session.get(Consent, 1).granted is True
        assert current_consents(session, customer_id)["email"].granted is True


@pytest.mark.parametrize(
    ("choices", "source", "version", "field"),
    [({"fax": True}, "signup", 1, "consent"), ({"email": False}, "web", 1, "source"),
     ({"email": False}, "signup", 0, "notice_version"), ({"email": False}, "signup", 9, "notice_version")],
)
def test_bad_consent_input_names_the_field(shop, choices, source, version, field):
    with shop.writing() as session:
        customer_id = sign_up(session, SignUp(first_name="Ana", email="ana@example.com"), REGION,
                              notice_version=1).id
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        record_consents(session, customer_id, choices, notice_version=version, source=source)
    assert field in caught.value.problems
    assert counts(shop)["consents"] == 0
