from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped, new_uuid, utc_now


class PhoneCall(Stamped, Base):
    """A call logged while on the phone. A caller who gives no name is logged by number alone."""

    __tablename__ = "phone_calls"
    __table_args__ = (
        Index("ix_phone_calls_follow_up", "follow_up_done_at", "follow_up_on"),
        Index("ix_phone_calls_customer", "customer_id", "called_at"),
        Index("ix_phone_calls_called", "called_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    customer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    caller_e164: Mapped[str] = mapped_column(String(16), default="")
    reason: Mapped[str] = mapped_column(String(80))  # a label from the "call_reason" choices
    notes: Mapped[str] = mapped_column(Text, default="")
    follow_up_on: Mapped[Optional[date]]
    follow_up_done_at: Mapped[Optional[datetime]]
    staff: Mapped[str] = mapped_column(String(80), default="")
    called_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
