from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, utc_now


class AuditEntry(Base):
    """One thing someone did, chained to the entry before it by hash (desktop/services/audit.py).

    Rows are only ever added (triggers refuse changes and deletions). An entry names the
    fields that changed, never their values, so the trail holds nothing personal.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_subject", "subject_uuid"),
        Index("ix_audit_entries_action", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    staff_uuid: Mapped[str] = mapped_column(String(36), default="")  # "" for the passphrase holder
    staff_name: Mapped[str] = mapped_column(String(80), default="")
    role: Mapped[str] = mapped_column(String(10), default="")
    action: Mapped[str] = mapped_column(String(40))
    subject_kind: Mapped[str] = mapped_column(String(20), default="")  # customer | staff | shop | ...
    subject_uuid: Mapped[str] = mapped_column(String(36), default="")
    details: Mapped[str] = mapped_column(Text, default="")  # JSON: field names, counts, file names
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
