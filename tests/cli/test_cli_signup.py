"""`regulars signup`, run in-process through main() against a real shop file."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services.consents import consent_history, current_consents
from desktop.services.privacy_notice import publish_notice
from tests.cli.helpers import count_rows, customers, ok, ok_json, refused, shop_session

PHONE = "(11) 98765-4321"
E164 = "+5511987654321"
SIGNUP_KEYS = {
    "id", "uuid", "existing", "first_name", "last_name", "phone", "email", "address_line1", "postal_code", "city",
    "heard_from", "notice_version", "consents",
}


# --- helpers ------------------------------------------------------------------------------


def signup_json(cli, db: Path, *args: str) -> dict:
    record = ok_json(cli, db, "signup", *args, "--json")
    assert set(record) == SIGNUP_KEYS
    return record


@pytest.fixture
def ana(cli, shop_path) -> dict:
    return signup_json(cli, shop_path, "--first-name", "Ana", "--last-name", "Souza", "--phone", PHONE,
                       "--consent", "sms")


# --- new customers ------------------------------------------------------------------------


def test_signup_with_consents(cli, shop_path):
    out = ok(cli, shop_path, "signup", "--first-name", "João", "--last-name", "Conceição", "--phone", PHONE,
             "--email", "joao@example.com.br", "--consent", "sms", "--consent", "email", "--staff", "Rita")
    assert out.splitlines() == [
        "Signed up customer #1: João Conceição",
        "Consent recorded against privacy notice version 1: email, sms.",
    ]
    with shop_session(shop_path) as session:
        consents = current_consents(session, 1)
        assert {c: s.granted for c, s in consents.items()} == {"email": True, "sms": True}
        assert {(s.notice_version, s.source, s.staff) for s in consents.values()} == {(1, "signup", "Rita")}
    assert customers(cli, shop_path)[0]["phone"] == E164


def test_signup_json_without_consent_records_nothing(cli, shop_path):
    record = signup_json(cli, shop_path, "--first-name", "Γιώργος", "--last-name", "Παπαδόπουλος",
                         "--email", "giorgos@example.gr", "--address", "Οδός Ερμού 12", "--postal-code", "105 63",
                         "--city", "Αθήνα", "--heard-from", "Ένας φίλος")
    assert record == {
        "id": 1, "uuid": record["uuid"], "existing": False, "first_name": "Γιώργος", "last_name": "Παπαδόπουλος",
        "phone": None, "email": "giorgos@example.gr", "address_line1": "Οδός Ερμού 12", "postal_code": "105 63",
        "city": "Αθήνα", "heard_from": "Ένας φίλος", "notice_version": 1, "consents": {},
    }
    assert count_rows(shop_path, "consents") == 0  # unticked is no consent, and nothing is stored for it


def test_signup_without_consent_says_so(cli, shop_path):
    out = ok(cli, shop_path, "signup", "--first-name", "Maria", "--email", "maria@example.pt")
    assert out.splitlines() == [
        "Signed up customer #1: Maria",
        "No consent given (privacy notice version 1): nothing recorded for any channel.",
    ]
    assert count_rows(shop_path, "consents") == 0


def test_signup_uses_the_current_privacy_notice(cli, shop_path):
    with shop_session(shop_path, write=True) as session:
        publish_notice(session, "A newer notice.")
    out = ok(cli, shop_path, "signup", "--first-name", "Ana", "--address", "Rua Augusta 10", "--email",
             "ana@example.com", "--consent", "post")
    assert "Consent recorded against privacy notice version 2: post." in out
    with shop_session(shop_path) as session:
        assert [(s.channel, s.notice_version) for s in consent_history(session, 1)] == [("post", 2)]


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--first-name", "Ana"], "--phone: Enter a phone number or an email address."),
        (["--first-name", " ", "--phone", PHONE], "--first-name: "),
        (["--first-name", "Ana", "--phone", "12"], "--phone: "),
        (["--first-name", "Ana", "--email", "not-an-email"], "--email: "),
        (["--first-name", "Ana", "--phone", PHONE, "--consent", "email"],
         "--consent email: Add an email address to send offers by email."),
        (["--first-name", "Ana", "--email", "a@example.com", "--consent", "sms"], "--consent sms: "),
        (["--first-name", "Ana", "--email", "a@example.com", "--consent", "post"], "--consent post: "),
        (["--first-name", "Ana", "--phone", PHONE, "--staff", "x" * 81], "--staff: Too long"),
        (["--first-name", "Ana", "--phone", PHONE, "--city", "Lis\x07boa"], "--city: "),
    ],
)
def test_signup_refuses_bad_input(cli, shop_path, args, says):
    assert says in refused(cli, shop_path, "signup", *args)
    assert customers(cli, shop_path) == []
    assert count_rows(shop_path, "consents") == 0


def test_every_problem_is_named_at_once(cli, shop_path):
    err = refused(cli, shop_path, "signup", "--first-name", "Ana", "--email", "nope", "--consent", "sms")
    assert "--email: " in err and "--consent sms: " in err


def test_an_unknown_channel_is_a_usage_error(cli, shop_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(shop_path), "signup", "--first-name", "Ana", "--phone", PHONE, "--consent", "fax"])
    assert caught.value.code == 2
    assert "--consent" in capsys.readouterr().err
    assert count_rows(shop_path, "customers") == 0


# --- a phone or email the shop knows ------------------------------------------------------


@pytest.mark.parametrize(
    ("contact", "field"), [(["--phone", "11 98765 4321"], "phone"), (["--email", "ANA@example.com"], "email")]
)
def test_a_known_contact_is_refused_without_use_existing(cli, shop_path, contact, field):
    ok(cli, shop_path, "signup", "--first-name", "Ana", "--last-name", "Souza", "--phone", PHONE,
       "--email", "ana@example.com")
    channel = "email" if field == "email" else "sms"
    err = refused(cli, shop_path, "signup", "--first-name", "Ana Maria", *contact, "--consent", channel)
    assert err.strip() == (
        f"regulars: This {field} already belongs to Ana Souza (customer #1). "
        "Run again with --use-existing to update that customer."
    )
    assert [c["first_name"] for c in customers(cli, shop_path)] == ["Ana"]
    assert count_rows(shop_path, "consents") == 0


def test_use_existing_updates_that_customer(cli, shop_path, ana):
    record = signup_json(cli, shop_path, "--first-name", "Ana Maria", "--last-name", "Silva", "--phone",
                         "+55 11 98765-4321", "--email", "ana@example.com", "--city", "São Paulo",
                         "--consent", "email", "--use-existing")
    assert record["id"] == ana["id"] and record["existing"] is True
    # blanks are filled in, nothing is overwritten
    assert (record["first_name"], record["last_name"], record["email"], record["city"]) == (
        "Ana", "Souza", "ana@example.com", "São Paulo")
    assert record["consents"] == {"email": True, "sms": True}
    assert len(customers(cli, shop_path)) == 1

    out = ok(cli, shop_path, "signup", "--first-name", "Ana", "--email", "ana@example.com", "--use-existing")
    assert out.splitlines()[0] == "Updated customer #1: Ana Souza"
    assert len(customers(cli, shop_path)) == 1  # running it again adds nobody


def test_use_existing_with_a_new_contact_signs_up_a_new_customer(cli, shop_path, ana):
    record = signup_json(cli, shop_path, "--first-name", "Bruno", "--email", "bruno@example.com", "--use-existing")
    assert (record["id"], record["existing"]) == (2, False)


def test_use_existing_refuses_when_several_customers_share_the_number(cli, shop_path, ana):
    ok(cli, shop_path, "customers", "add", "--first-name", "Carla", "--phone", PHONE, "--allow-duplicate")
    err = refused(cli, shop_path, "signup", "--first-name", "Ana", "--phone", PHONE, "--consent", "sms",
                  "--use-existing")
    assert "several customers" in err and "Ana Souza (customer #1)" in err and "Carla (customer #2)" in err
    assert count_rows(shop_path, "consents") == 1  # Ana's first sign-up only
