"""Two tills of one shop: A (the shop fixture, filled by the test) and B, a new till from `regulars init`."""

from __future__ import annotations

import pytest

from desktop.db.engine import ShopDatabase
from tests.sync_helpers import new_till


@pytest.fixture
def till_b(shop_template, tmp_path) -> ShopDatabase:
    database = new_till(shop_template, tmp_path, "till-b")
    yield database
    database.close()


@pytest.fixture
def till_c(shop_template, tmp_path) -> ShopDatabase:
    database = new_till(shop_template, tmp_path, "till-c")
    yield database
    database.close()
