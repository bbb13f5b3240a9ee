"""The one object passed to every window: the open shop and what it is set up as."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.db.engine import ShopDatabase
from desktop.services.shop import shop_settings


@dataclass
class ShopContext:
    database: ShopDatabase
    shop_name: str
    region: str
    currency: str
    paper_size: str

    @classmethod
    def load(cls, database: ShopDatabase) -> ShopContext:
        with database.reading() as session:
            shop = shop_settings(session)
            return cls(
                database=database,
                shop_name=shop.name,
                region=shop.region,
                currency=shop.currency,
                paper_size=shop.paper_size,
            )
