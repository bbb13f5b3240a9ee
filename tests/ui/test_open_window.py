"""Opening the till's window on an unlocked shop file: the erasure register first, then who signs in."""

from __future__ import annotations

import shutil

from desktop.db.engine import open_shop_file
from desktop.db.key_file import key_file_path
from desktop.models import PASSPHRASE_HOLDER
from desktop.services.erasure import erase_customer
from desktop.services.erasure_register import register_path
from desktop.services.lookup import find_customers
from desktop.services.staff import add_staff
from desktop.ui.app import open_window
from tests.conftest import PASSPHRASE, REGION
from tests.erasure_helpers import NAME, customer_with_history


def _copy(source, target):
    shutil.copy2(source, target)
    shutil.copy2(key_file_path(source), key_file_path(target))


def test_a_copy_put_back_by_hand_forgets_the_erased_again_when_the_window_opens(qtbot, shop, tmp_path):
    made = customer_with_history(shop)
    shop.close()
    before = tmp_path / "before-erasure.regulars"
    _copy(shop.path, before)  # an old backup, as a file manager would copy it

    database = open_shop_file(shop.path, PASSPHRASE)
    with database.writing() as session:
        erase_customer(session, made.customer_id)
    database.close()
    assert register_path(shop.path).exists()
    _copy(before, shop.path)  # put back over the live file, bypassing `regulars restore`

    database = open_shop_file(shop.path, PASSPHRASE)
    with database.reading() as session:
        assert find_customers(session, NAME[0], REGION)  # the old copy still holds her
    window = open_window(database)
    qtbot.addWidget(window)
    with database.reading() as session:
        assert find_customers(session, NAME[0], REGION) == []
    shown = [window.lookup.model.match_at(row).full_name for row in range(window.lookup.model.rowCount())]
    assert not any(NAME[0] in name for name in shown)
    database.close()


def test_a_shop_with_staff_opens_locked_and_one_without_opens_for_the_passphrase_holder(qtbot, shop):
    window = open_window(shop)
    qtbot.addWidget(window)
    assert shop.acting == PASSPHRASE_HOLDER and window.pages.currentWidget() is window.till_page

    with shop.writing() as session:
        add_staff(session, "Olga", "owner", "1357")
    locked = open_window(shop)
    qtbot.addWidget(locked)
    assert shop.acting is None and locked.pages.currentWidget() is locked.lock_screen
