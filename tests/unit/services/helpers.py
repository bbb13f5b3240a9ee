"""What the service tests share: counting rows behind the services' back, and a customer to work for."""

from __future__ import annotations

from sqlalchemy import text

from desktop.db.engine import ShopDatabase
from desktop.services.customers import CustomerDetails, add_customer
from tests.conftest import REGION


def count(shop: ShopDatabase, table: str) -> int:
    with shop.reading() as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def new_customer(shop: ShopDatabase, first_name: str, last_name: str = "", phone: str = "11987654321") -> int:
    """A customer with one phone (São Paulo mobile by default); their id."""
    with shop.writing() as session:
        return add_customer(session, CustomerDetails(first_name=first_name, last_name=last_name, phones=[phone]),
                            REGION).id
