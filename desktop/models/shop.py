from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, new_uuid, utc_now


class Shop(Base):
    """The one row that describes the shop this file belongs to."""

    __tablename__ = "shop"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    paper_size: Mapped[str] = mapped_column(String(10), default="A4")
    till_uuid: Mapped[str] = mapped_column(String(36), default=new_uuid)
    # Printed under the shop's name on forms and slips, e.g. "Rua Augusta 12, Lisboa · 21 123 4567".
    contact_line: Mapped[str] = mapped_column(String(200), default="")
    logo_png: Mapped[Optional[bytes]] = mapped_column(LargeBinary)  # PNG or JPEG, printed on documents
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Backups (desktop/services/backups.py): "" means no automatic daily backup.
    backup_folder: Mapped[str] = mapped_column(String(500), default="")
    backup_keep: Mapped[int] = mapped_column(default=14)  # automatic backups kept in the folder
    backup_warn_days: Mapped[int] = mapped_column(default=2)  # the window warns after this many days without one
    last_backup_at: Mapped[Optional[datetime]]
    last_export_at: Mapped[Optional[datetime]]  # the last sync export, once there is one
    # The next incremental sync export covers records changed from this time on (desktop/sync/export.py).
    sync_watermark: Mapped[Optional[datetime]]  # before revision 0010; no longer used
    # The till's hybrid logical clock and change numbers (desktop/sync/clock.py).
    hlc_ms: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    hlc_counter: Mapped[int] = mapped_column(default=0, server_default="0")
    change_seq: Mapped[int] = mapped_column(default=1, server_default="1")  # stamped on every change
    sync_since_seq: Mapped[Optional[int]]  # the first change number the next incremental export covers
    # Staff and privacy (desktop/services/staff.py, desktop/services/privacy.py).
    idle_lock_minutes: Mapped[int] = mapped_column(default=5)  # 0: the window never locks itself
    retention_years: Mapped[int] = mapped_column(default=3)  # customers inactive this long are listed for review
