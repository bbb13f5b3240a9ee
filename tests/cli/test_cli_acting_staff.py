"""Who acts on the command line of a shop with staff accounts: --as NAME and that person's PIN.

The PIN is checked by the lock screen's own sign-in (wrong ones count toward the account's
lock), the role by the services, and the audit trail names the person. Without --as such a
shop refuses, except to the recovery key's holder (the owner). --staff on the forms names a
real, active staff member.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from desktop.cli import PIN_ENV, RECOVERY_KEY_ENV
from desktop.cli import common as cli_common
from desktop.db.engine import open_shop_file
from desktop.db.key_changes import new_recovery_key
from desktop.models import AuditEntry, StaffMember
from desktop.services.staff import WRONG_PINS_BEFORE_LOCK, add_staff, change_staff
from tests.cli.helpers import count_rows, made_recovery_key, ok, ok_json, refused, shop_session
from tests.conftest import PASSPHRASE

OLGA_PIN, CAIO_PIN, MIA_PIN = "73915864", "58203917", "40617293"
ANA = ("customers", "add", "--first-name", "Ana", "--phone", "(11) 98765-4321", "--json")
NEEDS_AS = (
    "regulars: This shop has staff accounts: say who is acting with --as NAME (your staff number or name), "
    f"before the command; your PIN comes from {PIN_ENV} or is asked on a terminal.\n"
)


@pytest.fixture
def staffed(shop_path, monkeypatch):
    """Olga (owner, #1), Caio (cashier, #2) and Mia (manager, #3, turned off), added by the passphrase holder."""
    monkeypatch.delenv(PIN_ENV, raising=False)
    with shop_session(shop_path, write=True) as session:
        add_staff(session, "Olga", "owner", OLGA_PIN)
        add_staff(session, "Caio", "cashier", CAIO_PIN)
        add_staff(session, "Mia", "manager", MIA_PIN)
        change_staff(session, "Mia", active=False)
    return shop_path


def acting_as(cli, monkeypatch, name: str, pin: str | None):
    if pin is None:
        monkeypatch.delenv(PIN_ENV, raising=False)
    else:
        monkeypatch.setenv(PIN_ENV, pin)
    return lambda db, *args: cli(db, "--as", name, *args)


def trail(db, action: str) -> list[tuple[str, str]]:
    """(staff name, role) of each entry with that action, oldest first."""
    with shop_session(db) as session:
        rows = session.execute(select(AuditEntry.staff_name, AuditEntry.role).where(AuditEntry.action == action)
                               .order_by(AuditEntry.id))  # fmt: skip
        return [tuple(row) for row in rows]


def failed_pins(db, name: str) -> int:
    with shop_session(db) as session:
        return session.scalar(select(StaffMember.failed_pins).where(StaffMember.name == name))


# --- who acts -----------------------------------------------------------------------------


def test_the_passphrase_alone_no_longer_acts_on_a_shop_with_staff(cli, staffed):
    for command in (ANA, ("staff", "set-role", "Caio", "owner"), ("customers", "find", "--json"),
                    ("export-marketing", "--channel", "email", "--out", str(staffed.parent / "list.csv"))):
        assert refused(cli, staffed, *command) == NEEDS_AS
    assert count_rows(staffed, "customers") == 0
    assert not (staffed.parent / "list.csv").exists()


def test_as_a_cashier_with_the_right_pin_records_that_cashier(cli, monkeypatch, staffed):
    as_caio = acting_as(cli, monkeypatch, "caio", CAIO_PIN)
    ana = ok_json(as_caio, staffed, *ANA)
    assert ana["first_name"] == "Ana"
    assert trail(staffed, "customer.created") == [("Caio", "cashier")]
    assert trail(staffed, "staff.signed_in") == [("Caio", "cashier")]
    as_number = acting_as(cli, monkeypatch, "2", CAIO_PIN)  # the staff number works as well as the name
    assert ok_json(as_number, staffed, "customers", "show", str(ana["id"]), "--json")["id"] == ana["id"]


def test_the_role_is_checked_by_the_services(cli, monkeypatch, staffed):
    as_caio = acting_as(cli, monkeypatch, "Caio", CAIO_PIN)
    assert refused(as_caio, staffed, "staff", "set-role", "Caio", "owner") == (
        "regulars: Only the owner may manage staff.\n"
    )
    out = staffed.parent / "list.csv"
    assert refused(as_caio, staffed, "export-marketing", "--channel", "email", "--out", str(out)) == (
        "regulars: Only the owner may export customer data.\n"
    )
    assert not out.exists()
    with shop_session(staffed) as session:
        assert session.scalar(select(StaffMember.role).where(StaffMember.name == "Caio")) == "cashier"
    as_olga = acting_as(cli, monkeypatch, "Olga", OLGA_PIN)
    assert ok(as_olga, staffed, "staff", "set-role", "Caio", "manager") == "Caio: manager, active.\n"
    assert trail(staffed, "staff.changed")[-1] == ("Olga", "owner")


def test_a_wrong_pin_is_refused_and_counts_toward_the_lock(cli, monkeypatch, staffed):
    as_caio = acting_as(cli, monkeypatch, "Caio", "11112222")
    err = refused(as_caio, staffed, *ANA)
    assert err.startswith("regulars: Wrong PIN. Wrong PINs left before the account locks")
    assert "11112222" not in err
    assert failed_pins(staffed, "Caio") == 1
    for _ in range(WRONG_PINS_BEFORE_LOCK - 1):
        err = refused(as_caio, staffed, *ANA)
    assert "Caio's account is locked" in err
    as_caio = acting_as(cli, monkeypatch, "Caio", CAIO_PIN)  # the right PIN, too late: locked
    assert "Caio's account is locked" in refused(as_caio, staffed, *ANA)
    assert count_rows(staffed, "customers") == 0
    assert len(trail(staffed, "staff.sign_in_failed")) == WRONG_PINS_BEFORE_LOCK + 1


def test_an_unknown_or_turned_off_person_is_refused(cli, monkeypatch, staffed):
    assert refused(acting_as(cli, monkeypatch, "Nobody At All", "12345678"), staffed, *ANA) == (
        "regulars: --as: No staff member is called Nobody At All.\n"
    )
    assert refused(acting_as(cli, monkeypatch, "99999999999999999999", "12345678"), staffed, *ANA) == (
        "regulars: --as: No staff member is called 99999999999999999999.\n"
    )
    assert refused(acting_as(cli, monkeypatch, "Mia", MIA_PIN), staffed, *ANA) == (
        "regulars: Mia's account is turned off.\n"
    )
    assert count_rows(staffed, "customers") == 0


def test_no_pin_and_no_terminal_is_a_clear_refusal(cli, monkeypatch, staffed):
    as_caio = acting_as(cli, monkeypatch, "Caio", None)
    assert refused(as_caio, staffed, *ANA) == (
        f"regulars: No PIN for --as Caio: set {PIN_ENV} or run on a terminal.\n"
    )
    assert failed_pins(staffed, "Caio") == 0


def test_on_a_terminal_the_pin_is_asked(cli, monkeypatch, staffed):
    class Terminal:
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return CAIO_PIN

    monkeypatch.setattr(cli_common.sys, "stdin", Terminal())
    monkeypatch.setattr(cli_common.getpass, "getpass", getpass)
    as_caio = acting_as(cli, monkeypatch, "Caio", None)
    ok_json(as_caio, staffed, *ANA)
    assert prompts == ["PIN for Caio: "]
    assert trail(staffed, "customer.created") == [("Caio", "cashier")]


def test_as_on_a_shop_without_staff_is_refused(cli, monkeypatch, shop_path):
    err = refused(acting_as(cli, monkeypatch, "Olga", OLGA_PIN), shop_path, *ANA)
    assert err.startswith("regulars: --as: this shop has no staff accounts")
    assert count_rows(shop_path, "customers") == 0
    ok_json(cli, shop_path, *ANA)  # and without it the passphrase holder acts, as before
    assert trail(shop_path, "customer.created") == [("", "owner")]


def test_the_recovery_key_acts_as_the_owner_without_as(cli, monkeypatch, staffed):
    """An owner who forgot her PIN gets back in with the recovery key from the safe."""
    recovery_key = new_recovery_key(staffed, PASSPHRASE)
    monkeypatch.setenv(RECOVERY_KEY_ENV, recovery_key)
    monkeypatch.setenv("REGULARS_NEW_PIN", "60718293")
    assert ok(cli, staffed, "staff", "set-pin", "Olga") == "Olga: owner, active.\n"
    assert trail(staffed, "staff.changed")[-1] == ("", "owner")


# --- key changes: only an owner ------------------------------------------------------------


def test_key_changes_need_an_owner_on_a_shop_with_staff(cli, monkeypatch, staffed):
    monkeypatch.setenv("REGULARS_NEW_PASSPHRASE", "pão de queijo quente")
    key_file = staffed.parent / (staffed.name + ".key")
    before = key_file.read_bytes()
    assert refused(cli, staffed, "passphrase", "change") == NEEDS_AS
    saved = staffed.parent.parent / "recovery-key.txt"
    for command in (("passphrase", "change"), ("recovery-key", "new", "--recovery-key-out", str(saved)),
                    ("key", "rotate", "--recovery-key-out", str(saved))):
        assert refused(acting_as(cli, monkeypatch, "Caio", CAIO_PIN), staffed, *command) == (
            "regulars: Only the owner may change the shop's settings.\n"
        )
    assert key_file.read_bytes() == before
    assert not saved.exists()
    recovery_key = made_recovery_key(acting_as(cli, monkeypatch, "Olga", OLGA_PIN), staffed)
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){7}", recovery_key)


