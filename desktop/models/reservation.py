from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Stamped, Synced, new_uuid, utc_now

RESERVATION_STATUSES = ("open", "ready", "collected", "cancelled")


class Reservation(Stamped, Base):
    """An item put aside or ordered for a customer, found again by the code on its slip."""

    __tablename__ = "reservations"
    __table_args__ = (
        Index("ix_reservations_status_expected", "status", "expected_on"),
        Index("ix_reservations_customer", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    deposit_cents: Mapped[int] = mapped_column(default=0)
    expected_on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    staff: Mapped[str] = mapped_column(String(80), default="")
    status_changed_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)

    events: Mapped[list[ReservationEvent]] = relationship(
        order_by="ReservationEvent.changed_at", cascade="all, delete-orphan"
    )


class ReservationEvent(Synced, Base):
    """One step of a reservation's life (open, ready, collected, cancelled) and when it happened."""

    __tablename__ = "reservation_events"
    __table_args__ = (Index("ix_reservation_events_reservation", "reservation_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    staff: Mapped[str] = mapped_column(String(80), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utc_now)
