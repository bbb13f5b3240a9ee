from __future__ import annotations

import pytest

from desktop.context import ShopContext
from desktop.services.customers import CustomerDetails, add_customer

PEOPLE = [
    CustomerDetails(first_name="João", last_name="da Silva", phones=["(11) 98765-4321"], email="joao@example.com"),
    CustomerDetails(first_name="Γιώργος", last_name="Παπαδόπουλος", phones=["+30 691 234 5678"]),
    CustomerDetails(first_name="Fernanda", last_name="Lima", phones=["(21) 99876-1234"], notes="Prefers sourdough"),
]


@pytest.fixture
def context(shop) -> ShopContext:
    with shop.writing() as session:
        for person in PEOPLE:
            add_customer(session, person, "BR")
    return ShopContext.load(shop)
