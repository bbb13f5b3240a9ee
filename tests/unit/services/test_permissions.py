"""Each role's limits hold in the services themselves: a refused action says why and changes nothing.

The CLI and the GUI call these same functions, so neither can get round a refusal.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop.db.engine import ShopDatabase
from desktop.errors import NotAllowed
from desktop.models import PASSPHRASE_HOLDER, Actor
from desktop.services import audit, backups, choices, exports, loyalty, privacy_notice, reservations, staff
from desktop.services.customers import CustomerDetails, add_customer, update_customer
from desktop.services.lookup import find_customers
from desktop.services.permissions import ROLE_PERMISSIONS, Permission, may
from desktop.services.phone_calls import CallLog, log_call
from desktop.services.reservations import NewReservation, add_reservation
from desktop.services.shop import PrintedDetails, update_printed_details
from desktop.sync.conflicts import list_conflicts
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.backup_helpers import table_rows
from tests.conftest import REGION
from tests.sync_helpers import SYNC_PASSPHRASE
from tests.unit.services.helpers import new_customer

CASHIER = Actor(role="cashier", name="Rita", staff_uuid="00000000-0000-4000-8000-000000000001")
MANAGER = Actor(role="manager", name="Marco", staff_uuid="00000000-0000-4000-8000-000000000002")


@pytest.fixture
def book(shop: ShopDatabase, tmp_path: Path) -> dict:
    """Two customers, a stamp programme and a sync bundle to import, made by the owner."""
    ana = new_customer(shop, "Ana", "Souza", "11987654321")
    bruno = new_customer(shop, "Bruno", "Lima", "11912345678")
    with shop.writing() as session:
        loyalty.add_program(session, loyalty.ProgramSettings(name="Café", kind="stamps", reward_at=5,
                                                             reward_description="Um café"))  # fmt: skip
    bundle = export_bundle(shop, tmp_path / "in.zip", passphrase=SYNC_PASSPHRASE, full=True).path
    return {"ana": ana, "bruno": bruno, "bundle": bundle, "out": tmp_path / "out"}


def in_session(action):
    def run(shop: ShopDatabase, book: dict):
        with shop.writing() as session:
            return action(session, book)

    return run


# (what it is, the permission it needs, how to do it)
ACTIONS = [
    ("find customers", Permission.LOOK_UP, in_session(lambda s, b: find_customers(s, "Ana", REGION))),
    ("add a customer", Permission.EDIT_CUSTOMERS,
     in_session(lambda s, b: add_customer(s, CustomerDetails(first_name="Clara", phones=["11955554444"]), REGION))),
    ("change a customer", Permission.EDIT_CUSTOMERS,
     in_session(lambda s, b: update_customer(s, b["ana"], CustomerDetails(first_name="Anna", phones=["11987654321"]),
                                             REGION))),
    ("stamp", Permission.LOYALTY, in_session(lambda s, b: loyalty.earn(s, b["ana"], "Café"))),
    ("reserve", Permission.RECORDS,
     in_session(lambda s, b: add_reservation(s, NewReservation(customer_id=b["ana"], item="Bolo",
                                                               expected_on=date(2030, 1, 2))))),
    ("log a call", Permission.RECORDS,
     in_session(lambda s, b: log_call(s, CallLog(customer_id=b["ana"], reason="Other", notes="Ligou"), REGION))),
    ("list reservations", Permission.RECORDS, in_session(lambda s, b: reservations.reservation_list(s, "open"))),
    ("print cards for several", Permission.BULK_PRINT,
     in_session(lambda s, b: loyalty.card_faces(s, [b["ana"], b["bruno"]], "Padaria"))),
    ("import a bundle", Permission.IMPORT,
     lambda shop, b: import_bundle(shop, b["bundle"], passphrase=SYNC_PASSPHRASE)),
    ("export a bundle", Permission.EXPORT,
     lambda shop, b: export_bundle(shop, b["out"] / "bundle.zip", passphrase=SYNC_PASSPHRASE)),
    ("export a mailing list", Permission.EXPORT,
     in_session(lambda s, b: exports.write_marketing_csv(s, "email", b["out"] / "mailing.csv"))),
    ("export contacts", Permission.EXPORT,
     in_session(lambda s, b: exports.write_vcards(s, [b["ana"]], b["out"] / "contacts.vcf"))),
    ("back up", Permission.BACKUP, lambda shop, b: backups.back_up(shop, b["out"] / "backup.regulars")),
    ("change backup settings", Permission.BACKUP,
     in_session(lambda s, b: backups.update_backup_settings(s, backups.BackupSettings(folder="", keep=3,
                                                                                      warn_days=1)))),
    ("add staff", Permission.STAFF, in_session(lambda s, b: staff.add_staff(s, "Zé", "owner", "2468"))),
    ("change printed details", Permission.SETTINGS,
     in_session(lambda s, b: update_printed_details(s, PrintedDetails(paper_size="Letter")))),
    ("publish a privacy notice", Permission.SETTINGS,
     in_session(lambda s, b: privacy_notice.publish_notice(s, "Novo aviso"))),
    ("add a choice", Permission.SETTINGS, in_session(lambda s, b: choices.add_choice(s, "call_reason", "Preço"))),
    ("add a loyalty programme", Permission.SETTINGS,
     in_session(lambda s, b: loyalty.add_program(s, loyalty.ProgramSettings(name="Pão", kind="stamps", reward_at=3,
                                                                            reward_description="Pão")))),
    ("read the audit trail", Permission.AUDIT, in_session(lambda s, b: audit.list_entries(s))),
    ("check the audit chain", Permission.AUDIT, in_session(lambda s, b: audit.verify_chain(s))),
    ("review sync conflicts", Permission.SYNC_CONFLICTS, in_session(lambda s, b: list_conflicts(s))),
]  # fmt: skip
REFUSED = [
    pytest.param(actor, name, permission, action, id=f"{label}-{name}")
    for label, actor in (("locked", None), ("cashier", CASHIER), ("manager", MANAGER))
    for name, permission, action in ACTIONS
    if not may(actor, permission)
]
ALLOWED = [
    pytest.param(actor, name, action, id=f"{label}-{name}")
    for label, actor in (("cashier", CASHIER), ("manager", MANAGER), ("owner", PASSPHRASE_HOLDER))
    for name, permission, action in ACTIONS
    if may(actor, permission)
]


def test_roles_nest():
    assert ROLE_PERMISSIONS["cashier"] < ROLE_PERMISSIONS["manager"] < ROLE_PERMISSIONS["owner"]
    assert ROLE_PERMISSIONS["owner"] == frozenset(Permission)
    assert {Permission.EXPORT, Permission.BACKUP, Permission.STAFF, Permission.SETTINGS,
            Permission.PRIVACY, Permission.AUDIT}.isdisjoint(ROLE_PERMISSIONS["manager"])  # fmt: skip


def test_every_permission_is_tried():
    assert {permission for _name, permission, _action in ACTIONS} >= set(Permission) - {Permission.PRIVACY, Permission.LISTS}


@pytest.mark.parametrize(("actor", "name", "permission", "action"), REFUSED)
def test_refused_with_a_reason_and_nothing_changed(shop, book, actor, name, permission, action):
    before = table_rows(shop)
    shop.acting = actor
    with pytest.raises(NotAllowed) as refused:
        action(shop, book)
    shop.acting = PASSPHRASE_HOLDER
    assert table_rows(shop) == before
    assert not book["out"].exists()
    message = str(refused.value)
    assert ("Sign in" in message) if actor is None else ("Only" in message and "may" in message)


@pytest.mark.parametrize(("actor", "name", "action"), ALLOWED)
def test_allowed_for_the_role(shop, book, actor, name, action):
    book["out"].mkdir()
    shop.acting = actor
    action(shop, book)  # raises if refused


def test_the_cli_acts_as_the_owner(shop):
    assert shop.acting == PASSPHRASE_HOLDER and may(shop.acting, Permission.PRIVACY)


def test_records_keep_the_signed_in_staff_members_name(shop):
    ana = new_customer(shop, "Ana")
    shop.acting = CASHIER
    with shop.writing() as session:
        reservation = add_reservation(session, NewReservation(customer_id=ana, item="Bolo",
                                                              expected_on=date(2030, 1, 2)))  # fmt: skip
        assert reservation.staff == "Rita"
