"""`regulars staff ...` and `regulars audit ...`, run in-process through main() against a real shop file.

Until the first account exists the command line acts as the passphrase holder (the owner);
after, as the staff member named by --as, whose PIN comes from REGULARS_PIN. New PINs come
from REGULARS_NEW_PIN (or REGULARS_PIN without --as), never from an option, and never show
in any output.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

import desktop.cli.staff as staff_cli
from desktop.db.engine import open_shop_file
from desktop.errors import PinRefused, RegularsError
from desktop.services.staff import WRONG_PINS_BEFORE_LOCK, sign_in
from tests.cli.helpers import count_rows, ok, ok_json, refused
from tests.conftest import PASSPHRASE

OLGA_PIN = "73915864"
CAIO_PIN = "58203917"
NEW_PIN = "30571946"
MEMBER_KEYS = {"id", "uuid", "name", "role", "active", "locked_until"}
ENTRY_KEYS = {"entry", "at", "staff", "role", "action", "subject_kind", "subject_uuid", "details"}


@pytest.fixture(autouse=True)
def no_pin_from_the_shell(monkeypatch):
    monkeypatch.delenv(staff_cli.PIN_ENV, raising=False)
    monkeypatch.delenv(staff_cli.NEW_PIN_ENV, raising=False)


def with_pin(monkeypatch, pin: str | None) -> None:
    """The new PIN a command sets."""
    if pin is None:
        monkeypatch.delenv(staff_cli.NEW_PIN_ENV, raising=False)
    else:
        monkeypatch.setenv(staff_cli.NEW_PIN_ENV, pin)


def add(cli, monkeypatch, db: Path, name: str, role: str, pin: str) -> dict:
    with_pin(monkeypatch, pin)
    member = ok_json(cli, db, "staff", "add", name, "--role", role, "--json")
    with_pin(monkeypatch, None)
    return member


def listed(cli, db: Path) -> dict[str, dict]:
    return {member["name"]: member for member in ok_json(cli, db, "staff", "list", "--json")}


def trail(cli, db: Path, *args: str) -> list[dict]:
    return ok_json(cli, db, "audit", "list", "--json", *args)


def run_on_the_file(db: Path, work):
    """Opens the shop file in the test, as the app would beside the command line, and runs ``work(database)``."""
    database = open_shop_file(db, PASSPHRASE)
    try:
        return work(database)
    finally:
        database.close()


@pytest.fixture
def olga(cli, monkeypatch, shop_path) -> dict:
    return add(cli, monkeypatch, shop_path, "Olga", "owner", OLGA_PIN)


@pytest.fixture
def as_olga(cli, monkeypatch, olga):
    """The command line as Olga, the owner: --as Olga, her PIN in REGULARS_PIN."""
    monkeypatch.setenv(staff_cli.PIN_ENV, OLGA_PIN)
    return lambda db, *args: cli(db, "--as", "Olga", *args)


@pytest.fixture
def caio(as_olga, monkeypatch, shop_path) -> dict:
    return add(as_olga, monkeypatch, shop_path, "Caio", "cashier", CAIO_PIN)


# --- staff list and add -------------------------------------------------------------------


def test_no_staff_yet(cli, shop_path):
    assert ok(cli, shop_path, "staff", "list") == (
        "No staff accounts yet: whoever has the passphrase works as the owner.\n"
    )
    assert ok_json(cli, shop_path, "staff", "list", "--json") == []


def test_add_and_list(cli, monkeypatch, shop_path):
    with_pin(monkeypatch, OLGA_PIN)
    assert ok(cli, shop_path, "staff", "add", "Olga", "--role", "owner") == "Added Olga (owner), staff #1.\n"
    with_pin(monkeypatch, CAIO_PIN)
    monkeypatch.setenv(staff_cli.PIN_ENV, OLGA_PIN)
    caio = ok_json(cli, shop_path, "--as", "Olga", "staff", "add", "Caio", "--role", "cashier", "--json")
    assert set(caio) == MEMBER_KEYS
    assert (caio["id"], caio["name"], caio["role"], caio["active"], caio["locked_until"]) == (
        2, "Caio", "cashier", True, None
    )
    lines = ok(cli, shop_path, "--as", "1", "staff", "list").splitlines()
    assert [line.split() for line in lines] == [["2", "Caio", "cashier"], ["1", "Olga", "owner"]]
    assert listed(lambda db, *args: cli(db, "--as", "olga", *args), shop_path)["Caio"] == caio


def test_the_pin_from_the_environment_signs_in(as_olga, monkeypatch, shop_path, caio):
    actor = run_on_the_file(shop_path, lambda database: sign_in(database, "Caio", CAIO_PIN))
    assert (actor.name, actor.role, actor.staff_uuid) == ("Caio", "cashier", caio["uuid"])


def test_the_first_account_must_be_the_owners(cli, monkeypatch, shop_path):
    with_pin(monkeypatch, CAIO_PIN)
    err = refused(cli, shop_path, "staff", "add", "Caio", "--role", "cashier")
    assert err == "regulars: --role: The first account must be the owner's.\n"
    assert count_rows(shop_path, "staff_members") == 0


@pytest.mark.parametrize(
    ("pin", "words"),
    [("1111", "not one digit repeated"), ("123", "4 to 12 digits"), ("١٢٣٤", "4 to 12 digits"), ("", "4 to 12")],
)
def test_a_bad_pin_is_refused_naming_where_it_came_from(cli, monkeypatch, shop_path, pin, words):
    with_pin(monkeypatch, pin)
    err = refused(cli, shop_path, "staff", "add", "Olga", "--role", "owner")
    assert err.startswith("regulars: the new PIN: ")
    assert words in err
    if pin:
        assert pin not in err
    assert count_rows(shop_path, "staff_members") == 0


def test_a_bad_name_is_refused_naming_the_argument(as_olga, monkeypatch, shop_path):
    with_pin(monkeypatch, CAIO_PIN)
    assert refused(as_olga, shop_path, "staff", "add", "olga", "--role", "cashier").startswith(
        "regulars: NAME: Olga already has an account."
    )
    assert refused(as_olga, shop_path, "staff", "add", "  ", "--role", "cashier") == (
        "regulars: NAME: Write the staff member's name.\n"
    )
    assert "NAME: Too long" in refused(as_olga, shop_path, "staff", "add", "x" * 81, "--role", "cashier")
    assert count_rows(shop_path, "staff_members") == 1


def test_no_pin_and_no_terminal_is_a_clear_refusal(as_olga, monkeypatch, shop_path):
    monkeypatch.setattr(staff_cli.sys, "stdin", io.StringIO(f"{CAIO_PIN}\n{CAIO_PIN}\n"))  # piped: never read
    message = f"regulars: No new PIN: set {staff_cli.NEW_PIN_ENV} or run on a terminal.\n"
    assert refused(as_olga, shop_path, "staff", "add", "Caio", "--role", "cashier") == message
    assert refused(as_olga, shop_path, "staff", "set-pin", "Olga") == message
    assert list(listed(as_olga, shop_path)) == ["Olga"]


def test_on_a_terminal_the_pin_is_typed_twice(as_olga, monkeypatch, shop_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    typed: list[str] = []

    def keyboard(*answers: str):
        replies = iter(answers)

        def getpass(prompt: str = "") -> str:
            typed.append(prompt)
            return next(replies)

        monkeypatch.setattr(staff_cli.getpass, "getpass", getpass)

    monkeypatch.setattr(staff_cli.sys, "stdin", Terminal())
    keyboard(CAIO_PIN, NEW_PIN)
    assert refused(as_olga, shop_path, "staff", "add", "Caio", "--role", "cashier") == (
        "regulars: The two PINs differ; nothing was changed.\n"
    )
    assert list(listed(as_olga, shop_path)) == ["Olga"]
    keyboard(CAIO_PIN, CAIO_PIN)
    assert ok(as_olga, shop_path, "staff", "add", "Caio", "--role", "cashier") == "Added Caio (cashier), staff #2.\n"
    assert typed == ["New PIN: ", "Same PIN again: "] * 2
    assert run_on_the_file(shop_path, lambda database: sign_in(database, "caio", CAIO_PIN)).name == "Caio"


# --- changing accounts --------------------------------------------------------------------


def test_set_role_round_trip(as_olga, shop_path, caio):
    assert ok(as_olga, shop_path, "staff", "set-role", "caio", "manager") == "Caio: manager, active.\n"
    changed = ok_json(as_olga, shop_path, "staff", "set-role", str(caio["id"]), "owner", "--json")
    assert (changed["uuid"], changed["role"]) == (caio["uuid"], "owner")
    assert ok_json(as_olga, shop_path, "staff", "set-role", "Olga", "cashier", "--json")["role"] == "cashier"
    assert {name: member["role"] for name, member in listed(as_olga, shop_path).items()} == {
        "Caio": "owner", "Olga": "cashier"
    }


def test_the_last_owner_keeps_the_role_and_the_account(as_olga, shop_path, olga, caio):
    before = len(trail(as_olga, shop_path, "--action", "staff.changed"))
    assert refused(as_olga, shop_path, "staff", "set-role", "Olga", "manager") == (
        "regulars: --role: Olga is the only owner. Make someone else owner first.\n"
    )
    assert refused(as_olga, shop_path, "staff", "turn-off", "Olga") == (
        "regulars: the account: Olga is the only owner. Make someone else owner first.\n"
    )
    assert listed(as_olga, shop_path)["Olga"] == olga
    assert len(trail(as_olga, shop_path, "--action", "staff.changed")) == before


def test_turn_off_and_on_round_trip(as_olga, shop_path, caio):
    assert ok(as_olga, shop_path, "staff", "turn-off", "Caio") == "Caio: cashier, turned off.\n"
    assert listed(as_olga, shop_path)["Caio"]["active"] is False
    assert "turned off" in [line for line in ok(as_olga, shop_path, "staff", "list").splitlines() if "Caio" in line][0]
    assert "turned off" in str(run_on_the_file(shop_path, _sign_in_refusal("Caio", CAIO_PIN)))
    assert ok_json(as_olga, shop_path, "staff", "turn-on", "caio", "--json")["active"] is True
    assert run_on_the_file(shop_path, lambda database: sign_in(database, "Caio", CAIO_PIN)).name == "Caio"


def _sign_in_refusal(name: str, pin: str):
    def attempt(database):
        try:
            sign_in(database, name, pin)
        except RegularsError as exc:
            return exc
        pytest.fail("signed in")

    return attempt


def test_set_pin_replaces_the_pin_and_lifts_a_lock(as_olga, monkeypatch, shop_path, caio):
    def lock_caio(database):
        for _ in range(WRONG_PINS_BEFORE_LOCK):
            with pytest.raises(PinRefused):
                sign_in(database, "Caio", "00000001")

    run_on_the_file(shop_path, lock_caio)
    assert listed(as_olga, shop_path)["Caio"]["locked_until"] is not None
    [caio_line] = [line for line in ok(as_olga, shop_path, "staff", "list").splitlines() if "Caio" in line]
    assert "locked until" in caio_line

    with_pin(monkeypatch, NEW_PIN)
    assert ok(as_olga, shop_path, "staff", "set-pin", "Caio") == "Caio: cashier, active.\n"
    assert listed(as_olga, shop_path)["Caio"]["locked_until"] is None
    old_pin = run_on_the_file(shop_path, _sign_in_refusal("Caio", CAIO_PIN))
    assert isinstance(old_pin, PinRefused) and str(old_pin).endswith(": 4.")
    assert run_on_the_file(shop_path, lambda database: sign_in(database, "Caio", NEW_PIN)).name == "Caio"


def test_a_bad_new_pin_changes_nothing(as_olga, monkeypatch, shop_path):
    with_pin(monkeypatch, "2222")
    err = refused(as_olga, shop_path, "staff", "set-pin", "Olga")
    assert err == "regulars: the new PIN: Choose a PIN that is not one digit repeated.\n"
    assert run_on_the_file(shop_path, lambda database: sign_in(database, "Olga", OLGA_PIN)).name == "Olga"


@pytest.mark.parametrize("command", [("set-role", "Nobody", "manager"), ("turn-off", "Nobody"), ("turn-on", "42")])
def test_an_unknown_staff_member_is_named(as_olga, shop_path, command):
    assert refused(as_olga, shop_path, "staff", *command) == f"regulars: No staff member is called {command[1]}.\n"


def test_a_role_outside_the_three_is_a_usage_error(as_olga, shop_path, capsys):
    with pytest.raises(SystemExit) as usage:
        as_olga(shop_path, "staff", "set-role", "Olga", "boss")
    assert usage.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


# --- no PIN in any output -----------------------------------------------------------------


def test_no_pin_appears_in_any_output(as_olga, monkeypatch, shop_path, caio):
    with_pin(monkeypatch, NEW_PIN)
    outputs = [
        as_olga(shop_path, "staff", "set-pin", "Caio"),
        as_olga(shop_path, "staff", "set-pin", "Caio", "--json"),
        as_olga(shop_path, "staff", "list"),
        as_olga(shop_path, "staff", "list", "--json"),
        as_olga(shop_path, "audit", "list"),
        as_olga(shop_path, "audit", "list", "--json"),
    ]
    with_pin(monkeypatch, "1111")
    outputs.append(as_olga(shop_path, "staff", "set-pin", "Caio"))
    assert [status for status, _, _ in outputs] == [0] * 6 + [1]
    shown = "\n".join(out + err for _, out, err in outputs)
    for pin in (OLGA_PIN, CAIO_PIN, NEW_PIN, "1111"):
        assert pin not in shown
    assert "argon2" not in shown


# --- the audit trail ----------------------------------------------------------------------


def test_audit_list_by_action(as_olga, shop_path, olga, caio):
    ok(as_olga, shop_path, "staff", "set-role", "Caio", "manager")
    changes = trail(as_olga, shop_path, "--action", "staff.changed")
    assert [json.loads(row["details"]) for row in changes] == [
        {"fields": ["role"]}, {"added": True, "role": "cashier"}, {"added": True, "role": "owner"}
    ]  # newest first
    assert all(set(row) == ENTRY_KEYS for row in changes)
    assert [row["subject_uuid"] for row in changes] == [caio["uuid"], caio["uuid"], olga["uuid"]]
    assert [(row["action"], row["subject_kind"], row["staff"], row["role"]) for row in changes] == [
        ("staff.changed", "staff", "Olga", "owner"),  # --as Olga did it
        ("staff.changed", "staff", "Olga", "owner"),
        ("staff.changed", "staff", "", "owner"),  # the passphrase holder, before there were staff accounts
    ]
    assert changes[0]["entry"] > changes[1]["entry"] > changes[2]["entry"]
    assert trail(as_olga, shop_path, "--action", "restored") == []


def test_audit_list_for_people(as_olga, shop_path, olga):
    lines = ok(as_olga, shop_path, "audit", "list", "--action", "staff.changed").splitlines()
    [line] = lines
    assert line.startswith("#2 ")
    assert "passphrase" in line and "staff.changed" in line and f"staff {olga['uuid'][:8]}" in line
    assert '{"added": true, "role": "owner"}' in line


def test_audit_list_by_staff_and_limit(as_olga, shop_path, caio):
    def sign_in_twice(database):
        sign_in(database, "Caio", CAIO_PIN)
        with pytest.raises(PinRefused):
            sign_in(database, "Caio", "00000001")

    run_on_the_file(shop_path, sign_in_twice)
    by_caio = trail(as_olga, shop_path, "--staff", "Caio")
    assert [row["action"] for row in by_caio] == ["staff.sign_in_failed", "staff.signed_in"]
    assert {(row["staff"], row["role"], row["subject_uuid"]) for row in by_caio} == {("Caio", "cashier", caio["uuid"])}
    assert len(trail(as_olga, shop_path, "--limit", "2")) == 2


def test_audit_list_by_day(as_olga, shop_path):
    today = date.today()
    everything = trail(as_olga, shop_path)
    # The template's privacy notice (made earlier in this run), Olga added, and Olga signing in to list them.
    assert [row["action"] for row in everything] == ["staff.signed_in", "staff.changed", "settings.changed"]
    changes = [row for row in everything if row["action"] == "staff.changed"]
    for option in ("--since", "--until"):
        assert trail(as_olga, shop_path, "--action", "staff.changed", option, today.isoformat()) == changes
    assert trail(as_olga, shop_path, "--since", (today + timedelta(days=1)).isoformat()) == []
    # The template shop was made earlier in this run, so nothing is older than yesterday.
    assert trail(as_olga, shop_path, "--until", (today - timedelta(days=2)).isoformat()) == []


@pytest.mark.parametrize(
    ("option", "value"), [("--since", "yesterday"), ("--until", "2026-13-01"), ("--since", "1999-01-01")]
)
def test_audit_list_names_a_bad_date_option(cli, shop_path, option, value):
    err = refused(cli, shop_path, "audit", "list", option, value)
    assert err.startswith(f"regulars: {option}: ")
    assert "date" in err


def test_audit_verify_intact_then_tampered(as_olga, shop_path, caio):
    # Each command signs Olga in first: one entry more, then verify reads the whole chain.
    entries = count_rows(shop_path, "audit_entries") + 1
    assert ok(as_olga, shop_path, "audit", "verify") == (
        f"The audit trail is intact: {entries} entries, each chained to the one before.\n"
    )
    assert ok_json(as_olga, shop_path, "audit", "verify", "--json") == {
        "entries": entries + 1, "intact": True, "broken_at": None, "reason": ""
    }
    [caio_added] = [row["entry"] for row in trail(as_olga, shop_path, "--action", "staff.changed")
                    if row["subject_uuid"] == caio["uuid"]]

    def tamper(database):
        with database.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
            conn.exec_driver_sql("UPDATE audit_entries SET details = '{\"added\": true, \"role\": \"owner\"}' "
                                 f"WHERE id = {caio_added}")  # Caio made owner in the trail only

    run_on_the_file(shop_path, tamper)
    status, out, err = as_olga(shop_path, "audit", "verify")
    assert (status, out, err) == (
        1, f"The audit trail was tampered with: the chain breaks at entry #{caio_added}.\n", ""
    )
    entries_before = count_rows(shop_path, "audit_entries")
    status, out, _ = as_olga(shop_path, "audit", "verify", "--json")
    assert status == 1
    assert json.loads(out) == {"entries": caio_added, "intact": False, "broken_at": caio_added, "reason": "contents"}
    assert count_rows(shop_path, "audit_entries") == entries_before + 1  # verify wrote nothing but the sign-in


def test_audit_verify_after_an_entry_is_deleted(as_olga, shop_path, caio):
    ok(as_olga, shop_path, "staff", "set-role", "Caio", "manager")

    def delete_second(database):
        with database.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
            conn.exec_driver_sql("DELETE FROM audit_entries WHERE id = 2")

    run_on_the_file(shop_path, delete_second)
    status, out, _ = as_olga(shop_path, "audit", "verify", "--json")
    assert status == 1
    assert json.loads(out) == {"entries": 2, "intact": False, "broken_at": 3, "reason": "previous"}
