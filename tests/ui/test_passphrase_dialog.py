from __future__ import annotations

import pytest

from desktop.db.engine import open_shop_file
from desktop.errors import WrongPassphrase
from desktop.services.lookup import find_customers
from desktop.ui.main_window import MainWindow
from tests.conftest import PASSPHRASE


def test_change_the_passphrase_from_the_app(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    dialog = window.change_passphrase()
    path = context.database.path

    dialog.fields["current"].setText("not the passphrase")
    dialog.fields["passphrase"].setText("a new long one")
    dialog.fields["passphrase_again"].setText("a new long one")
    dialog.change()
    assert "passphrase is wrong" in dialog.errors.text_of("current")
    open_shop_file(path, PASSPHRASE).close()  # nothing changed

    dialog.fields["current"].setText(PASSPHRASE)
    dialog.fields["passphrase_again"].setText("a new long on")
    dialog.change()
    assert dialog.errors.text_of("passphrase_again")
    open_shop_file(path, PASSPHRASE).close()

    dialog.fields["passphrase"].setText("short")
    dialog.fields["passphrase_again"].setText("short")
    dialog.change()
    assert "8" in dialog.errors.text_of("passphrase")

    dialog.fields["passphrase"].setText("a new long one")
    dialog.fields["passphrase_again"].setText("a new long one")
    dialog.change()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert "changed" in window.statusBar().currentMessage()
    with pytest.raises(WrongPassphrase):
        open_shop_file(path, PASSPHRASE)
    reopened = open_shop_file(path, "a new long one")
    try:
        with reopened.reading() as session:
            assert [m.full_name for m in find_customers(session, "fernanda", "BR")] == ["Fernanda Lima"]
    finally:
        reopened.close()
