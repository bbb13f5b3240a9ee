"""The window shows each role only what it may do (the services refuse the rest all the same)."""

from __future__ import annotations

import pytest

from desktop.errors import NotAllowed
from desktop.services.audit import list_entries
from desktop.ui.main_window import MainWindow
from tests.ui.staff_helpers import add_team, sign_in_as


@pytest.fixture
def window(qtbot, context) -> MainWindow:
    add_team(context)
    window = MainWindow(context)
    qtbot.addWidget(window)
    return window


def _owner_only(window: MainWindow) -> dict:
    return {
        "export mailing list": window.exports.mailing_list_action,
        "export contacts": window.exports.contacts_action,
        "export sync bundle": window.sync.export_action,
        "export everything for a new till": window.sync.export_full_action,
        "back up": window.backups.back_up_action,
        "shop settings": window.shop_settings_action,
        "change passphrase": window.passphrase_action,
        "staff": window.staff_action,
        "audit trail": window.audit_action,
    }


def _manager_and_up(window: MainWindow) -> dict:
    return {
        "import sync bundle": window.sync.import_action,
        "print cards in bulk": window.loyalty.print_new_cards_action,
    }


def _till(window: MainWindow) -> dict:
    return {
        "find": window.find_action,
        "new customer": window.new_action,
        "stamp": window.loyalty.stamp_action,
        "log call": window.log_call_action,
        "reservation": window.reservation_action,
        "reservations, warranties and calls": window.records_action,  # collecting a reservation is till work
        "lock": window.lock_action,
        "switch staff": window.switch_staff_action,
    }


def _offered(actions: dict) -> dict[str, bool]:
    return {name: action.isVisible() and action.isEnabled() for name, action in actions.items()}


def _hidden(actions: dict) -> dict[str, bool]:
    return {name: not action.isVisible() and not action.isEnabled() for name, action in actions.items()}


def test_a_cashier_sees_the_till_and_nothing_that_takes_data_out(qtbot, window):
    sign_in_as(qtbot, window, "Caio")
    assert all(_hidden(_owner_only(window)).values()), _hidden(_owner_only(window))
    assert all(_hidden(_manager_and_up(window)).values()), _hidden(_manager_and_up(window))
    assert all(_offered(_till(window)).values()), _offered(_till(window))
    assert not window.exports.menu.menuAction().isVisible()  # an empty submenu is not offered either
    assert window.sync.menu.menuAction().isVisible() is False


def test_a_manager_also_gets_the_lists_imports_and_bulk_printing(qtbot, window):
    sign_in_as(qtbot, window, "Mauro")
    assert all(_offered(_manager_and_up(window)).values()), _offered(_manager_and_up(window))
    assert all(_hidden(_owner_only(window)).values()), _hidden(_owner_only(window))
    assert window.sync.menu.menuAction().isVisible()  # for the import


def test_the_owner_gets_everything_and_a_cashier_after_her_does_not(qtbot, window):
    sign_in_as(qtbot, window, "Olga")
    for group in (_owner_only, _manager_and_up, _till):
        assert all(_offered(group(window)).values()), _offered(group(window))
    assert window.exports.menu.menuAction().isVisible()

    window.switch_staff()
    sign_in_as(qtbot, window, "Caio")
    assert all(_hidden(_owner_only(window)).values())


def test_what_is_hidden_is_refused_by_the_service_too(qtbot, window, context):
    sign_in_as(qtbot, window, "Caio")
    with pytest.raises(NotAllowed), context.database.reading() as session:
        list_entries(session)


def test_while_locked_everything_is_greyed_out_but_quit(qtbot, window):
    for group in (_owner_only, _manager_and_up, _till):
        assert not any(action.isEnabled() for action in group(window).values())
    assert window.quit_action.isEnabled()
    assert not window.toolbar.isVisibleTo(window)
