from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped, Synced, new_uuid, utc_now

CHANNELS = ("email", "sms", "post")


class PrivacyNotice(Stamped, Base):
    """One published version of the shop's privacy notice; versions are never edited, only added."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    version: Mapped[int] = mapped_column(unique=True)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class Consent(Synced, Base):
    """A customer's yes or no to marketing on one channel, as given at one moment.

    Rows are only ever added (triggers refuse changes), so the history of every
    agreement and withdrawal stays; the newest row per channel is the one that counts.
    """

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_customer", "customer_id", "channel", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))  # email | sms | post
    granted: Mapped[bool]
    notice_version: Mapped[int]  # the privacy notice the customer was shown
    source: Mapped[str] = mapped_column(String(20))  # signup | reservation | warranty | call | paper | counter
    staff: Mapped[str] = mapped_column(String(80), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
