"""Locking the till (Ctrl+L, the idle timer) and signing in again with a PIN or, without staff, the shop passphrase."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.models.staff import PASSPHRASE_HOLDER
from desktop.ui.audit_window import AuditWindow
from desktop.ui.customer_form import CustomerForm
from desktop.ui.lock_screen import PASSPHRASE, PIN
from desktop.ui.main_window import MainWindow
from desktop.ui.records_window import RecordsWindow
from tests.conftest import PASSPHRASE as SHOP_PASSPHRASE
from tests.ui.helpers import shown_main_window
from tests.ui.staff_helpers import add_team, choose, shown_texts, sign_in_as

FERNANDA = ("Fernanda", "Lima", "sourdough", "99876")


def _locked(window: MainWindow) -> bool:
    return window.pages.currentWidget() is window.lock_screen


def _nothing_of_fernanda(window: MainWindow) -> None:
    texts = " ".join(shown_texts(window)) + window.windowTitle()
    for word in FERNANDA:
        assert word not in texts


@pytest.fixture
def staffed(context):
    add_team(context)
    return context


def test_ctrl_l_takes_every_customer_off_the_screen(qtbot, context):
    window = shown_main_window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    assert window.card.name.text() == "Fernanda Lima"
    assert window.lock_action.shortcut().toString() == "Ctrl+L"

    qtbot.keyClick(window.lookup.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert _locked(window) and context.database.acting is None
    assert not window.lookup.isVisible() and not window.card.isVisible() and not window.follow_ups.isVisible()
    assert window.lookup.model.rowCount() == 0 and window.lookup.search.text() == ""
    _nothing_of_fernanda(window)
    assert window.signed_in_label.text() == "Locked"
    for action in (window.find_action, window.new_action, window.records_action, window.loyalty.stamp_action):
        assert not action.isEnabled()
    # No staff accounts yet: the shop passphrase unlocks, in a masked field.
    assert window.lock_screen.mode == PASSPHRASE and not window.lock_screen.staff.isVisible()
    assert window.lock_screen.secret.echoMode() == QLineEdit.EchoMode.Password


def test_ctrl_l_in_an_open_form_locks_and_closes_it(qtbot, context):
    window = shown_main_window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    form = window.open_customer(window.lookup.current_match().id)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is form)
    assert form.fields["first_name"].text() == "Fernanda"

    qtbot.keyClick(form.fields["first_name"], Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert _locked(window) and context.database.acting is None
    assert not form.isVisible()
    qtbot.waitUntil(lambda: not window.findChildren(CustomerForm))  # let go of, not only hidden
    _nothing_of_fernanda(window)


def test_locking_closes_the_records_and_audit_windows(qtbot, context):
    window = shown_main_window(qtbot, context)
    records, trail = window.show_records(), window.show_audit()
    assert records.isVisible() and trail.isVisible()
    window.lock()
    assert not records.isVisible() and not trail.isVisible()
    qtbot.waitUntil(lambda: not window.findChildren(RecordsWindow) and not window.findChildren(AuditWindow))


def test_the_shop_passphrase_unlocks_a_till_without_staff(qtbot, context):
    window = shown_main_window(qtbot, context)
    window.lock()
    screen = window.lock_screen
    qtbot.keyClicks(screen.secret, "not the passphrase")
    screen.sign_in_button.click()
    qtbot.waitUntil(lambda: bool(screen.errors.text_of("secret")), timeout=10_000)
    assert "passphrase" in screen.errors.text_of("secret").lower()
    assert _locked(window) and context.database.acting is None

    qtbot.keyClicks(screen.secret, SHOP_PASSPHRASE)
    with qtbot.waitSignal(screen.signedIn, timeout=10_000):
        qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    assert not _locked(window) and context.database.acting == PASSPHRASE_HOLDER
    assert window.lookup.model.rowCount() == 3
    assert window.signed_in_label.text() == "Owner (shop passphrase)"


def test_with_staff_the_window_opens_locked_and_a_pin_signs_in(qtbot, staffed):
    window = shown_main_window(qtbot, staffed)
    screen = window.lock_screen
    assert _locked(window) and screen.mode == PIN
    assert window.lookup.model.rowCount() == 0 and window.follow_ups.shown_calls() == []
    names = [screen.staff.item(row).text() for row in range(screen.staff.count())]
    assert names == ["Caio — Cashier", "Mauro — Manager", "Olga — Owner"]
    assert screen.secret.echoMode() == QLineEdit.EchoMode.Password
    choose(window, "Caio")
    qtbot.keyClicks(screen.secret, "13a5x7")
    assert screen.secret.text() == "1357"  # digits only

    qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    assert not _locked(window)
    assert (staffed.database.acting.name, staffed.database.acting.role) == ("Caio", "cashier")
    assert window.signed_in_label.text() == "Caio · Cashier"
    assert window.lookup.model.rowCount() == 3 and window.lookup.search.hasFocus()


def test_with_staff_the_owner_can_still_sign_in_with_the_shop_passphrase(qtbot, staffed):
    """A forgotten PIN, or every owner's account locked, never shuts the owner out."""
    window = shown_main_window(qtbot, staffed)
    screen = window.lock_screen
    assert screen.other_way.isVisible() and screen.other_way.text() == "Use the shop passphrase"
    screen.other_way.click()
    assert screen.mode == PASSPHRASE and not screen.staff.isVisible() and screen.secret.validator() is None
    qtbot.keyClicks(screen.secret, SHOP_PASSPHRASE)
    with qtbot.waitSignal(screen.signedIn, timeout=10_000):
        qtbot.keyClick(screen.secret, Qt.Key.Key_Return)
    assert staffed.database.acting == PASSPHRASE_HOLDER and window.staff_action.isVisible()

    window.lock()
    assert screen.mode == PIN and screen.other_way.text() == "Use the shop passphrase"


