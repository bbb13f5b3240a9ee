"""Typed SQLAlchemy models. Only invariants live here; use cases live in desktop.services."""

from desktop.models.base import Base
from desktop.models.customer import Customer, CustomerPhone, CustomerSearchKey
from desktop.models.loyalty import LoyaltyCard, LoyaltyEntry, LoyaltyProgram
from desktop.models.shop import Shop

__all__ = [
    "Base",
    "Customer",
    "CustomerPhone",
    "CustomerSearchKey",
    "LoyaltyCard",
    "LoyaltyEntry",
    "LoyaltyProgram",
    "Shop",
]
