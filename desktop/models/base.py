from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names keep Alembic migrations reproducible on SQLite's batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_now() -> datetime:
    """Naive UTC: SQLite has no time zones, so every stored time is UTC by convention."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"


def stored_time(moment: datetime) -> str:
    """A naive UTC time as SQLAlchemy stores it in SQLite (and as sync bundles carry it), for bulk SQL."""
    if moment.tzinfo is None and moment.year >= 1000:  # the same text as STORED_TIME, at twice the speed
        return moment.isoformat(" ", "microseconds")
    return moment.strftime(STORED_TIME)


def new_uuid() -> str:
    return str(uuid.uuid4())


# Fixed for ever: records that two tills create independently but must share one identity
# (the seeded choices, an erasure's tombstone) get a UUID derived from what they are.
STABLE_NAMESPACE = uuid.UUID("4f1c6a2e-8d3b-5e7a-9c41-2b6d0e8f7a13")


def stable_uuid(*parts: str) -> str:
    """The same UUID on every till for the same parts (UUID version 5)."""
    return str(uuid.uuid5(STABLE_NAMESPACE, "\x1f".join(parts)))


# The shop's current change number, for bulk SQL that writes synced rows: a row written with it needs
# no fixing by the triggers of migration 0010 (which would update each row a second time).
CURRENT_CHANGE_SEQ = "(SELECT change_seq FROM shop ORDER BY id LIMIT 1)"


class Synced:
    """A record that travels in sync bundles: the shop's change number when it was last written here
    (desktop/sync/clock.py; triggers set it for writes that do not)."""

    change_seq: Mapped[int] = mapped_column(server_default="1")


class Stamped(Synced):
    """A synced record that can change: each field's hybrid-clock stamp (desktop/sync/clock.py)."""

    stamp: Mapped[str] = mapped_column(String(60), default="", server_default="")
    field_stamps: Mapped[str] = mapped_column(Text, default="", server_default="")
