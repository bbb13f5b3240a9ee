"""The owner's staff dialog: every change through the staff service, every refusal at its field."""

from __future__ import annotations

from desktop.services.staff import list_staff, sign_in
from desktop.ui.main_window import MainWindow
from desktop.ui.staff_dialog import StaffDialog


def _staff(context) -> list[tuple[str, str, bool]]:
    with context.database.reading() as session:
        return [(m.name, m.role, m.active) for m in list_staff(session, include_inactive=True)]


def _rows(dialog: StaffDialog) -> list[list[str]]:
    table = dialog.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def _add(qtbot, dialog: StaffDialog, name: str, role: str, pin: str, again: str | None = None) -> None:
    dialog.new_name.setText(name)
    dialog.new_role.setCurrentIndex(dialog.new_role.findData(role))
    for field, typed in ((dialog.new_pin, pin), (dialog.new_pin_again, pin if again is None else again)):
        field.clear()
        qtbot.keyClicks(field, typed)
    dialog.add_button.click()


def _window_dialog(qtbot, context) -> tuple[MainWindow, StaffDialog]:
    window = MainWindow(context)
    qtbot.addWidget(window)
    return window, window.show_staff()


def test_the_owner_adds_herself_then_a_cashier(qtbot, context):
    window, dialog = _window_dialog(qtbot, context)
    assert dialog.table.rowCount() == 0 and not window.switch_staff_action.isVisible()

    _add(qtbot, dialog, "Caio", "cashier", "1357")  # the first account must be an owner's
    assert dialog.add_errors.text_of("role") == "The first account must be the owner's."
    assert _staff(context) == []

    _add(qtbot, dialog, "Olga", "owner", "2468")
    with qtbot.waitSignal(dialog.changed):
        _add(qtbot, dialog, "Caio", "cashier", "1357")
    assert _rows(dialog) == [["Caio", "Cashier", "On", ""], ["Olga", "Owner", "On", ""]]
    assert _staff(context) == [("Caio", "cashier", True), ("Olga", "owner", True)]
    assert dialog.new_name.text() == "" and dialog.new_pin.text() == ""
    assert window.switch_staff_action.isVisible()  # now there is someone to switch to
    context.database.acting = None
    assert sign_in(context.database, "Caio", "1357").role == "cashier"  # the PIN typed is the one kept


def test_refusals_show_under_their_fields_and_write_nothing(qtbot, context):
    _window, dialog = _window_dialog(qtbot, context)
    _add(qtbot, dialog, "Olga", "owner", "2468", again="2469")
    assert dialog.add_errors.text_of("pin_again") == "The two PINs differ."
    _add(qtbot, dialog, "", "owner", "12")
    assert dialog.add_errors.text_of("name") and "4 to 12 digits" in dialog.add_errors.text_of("pin")
    _add(qtbot, dialog, "Olga", "owner", "abc1111")  # letters do not even reach the field
    assert dialog.new_pin.text() == "1111"
    assert dialog.add_errors.text_of("pin") == "Choose a PIN that is not one digit repeated."
    assert _staff(context) == []


def test_change_role_new_pin_and_turning_an_account_off(qtbot, context):
    _window, dialog = _window_dialog(qtbot, context)
    _add(qtbot, dialog, "Olga", "owner", "2468")
    _add(qtbot, dialog, "Caio", "cashier", "1357")

    dialog.select("Olga")
    dialog.role.setCurrentIndex(dialog.role.findData("manager"))
    dialog.role_button.click()  # the only owner
    assert dialog.change_errors.text_of("role") == "Olga is the only owner. Make someone else owner first."

    dialog.select("Caio")
    assert dialog.changing.title() == "Change Caio"
    dialog.role.setCurrentIndex(dialog.role.findData("manager"))
    dialog.role_button.click()
    qtbot.keyClicks(dialog.pin, "8642")
    qtbot.keyClicks(dialog.pin_again, "8642")
    dialog.pin_button.click()
    assert dialog.active_button.text() == "Turn off"
    dialog.active_button.click()
    assert _staff(context) == [("Caio", "manager", False), ("Olga", "owner", True)]
    assert _rows(dialog)[0] == ["Caio", "Manager", "Turned off", ""]
    assert dialog.active_button.text() == "Turn back on"
    dialog.active_button.click()
    context.database.acting = None
    assert sign_in(context.database, "Caio", "8642").role == "manager"


def test_the_signed_in_owner_changing_her_own_role_signs_out(qtbot, context):
    window, dialog = _window_dialog(qtbot, context)
    _add(qtbot, dialog, "Olga", "owner", "2468")
    _add(qtbot, dialog, "Ana", "owner", "1593")
    dialog.reject()
    context.database.acting = None
    sign_in(context.database, "Olga", "2468")
    window.apply_role()
    dialog = window.show_staff()
    dialog.select("Olga")
    dialog.role.setCurrentIndex(dialog.role.findData("manager"))
    dialog.role_button.click()
    assert context.database.acting is None  # her role changed: she signs in again
    assert window.pages.currentWidget() is window.lock_screen and not dialog.isVisible()
