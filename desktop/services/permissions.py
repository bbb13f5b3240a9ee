"""Who may do what. Every service that reads or changes the book asks here first.

The roles nest: a cashier serves customers at the till, a manager also works with whole
lists of customers (bulk printing, imports, reviews), the owner also takes data out of the
shop (exports, backups, access requests), manages staff and settings, reads the audit
trail and erases. Checks run in the services, so the GUI, the CLI and scripts cannot get
round them; the GUI only hides what the acting role may not do.

The actor rides on the unit of work (``session.info["actor"]``, set by
ShopDatabase.reading/writing from ``database.acting``): the passphrase holder (on a shop
without staff accounts) is the owner; on a shop with them, the staff member who signed in
with a PIN (the lock screen, or ``--as`` on the command line); None means the till is locked.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from desktop.errors import NotAllowed, translatable
from desktop.models.staff import Actor


class Permission(StrEnum):
    LOOK_UP = "look_up"  # find and open customers, follow-ups
    EDIT_CUSTOMERS = "edit_customers"  # add and change customers, record consents
    LOYALTY = "loyalty"  # stamp, redeem, replace a card
    RECORDS = "records"  # calls, reservations, warranties: their lists, slips and certificates
    LISTS = "lists"  # lists of customers: the retention review (later best customers, win-back)
    BULK_PRINT = "bulk_print"  # loyalty cards for many customers
    IMPORT = "import"  # sync bundles in
    EXPORT = "export"  # sync bundles, mailing lists and contacts out
    BACKUP = "backup"  # backups, restore, backup settings
    STAFF = "staff"  # staff accounts and PINs
    SETTINGS = "settings"  # shop details, loyalty programs, choice lists, the privacy notice
    AUDIT = "audit"  # read and check the audit trail
    PRIVACY = "privacy"  # access requests, erasure, bulk anonymising
    SYNC_CONFLICTS = "sync_conflicts"  # review the values a sync merge set aside, and take them back


_CASHIER = frozenset({Permission.LOOK_UP, Permission.EDIT_CUSTOMERS, Permission.LOYALTY, Permission.RECORDS})
_MANAGER = _CASHIER | {Permission.LISTS, Permission.BULK_PRINT, Permission.IMPORT}
_OWNER = frozenset(Permission)
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {"cashier": _CASHIER, "manager": _MANAGER, "owner": _OWNER}

# Whole sentences, so that each translates as one.
_REFUSALS = {
    Permission.LOOK_UP: translatable("Sign in to look up customers."),
    Permission.EDIT_CUSTOMERS: translatable("Sign in to add or change customers."),
    Permission.LOYALTY: translatable("Sign in to stamp or redeem loyalty cards."),
    Permission.RECORDS: translatable("Sign in to log calls, reservations or warranties."),
    Permission.LISTS: translatable("Only a manager or the owner may open lists of customers."),
    Permission.BULK_PRINT: translatable("Only a manager or the owner may print in bulk."),
    Permission.IMPORT: translatable("Only a manager or the owner may import sync bundles."),
    Permission.EXPORT: translatable("Only the owner may export customer data."),
    Permission.BACKUP: translatable("Only the owner may back up or restore the shop file."),
    Permission.STAFF: translatable("Only the owner may manage staff."),
    Permission.SETTINGS: translatable("Only the owner may change the shop's settings."),
    Permission.AUDIT: translatable("Only the owner may read the audit trail."),
    Permission.PRIVACY: translatable("Only the owner may export or erase a customer's data."),
    Permission.SYNC_CONFLICTS: translatable("Only the owner may review sync conflicts."),
}


def may(actor: Actor | None, permission: Permission) -> bool:
    return actor is not None and permission in ROLE_PERMISSIONS.get(actor.role, frozenset())


def require_actor(actor: Actor | None, permission: Permission) -> Actor:
    """The actor, if they may; otherwise NotAllowed with a message naming what they tried."""
    if actor is None:
        raise NotAllowed(translatable("Regulars is locked. Sign in with your PIN first."))
    if not may(actor, permission):
        raise NotAllowed(_REFUSALS[permission])
    return actor


def acting(session: Session) -> Actor | None:
    return session.info.get("actor")


def require(session: Session, permission: Permission) -> Actor:
    """Checks the unit of work's actor; call first thing in a service, before anything is written."""
    return require_actor(acting(session), permission)

