"""Staff roles, and who is signed in, as a person reads them in their language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.models.staff import Actor


def role_label(role: str) -> str:
    """"owner", "manager", "cashier" translated; anything else as stored."""
    labels = {
        "owner": QCoreApplication.translate("Roles", "Owner"),
        "manager": QCoreApplication.translate("Roles", "Manager"),
        "cashier": QCoreApplication.translate("Roles", "Cashier"),
    }
    return labels.get(role, role)


def actor_label(actor: Actor | None) -> str:
    """The status bar's "who is working": a name and role, the passphrase holder, or locked."""
    if actor is None:
        return QCoreApplication.translate("Roles", "Locked")
    if actor.is_passphrase_holder:
        return QCoreApplication.translate("Roles", "Owner (shop passphrase)")
    return QCoreApplication.translate("Roles", "%1 · %2").replace("%1", actor.name).replace("%2", role_label(actor.role))