def test_the_recovery_key_still_sets_a_forgotten_passphrase(cli, monkeypatch, staffed):
    recovery_key = new_recovery_key(staffed, PASSPHRASE)
    monkeypatch.setenv(RECOVERY_KEY_ENV, recovery_key)
    monkeypatch.setenv("REGULARS_NEW_PASSPHRASE", "pão de queijo quente")
    assert ok(cli, staffed, "--recovery-key", "passphrase", "change").startswith("Changed the passphrase")
    open_shop_file(staffed, "pão de queijo quente").close()


# --- --staff on the forms -----------------------------------------------------------------


FORMS = {
    "signup": ("signup", "--first-name", "Bia", "--phone", "(11) 91234-5678"),
    "calls log": ("calls", "log", "--reason", "Question", "--phone", "(11) 91234-5678"),
}


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("name", ["Nobody At All", "Mia", "42"])
def test_staff_on_a_form_must_be_an_active_staff_member(cli, monkeypatch, staffed, form, name):
    as_caio = acting_as(cli, monkeypatch, "Caio", CAIO_PIN)
    err = refused(as_caio, staffed, *FORMS[form], "--staff", name)
    assert err == (
        f"regulars: --staff: No active staff member is called {name}. Give a staff member's number or name.\n"
    )
    assert count_rows(staffed, "customers") == 0
    assert count_rows(staffed, "phone_calls") == 0


