from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped, new_uuid, utc_now

# The lists a shop can edit: why people call, and how they heard about the shop.
CHOICE_LISTS = ("call_reason", "heard_from")


class Choice(Stamped, Base):
    """One entry of a shop-editable list. Retired entries stay so old records keep their meaning."""

    __tablename__ = "choices"
    __table_args__ = (Index("ix_choices_list", "list_name", "retired", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    list_name: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
