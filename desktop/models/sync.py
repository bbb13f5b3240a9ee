from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Synced, new_uuid, utc_now

TOMBSTONE_KINDS = ("deleted", "erased")


class Tombstone(Synced, Base):
    """A record that was deleted or erased, so the deletion travels to other tills and wins there.

    Its UUID is derived from the table and the record's UUID (models.base.stable_uuid), so two
    tills that erase the same customer make the same tombstone.
    """

    __tablename__ = "tombstones"
    __table_args__ = (Index("ix_tombstones_record", "table_name", "record_uuid", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_uuid: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(10))  # deleted | erased
    at: Mapped[datetime] = mapped_column(default=utc_now)  # when it happened (the earliest, once merged)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class SyncImport(Base):
    """One sync bundle imported into this shop file, with the report that was shown."""

    __tablename__ = "sync_imports"
    __table_args__ = (Index("ix_sync_imports_bundle", "bundle_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    from_till_uuid: Mapped[str] = mapped_column(String(36))
    exported_at: Mapped[datetime]
    imported_at: Mapped[datetime] = mapped_column(default=utc_now)
    full: Mapped[bool]
    added: Mapped[int]
    updated: Mapped[int]
    unchanged: Mapped[int]
    conflicts: Mapped[int]
    rejected: Mapped[int]
    report_json: Mapped[str] = mapped_column(Text)
    # The bundle's own export watermark, kept for support: which changes it claimed to cover.
    watermark_from: Mapped[Optional[datetime]]
    watermark_to: Mapped[datetime]


class SyncConflict(Base):
    """A value that lost to a concurrent edit of the same field on another till, for the owner to review.

    mine is this till's value when the conflict was found, theirs the other till's; kept says
    which one the merge kept (the later stamp, the same on every till). Taking the other back
    is a new edit (desktop/sync/conflicts.py).
    """

    __tablename__ = "sync_conflicts"
    __table_args__ = (Index("ix_sync_conflicts_open", "resolved_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_uuid: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    mine: Mapped[str] = mapped_column(Text)
    mine_stamp: Mapped[str] = mapped_column(String(60))
    theirs: Mapped[str] = mapped_column(Text)
    theirs_stamp: Mapped[str] = mapped_column(String(60))
    kept: Mapped[str] = mapped_column(String(10))  # mine | theirs
    found_at: Mapped[datetime] = mapped_column(default=utc_now)
    resolved_at: Mapped[Optional[datetime]]
    resolution: Mapped[str] = mapped_column(String(10), default="", server_default="")
