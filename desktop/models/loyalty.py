from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped, Synced, new_uuid, utc_now


class LoyaltyProgram(Stamped, Base):
    """A reward programme: stamps (N earn a reward) or points (per currency unit spent)."""

    __tablename__ = "loyalty_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "stamps" | "points"
    reward_at: Mapped[int]  # stamps or points that make one reward
    reward_description: Mapped[str] = mapped_column(String(120))
    # Stamps: None means one stamp per purchase, else one stamp per this many cents spent.
    cents_per_stamp: Mapped[Optional[int]]
    # Points: points earned per whole currency unit spent.
    points_per_unit: Mapped[Optional[int]]
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | paused | ended
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class LoyaltyCard(Stamped, Base):
    """The code printed on a customer's card. A replaced card's code stops working."""

    __tablename__ = "loyalty_cards"
    __table_args__ = (Index("ix_loyalty_cards_customer", "customer_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | replaced
    issued_at: Mapped[datetime] = mapped_column(default=utc_now)
    replaced_at: Mapped[Optional[datetime]]
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)  # issued or replaced: what sync compares


class LoyaltyEntry(Synced, Base):
    """One line of the append-only ledger; a balance is the sum of its entries.

    Triggers in the schema refuse UPDATE and DELETE, so history cannot be rewritten,
    and entries carry a UUID so they merge between tills without counting twice.
    """

    __tablename__ = "loyalty_entries"
    __table_args__ = (Index("ix_loyalty_entries_balance", "customer_id", "program_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("loyalty_programs.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(10))  # earn | redeem | adjust | expire
    amount: Mapped[int]  # signed: earn > 0, redeem and expire < 0, adjust either way
    reason: Mapped[str] = mapped_column(String(200), default="")
    purchase_cents: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
