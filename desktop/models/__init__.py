"""Typed SQLAlchemy models. Only invariants live here; use cases live in desktop.services."""

from desktop.models.audit import AuditEntry
from desktop.models.base import Base
from desktop.models.choice import CHOICE_LISTS, Choice
from desktop.models.customer import Customer, CustomerPhone, CustomerSearchKey
from desktop.models.loyalty import LoyaltyCard, LoyaltyEntry, LoyaltyProgram
from desktop.models.phone_call import PhoneCall
from desktop.models.privacy import CHANNELS, Consent, PrivacyNotice
from desktop.models.reservation import (
    RESERVATION_STATUSES,
    Reservation,
    ReservationEvent,
)
from desktop.models.shop import Shop
from desktop.models.staff import PASSPHRASE_HOLDER, ROLES, Actor, StaffMember
from desktop.models.sync import TOMBSTONE_KINDS, SyncConflict, SyncImport, Tombstone
from desktop.models.warranty import Warranty, WarrantyClaim

__all__ = [
    "CHANNELS",
    "PASSPHRASE_HOLDER",
    "ROLES",
    "CHOICE_LISTS",
    "RESERVATION_STATUSES",
    "TOMBSTONE_KINDS",
    "Actor",
    "AuditEntry",
    "Base",
    "Choice",
    "Consent",
    "Customer",
    "CustomerPhone",
    "CustomerSearchKey",
    "LoyaltyCard",
    "LoyaltyEntry",
    "LoyaltyProgram",
    "PhoneCall",
    "PrivacyNotice",
    "Reservation",
    "ReservationEvent",
    "Shop",
    "StaffMember",
    "SyncConflict",
    "SyncImport",
    "Tombstone",
    "Warranty",
    "WarrantyClaim",
]
