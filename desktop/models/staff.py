from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, new_uuid, utc_now

ROLES = ("owner", "manager", "cashier")


class StaffMember(Base):
    """Someone who works the till, with a role and a personal PIN.

    The PIN only says who is acting; it never unlocks the shop file (the passphrase does).
    """

    __tablename__ = "staff_members"
    __table_args__ = (Index("ix_staff_members_name_key", "name_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))  # case-folded: "Ana" and "ana" are one person
    role: Mapped[str] = mapped_column(String(10))  # owner | manager | cashier
    pin_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, salted (desktop/services/staff.py)
    failed_pins: Mapped[int] = mapped_column(default=0)  # wrong PINs in a row
    locked_until: Mapped[Optional[datetime]]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


@dataclass(frozen=True)
class Actor:
    """Who is acting in a unit of work: a signed-in staff member, or whoever opened the file with its passphrase."""

    role: str
    name: str
    staff_uuid: str = ""  # "" for the passphrase holder

    @property
    def is_passphrase_holder(self) -> bool:
        return not self.staff_uuid


# Opening the shop file takes its passphrase (or recovery key): that person is the owner.
PASSPHRASE_HOLDER = Actor(role="owner", name="")
