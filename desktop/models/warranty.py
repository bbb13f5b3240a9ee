from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Stamped, new_uuid, utc_now


class Warranty(Stamped, Base):
    """A product sold with a warranty; the expiry is stored so "expiring soon" is an index range."""

    __tablename__ = "warranties"
    __table_args__ = (
        Index("ix_warranties_serial_key", "serial_key"),
        Index("ix_warranties_expires", "expires_on"),
        Index("ix_warranties_customer", "customer_id", "purchase_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product: Mapped[str] = mapped_column(String(200))
    serial_number: Mapped[str] = mapped_column(String(60))
    # Upper case without spaces, dashes or dots: "ab-12 34" and "AB1234" are the same serial.
    serial_key: Mapped[str] = mapped_column(String(60))
    purchase_date: Mapped[date]
    months: Mapped[int]
    expires_on: Mapped[date]  # the last day covered
    notes: Mapped[str] = mapped_column(Text, default="")
    staff: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)

    claims: Mapped[list[WarrantyClaim]] = relationship(
        order_by="WarrantyClaim.claimed_on", cascade="all, delete-orphan"
    )


class WarrantyClaim(Stamped, Base):
    """A problem brought back under warranty, and what was done about it."""

    __tablename__ = "warranty_claims"
    __table_args__ = (Index("ix_warranty_claims_warranty", "warranty_id", "claimed_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    warranty_id: Mapped[int] = mapped_column(ForeignKey("warranties.id", ondelete="CASCADE"))
    claimed_on: Mapped[date]
    problem: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, default="")
    staff: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