def test_staff_on_a_form_defaults_to_the_person_acting_and_is_kept_as_spelt(cli, monkeypatch, staffed):
    as_caio = acting_as(cli, monkeypatch, "Caio", CAIO_PIN)
    ok_json(as_caio, staffed, *FORMS["calls log"], "--json")
    ok_json(as_caio, staffed, *FORMS["calls log"], "--staff", "olga", "--json")
    ok_json(as_caio, staffed, *FORMS["calls log"], "--staff", "1", "--json")
    calls = ok_json(as_caio, staffed, "calls", "list", "--json")
    assert sorted(call["staff"] for call in calls) == ["Caio", "Olga", "Olga"]


def test_reservation_status_staff_must_be_real(cli, monkeypatch, staffed):
    as_caio = acting_as(cli, monkeypatch, "Caio", CAIO_PIN)
    ana = ok_json(as_caio, staffed, *ANA)
    reservation = ok_json(as_caio, staffed, "reservations", "add", "--customer", str(ana["id"]), "--item", "Bolo",
                          "--expected", "2099-12-24", "--json")  # fmt: skip
    err = refused(as_caio, staffed, "reservations", "status", reservation["reference"], "ready", "--staff", "Nobody At All")
    assert err.startswith("regulars: --staff: No active staff member is called Nobody At All.")
    assert ok_json(as_caio, staffed, "reservations", "show", reservation["reference"], "--json")["status"] == "open"


# --- restore --replace: only the owner of the shop being replaced ------------------------------


@pytest.fixture
def staffed_backup(cli, monkeypatch, staffed, tmp_path):
    """A backup of the staffed shop taken by Olga, then Zélia added to the live shop after it."""
    backup = tmp_path / "backups" / "b.regulars"
    backup.parent.mkdir()
    olga = acting_as(cli, monkeypatch, "Olga", OLGA_PIN)
    ok(olga, staffed, "backup", "--out", str(backup))
    ok(olga, staffed, "customers", "add", "--first-name", "Zélia", "--phone", "(31) 98888-7777")
    monkeypatch.delenv(PIN_ENV)
    return backup


@pytest.mark.parametrize("who", [None, ("Caio", CAIO_PIN), ("Olga", "00000000")])
def test_restore_replace_over_a_shop_with_staff_needs_its_owner(cli, monkeypatch, staffed, staffed_backup, who):
    run = cli if who is None else acting_as(cli, monkeypatch, *who)
    status, out, err = run(staffed, "restore", str(staffed_backup), "--replace", "--yes")
    assert (status, out) == (1, "")
    assert {None: NEEDS_AS, "Caio": "regulars: Only the owner may back up or restore the shop file.\n"}.get(
        who and who[0], err) == err
    if who and who[0] == "Olga":
        assert "PIN" in err
    assert not [path for path in staffed.parent.iterdir() if ".before-restore-" in path.name]
    assert count_rows(staffed, "customers") == 1  # Zélia, added after the backup, is still there


def test_restore_replace_over_a_shop_with_staff_by_its_owner(cli, monkeypatch, staffed, staffed_backup):
    olga = acting_as(cli, monkeypatch, "Olga", OLGA_PIN)
    out = ok(olga, staffed, "restore", str(staffed_backup), "--replace", "--yes")
    assert "Restored 0 customers" in out
    assert [path for path in staffed.parent.iterdir() if ".before-restore-" in path.name]
    assert count_rows(staffed, "customers") == 0
