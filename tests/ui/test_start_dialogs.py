from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desktop.context import ShopContext
from desktop.db.engine import open_shop_file_with_recovery_key
from desktop.ui.recovery_key_dialog import RecoveryKeyDialog
from desktop.ui.setup_dialog import SetupDialog
from desktop.ui.unlock_dialog import UnlockDialog
from tests.conftest import PASSPHRASE


def test_first_run_setup_creates_an_encrypted_shop(qtbot, tmp_path: Path):
    path = tmp_path / "new" / "shop.regulars"
    dialog = SetupDialog(path)
    qtbot.addWidget(dialog)
    dialog.region.setCurrentIndex(dialog.region.findData("PT"))
    assert dialog.currency.text() == "EUR"
    assert dialog.paper.currentText() == "A4"
    dialog.shop_name.setText("Pastelaria Belém")
    dialog.passphrase.setText("pastel de nata")
    dialog.passphrase_again.setText("pastel de nata")

    shown: list[str] = []

    def confirm_recovery_key():
        box = QApplication.activeModalWidget()
        assert isinstance(box, RecoveryKeyDialog)
        shown.append(box.key.text())
        assert not path.exists()  # nothing is written before the owner confirms the key
        box.confirmation.setText("1111" if shown[0].endswith("0000") else "0000")
        assert not box.confirm_button.isEnabled()
        box.accept()
        assert box.isVisible()  # a wrong confirmation does not close it
        box.confirmation.setText(shown[0][-4:].lower())
        assert box.confirm_button.isEnabled()
        box.confirm_button.click()

    QTimer.singleShot(0, confirm_recovery_key)
    dialog.create()
    assert shown == [dialog.recovery_key] and len(dialog.recovery_key.split("-")) == 8
    assert dialog.result() == dialog.DialogCode.Accepted
    context = ShopContext.load(dialog.database)
    assert (context.shop_name, context.region, context.currency) == ("Pastelaria Belém", "PT", "EUR")
    dialog.database.close()
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    open_shop_file_with_recovery_key(path, dialog.recovery_key).close()  # the key shown really works


def test_first_run_without_confirming_the_recovery_key_creates_nothing(qtbot, tmp_path: Path):
    path = tmp_path / "new" / "shop.regulars"
    dialog = SetupDialog(path)
    qtbot.addWidget(dialog)
    dialog.shop_name.setText("Pastelaria Belém")
    dialog.passphrase.setText("pastel de nata")
    dialog.passphrase_again.setText("pastel de nata")

    def close_without_confirming():
        box = QApplication.activeModalWidget()
        assert isinstance(box, RecoveryKeyDialog)
        box.reject()

    QTimer.singleShot(0, close_without_confirming)
    dialog.create()
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.database is None
    assert "No shop was created" in dialog.form_error.text()
    assert not path.parent.exists()


def test_setup_shows_field_errors_and_creates_nothing(qtbot, tmp_path: Path):
    path = tmp_path / "shop.regulars"
    dialog = SetupDialog(path)
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("short")
    dialog.create()
    assert dialog.errors.text_of("shop_name")
    dialog.shop_name.setText("Loja")
    dialog.create()
    assert "8" in dialog.errors.text_of("passphrase")
    dialog.passphrase.setText("long enough one")
    dialog.passphrase_again.setText("long enough two")
    dialog.create()
    assert dialog.errors.text_of("passphrase_again")
    assert not path.exists()


def test_unlock_with_wrong_then_right_passphrase(qtbot, shop_path: Path):
    before = shop_path.read_bytes()
    dialog = UnlockDialog(shop_path)
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("not it")
    dialog.unlock()
    assert "passphrase is wrong" in dialog.error.text()
    assert "damaged" not in dialog.error.text()  # the key file tells a wrong passphrase from damage
    assert dialog.database is None
    assert shop_path.read_bytes() == before
    dialog.passphrase.setText(PASSPHRASE)
    dialog.unlock()
    assert dialog.result() == dialog.DialogCode.Accepted
    dialog.database.close()
