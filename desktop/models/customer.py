from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop.models.base import Base, Stamped, new_uuid, utc_now


class Customer(Stamped, Base):
    """A person (or business) the shop knows. Only a name and one contact are required."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_last_seen", "last_seen_at", "id"),
        Index("ix_customers_email_key", "email_key"),
        # A sync export reads the UUIDs of the customers other rows refer to from here (migration 0009).
        Index("ix_customers_id_uuid", "id", "uuid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    company: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[Optional[str]] = mapped_column(String(254))
    # Case-folded email: the lookup key, so "Ana@Example.com" and "ana@example.com" meet.
    email_key: Mapped[Optional[str]] = mapped_column(String(254))
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    preferred_payment: Mapped[str] = mapped_column(String(20), default="")
    birthday: Mapped[Optional[date]]
    notes: Mapped[str] = mapped_column(Text, default="")
    heard_from: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_seen_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Numbers removed, each with the stamp it had been added with: "e164 stamp" lines (desktop/sync/clock.py).
    removed_phones: Mapped[str] = mapped_column(Text, default="", server_default="")

    phones: Mapped[list[CustomerPhone]] = relationship(
        back_populates="customer",
        order_by="CustomerPhone.position",
        cascade="all, delete-orphan",
    )
    search_keys: Mapped[list[CustomerSearchKey]] = relationship(
        back_populates="customer", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class CustomerPhone(Base):
    """A phone number in E.164, plus its digits forwards and backwards for prefix/suffix lookup."""

    __tablename__ = "customer_phones"
    __table_args__ = (
        # Each index also holds what a lookup needs from the row, so no table page is read
        # (and decrypted) for it: the customer, and for the first phone its number.
        Index("ix_customer_phones_e164", "e164", "customer_id"),
        Index("ix_customer_phones_national", "national_number", "customer_id"),
        Index("ix_customer_phones_reversed", "reversed_digits", "customer_id"),
        Index("ix_customer_phones_customer", "customer_id", "position", "e164"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(30), default="")
    e164: Mapped[str] = mapped_column(String(16))
    national_number: Mapped[str] = mapped_column(String(17))
    # The national number reversed: "last 4 digits" becomes an index prefix range, not a scan.
    reversed_digits: Mapped[str] = mapped_column(String(17))
    stamp: Mapped[str] = mapped_column(String(60), default="", server_default="")  # when it was added (sync)

    customer: Mapped[Customer] = relationship(back_populates="phones")


class CustomerSearchKey(Base):
    """Accent- and case-folded name fragments; a name prefix search is one index range."""

    __tablename__ = "customer_search_keys"
    __table_args__ = ({"sqlite_with_rowid": False},)

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )

    customer: Mapped[Customer] = relationship(back_populates="search_keys")