def test_a_wrong_pin_is_refused_at_the_field_and_five_lock_the_account(qtbot, staffed):
    window = shown_main_window(qtbot, staffed)
    screen = window.lock_screen
    sign_in_as(qtbot, window, "Caio", "9999")
    assert _locked(window) and staffed.database.acting is None
    assert screen.errors.text_of("secret") == (
        "Wrong PIN. Wrong PINs left before the account locks for 15 min: 4."
    )
    assert screen.secret.text() == "" and screen.chosen_staff() is not None
    for _attempt in range(4):
        sign_in_as(qtbot, window, "Caio", "9999")
    assert "Too many wrong PINs: Caio's account is locked" in screen.errors.text_of("secret")
    assert "Caio — Cashier (locked for now)" in [screen.staff.item(r).text() for r in range(screen.staff.count())]

    sign_in_as(qtbot, window, "Caio", "1357")  # the right PIN, too late
    assert "locked" in screen.errors.text_of("secret") and staffed.database.acting is None
    sign_in_as(qtbot, window, "Olga")  # others still sign in
    assert staffed.database.acting.name == "Olga"


def test_no_name_chosen_says_so_under_the_list(qtbot, staffed):
    window = shown_main_window(qtbot, staffed)
    window.lock_screen.staff.setCurrentRow(-1)
    window.lock_screen.sign_in()
    assert window.lock_screen.errors.text_of("staff") == "Choose your name in the list."
    assert staffed.database.acting is None


def test_switch_staff_locks_with_the_names_ready(qtbot, staffed):
    window = shown_main_window(qtbot, staffed)
    sign_in_as(qtbot, window, "Olga")
    qtbot.keyClicks(window.lookup.search, "fernanda")
    window.switch_staff_action.trigger()
    assert _locked(window) and staffed.database.acting is None
    _nothing_of_fernanda(window)
    qtbot.waitUntil(lambda: window.lock_screen.staff.hasFocus())
    qtbot.keyClicks(window.lock_screen.staff, "2468")  # typing digits on the list goes to the PIN
    assert window.lock_screen.secret.text() == "2468"


def test_the_till_locks_itself_after_the_idle_time(qtbot, context):
    window = shown_main_window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    window.set_idle_lock_ms(50)
    qtbot.waitUntil(lambda: _locked(window), timeout=5_000)
    assert context.database.acting is None
    _nothing_of_fernanda(window)
    assert not window.idle.counting()  # nothing counts while locked


def test_an_idle_time_of_zero_never_locks(qtbot, context):
    window = shown_main_window(qtbot, context)
    window.set_idle_lock_ms(0)
    assert not window.idle.counting()
    assert not _locked(window)


def test_the_idle_minutes_are_set_in_shop_settings(qtbot, context):
    from desktop.services.shop import shop_settings

    window = shown_main_window(qtbot, context)
    dialog = window.shop_settings()
    dialog.tabs.setCurrentWidget(dialog.staff_page)
    assert dialog.idle_lock.value() == 5 and dialog.idle_lock.maximum() == 240
    dialog.idle_lock.setValue(0)
    assert dialog.idle_lock.text() == "Never"
    dialog.idle_lock.setValue(12)
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    with context.database.reading() as session:
        assert shop_settings(session).idle_lock_minutes == 12
    assert window.idle.interval_ms == 12 * 60_000 and window.idle.counting()


def test_a_running_jobs_progress_steps_aside_for_the_lock_and_comes_back(qtbot, context):
    from PySide6.QtWidgets import QProgressDialog

    window = shown_main_window(qtbot, context)
    running = QProgressDialog("Backing up…", "Cancel", 0, 100, window)
    running.setValue(40)
    running.show()
    finished = QProgressDialog("Exporting…", "Cancel", 0, 100, window)
    finished.show()
    window.lock()
    assert not running.isVisible() and not finished.isVisible()  # nobody at the locked till can cancel it
    finished.reset()  # its job ended while the till was locked
    window.lock_screen.secret.setText(SHOP_PASSPHRASE)
    with qtbot.waitSignal(window.lock_screen.signedIn, timeout=10_000):
        window.lock_screen.sign_in()
    assert running.isVisible() and not finished.isVisible()


def test_a_sync_that_ends_while_locked_reads_nothing(qtbot, context):
    window = shown_main_window(qtbot, context)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    window.lock()
    window._after_sync(None)  # the import's success signal, delivered after the lock
    assert window.lookup.model.rowCount() == 0 and _locked(window)
