"""The Privacy submenu: a customer's data exported, their erasure, and the review of inactive customers."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton
from sqlalchemy import text

from desktop.services.erasure import InactiveCustomer
from desktop.services.erasure_register import register_path
from desktop.services.lookup import find_customers
from desktop.services.shop import shop_settings
from desktop.ui.main_window import MainWindow
from desktop.ui.privacy_actions import PAGE, InactiveCustomersDialog, InactiveCustomersModel
from tests.conftest import REGION
from tests.pdf_reading import flat_text, require_poppler
from tests.ui.helpers import id_of
from tests.ui.staff_helpers import add_team, shown_texts, sign_in_as

FERNANDA_PHONE = "(21) 99876-1234"
LONG_AGO = "2015-03-02 10:00:00.000000"


@pytest.fixture
def window(qtbot, context) -> MainWindow:
    """The owner's till (no staff accounts: whoever typed the passphrase is the owner)."""
    window = MainWindow(context)
    qtbot.addWidget(window)
    return window


@pytest.fixture
def out_dir(tmp_path) -> Path:
    folder = tmp_path / "for the customer"
    folder.mkdir()
    return folder


def choose_folder(monkeypatch, folder: Path | str) -> list[tuple]:
    calls = []

    def fake(*args, **kwargs):
        calls.append(args)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", fake)
    return calls


def warnings_shown(monkeypatch) -> list[str]:
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, message: shown.append(message))
    return shown


def age(context, customer_id: int, when: str = LONG_AGO) -> None:
    """Moves the customer's last visit into the past, behind the services' back."""
    with context.database.writing() as session:
        session.execute(text("UPDATE customers SET last_seen_at = :at WHERE id = :id"), {"at": when, "id": customer_id})


def customer_number(context, first_name: str) -> int:
    """Read behind the services' back, so it works while the till is locked too."""
    with context.database.reading() as session:
        return session.scalar(text("SELECT id FROM customers WHERE first_name = :name"), {"name": first_name})


def names_found(context, query: str) -> list[str]:
    with context.database.reading() as session:
        return [match.full_name for match in find_customers(session, query, REGION)]


def button(box: QMessageBox, name: str) -> QPushButton:
    found = box.findChild(QPushButton, name)
    assert found is not None, [b.text() for b in box.buttons()]
    return found


def test_the_customers_menu_has_a_privacy_submenu(window):
    customers_menu = window.menuBar().actions()[0].menu()
    privacy = next(a.menu() for a in customers_menu.actions() if a.menu() and a.menu().objectName() == "privacy_menu")
    assert [a.text() for a in privacy.actions()] == [
        "Export this customer's data…", "Erase this customer…", "Inactive customers…"]


# The right of access


def test_export_writes_both_files_for_the_highlighted_customer(qtbot, window, context, monkeypatch, out_dir):
    qtbot.keyClicks(window.lookup.search, FERNANDA_PHONE)
    calls = choose_folder(monkeypatch, out_dir)
    window.privacy.export_action.trigger()
    assert len(calls) == 1
    written = sorted(out_dir.iterdir())
    assert [path.suffix for path in written] == [".json", ".pdf"]
    data = json.loads(written[0].read_text(encoding="utf-8"))
    assert (data["customer"]["first_name"], data["customer"]["last_name"]) == ("Fernanda", "Lima")
    assert data["customer"]["notes"] == "Prefers sourdough"
    assert data["customer"]["id"] == id_of(context, "fernanda")
    require_poppler()
    assert "Fernanda Lima" in flat_text(written[1])
    assert "data was exported" in window.statusBar().currentMessage()
    where = window.findChild(QMessageBox, "export_written")  # the full paths, which the status bar cannot hold
    assert where is not None and where.isVisible()
    assert where.informativeText().split("\n") == [f"In {out_dir}:", written[1].name, written[0].name]
    where.button(QMessageBox.StandardButton.Ok).click()


def test_no_folder_chosen_writes_nothing(qtbot, window, monkeypatch, out_dir):
    qtbot.keyClicks(window.lookup.search, "fernanda")
    choose_folder(monkeypatch, "")
    assert window.privacy.export_customer_data() is None
    assert list(out_dir.iterdir()) == []


def test_an_earlier_export_in_the_folder_is_not_overwritten(qtbot, window, monkeypatch, out_dir):
    qtbot.keyClicks(window.lookup.search, "fernanda")
    choose_folder(monkeypatch, out_dir)
    first = window.privacy.export_customer_data()
    assert first is not None
    pdf_before = first.pdf_path.read_bytes()
    shown = warnings_shown(monkeypatch)
    assert window.privacy.export_customer_data() is None
    assert len(shown) == 1 and "already exists; nothing was written" in shown[0]
    assert first.pdf_path.read_bytes() == pdf_before and len(list(out_dir.iterdir())) == 2


def test_with_nobody_highlighted_the_owner_is_told_to_find_the_customer(qtbot, window, monkeypatch, out_dir):
    qtbot.keyClicks(window.lookup.search, "nobody like this")
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, message: told.append(message))
    choose_folder(monkeypatch, out_dir)
    assert window.privacy.export_customer_data() is None
    assert window.privacy.confirm_erase() is None
    assert len(told) == 2 and all("Find the customer first" in message for message in told)
    assert list(out_dir.iterdir()) == []


# The right to erasure


def test_erasing_after_confirming_removes_the_customer_from_the_lookup_and_the_card(qtbot, window, context):
    qtbot.keyClicks(window.lookup.search, FERNANDA_PHONE)
    fernanda = window.lookup.current_match().id
    assert window.card.name.text() == "Fernanda Lima"
    window.privacy.erase_action.trigger()
    box = window.findChild(QMessageBox, "confirm_erase")
    assert box is not None and box.isVisible()
    assert box.text() == f"Erase Fernanda Lima?\nCustomer #{fernanda} · (21) 99876-1234"
    assert "removed for good, here and on every till" in box.informativeText()
    assert "cannot be undone" in box.informativeText()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert button(box, "erase").text() == "Erase"

    button(box, "erase").click()
    assert window.lookup.search.text() == FERNANDA_PHONE  # the same search, read again
    assert window.lookup.model.rowCount() == 0
    assert window.card.name.text() != "Fernanda Lima"
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "confirm_erase") is None)  # the question is gone too
    on_screen = " ".join(shown_texts(window))
    assert "Fernanda" not in on_screen and "Lima" not in on_screen and "sourdough" not in on_screen
    assert names_found(context, FERNANDA_PHONE) == [] and names_found(context, "fernanda") == []
    assert window.statusBar().currentMessage() == f"Customer #{fernanda} was erased."


def test_an_erased_customer_leaves_the_recent_list_and_shows_as_erased_when_found(qtbot, window, context):
    fernanda = id_of(context, "fernanda")
    window.serve_customer(fernanda)  # now the most recently seen
    window.lookup.set_query("")
    assert window.lookup.current_match().id == fernanda
    button(window.privacy.confirm_erase(), "erase").click()
    assert window.lookup.current_match() is None or window.lookup.current_match().id != fernanda
    window.card.show_customer(fernanda)  # as when staff type the customer's number
    assert window.card.name.text() == f"Erased customer #{fernanda}" and window.card.values["notes"].text() == ""


def test_cancelling_the_erasure_changes_nothing(qtbot, window, context):
    qtbot.keyClicks(window.lookup.search, FERNANDA_PHONE)
    box = window.privacy.confirm_erase()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert names_found(context, FERNANDA_PHONE) == ["Fernanda Lima"]
    assert window.card.name.text() == "Fernanda Lima"
    assert window.card.values["notes"].text() == "Prefers sourdough"
    assert "erased" not in window.statusBar().currentMessage()


def test_a_register_that_cannot_be_written_is_reported_and_the_erasure_still_shows(qtbot, window, context,
                                                                                    monkeypatch):
    register_path(context.database.path).mkdir()  # a folder where the register file should be
    shown = warnings_shown(monkeypatch)
    qtbot.keyClicks(window.lookup.search, FERNANDA_PHONE)
    button(window.privacy.confirm_erase(), "erase").click()
    assert len(shown) == 1 and "The erasure is saved in the shop file" in shown[0]
    assert names_found(context, FERNANDA_PHONE) == [] and window.lookup.model.rowCount() == 0
    assert window.statusBar().currentMessage().endswith("was erased.")


# The retention review


def test_the_review_lists_the_long_inactive_and_not_the_recent(qtbot, window, context):
    fernanda = id_of(context, "fernanda")
    age(context, fernanda)
    dialog = window.privacy.show_inactive()
    assert isinstance(dialog, InactiveCustomersDialog) and dialog.isVisible()
    assert dialog.years.value() == 3  # the shop's retention period
    model = dialog.model
    rows = [[model.index(row, column).data() for column in range(3)] for row in range(model.rowCount())]
    last_active = datetime(2015, 3, 2, 10).astimezone().strftime("%d/%m/%Y")  # naive UTC shown as the local day
    assert rows == [["Fernanda Lima", last_active, str(fernanda)]]
    assert dialog.summary.text() == "1 customer(s) listed, longest inactive first."
    assert dialog.anonymise_button.isVisibleTo(dialog) and dialog.anonymise_button.isEnabled()

    dialog.years.setValue(20)  # for this review only
    assert model.rowCount() == 0 and dialog.summary.text() == "Nobody has been inactive that long."
    assert not dialog.anonymise_button.isEnabled()
    with context.database.reading() as session:
        assert shop_settings(session).retention_years == 3  # the shop's setting is left as it was


def test_anonymise_all_listed_erases_them_and_the_list_says_how_many(qtbot, window, context):
    joao, fernanda = id_of(context, "joao"), id_of(context, "fernanda")
    age(context, joao)
    age(context, fernanda, "2019-06-01 12:00:00.000000")
    dialog = window.privacy.show_inactive()
    assert dialog.model.customer_ids() == [joao, fernanda]  # longest inactive first
    box = dialog.confirm_anonymise()
    assert "2 customer(s)" in box.text() and "cannot be undone" in box.informativeText()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    button(box, "anonymise").click()
    qtbot.waitUntil(lambda: "Anonymised 2 customer(s)" in dialog.result.text(), timeout=20_000)
    assert dialog.model.rowCount() == 0 and not dialog.anonymise_button.isEnabled()
    assert names_found(context, "joao") == [] and names_found(context, "fernanda") == []
    assert names_found(context, "Γιώργος") == ["Γιώργος Παπαδόπουλος"]  # not listed, not touched
    assert "Anonymised 2 inactive customer(s)" in window.statusBar().currentMessage()
    assert "João" not in " ".join(shown_texts(window))


def test_cancelling_anonymise_changes_nothing(qtbot, window, context):
    age(context, id_of(context, "joao"))
    dialog = window.privacy.show_inactive()
    dialog.confirm_anonymise().button(QMessageBox.StandardButton.Cancel).click()
    assert window.privacy.job is None
    assert dialog.model.rowCount() == 1 and names_found(context, "joao") == ["João da Silva"]


def test_a_register_that_cannot_be_written_is_said_in_the_review_after_anonymising(qtbot, window, context):
    age(context, id_of(context, "joao"))
    register_path(context.database.path).mkdir()
    dialog = window.privacy.show_inactive()
    button(dialog.confirm_anonymise(), "anonymise").click()
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=20_000)
    assert "The erasure is saved in the shop file" in dialog.error.text()
    assert dialog.model.rowCount() == 0 and names_found(context, "joao") == []  # saved all the same


def test_someone_who_came_back_since_the_list_was_read_is_not_anonymised(qtbot, window, context):
    joao = id_of(context, "joao")
    age(context, joao)
    dialog = window.privacy.show_inactive()
    box = dialog.confirm_anonymise()
    window.serve_customer(joao)  # João walks in while the owner reads the question
    button(box, "anonymise").click()
    qtbot.waitUntil(lambda: "Anonymised 0 customer(s)" in dialog.result.text(), timeout=20_000)
    assert names_found(context, "joao") == ["João da Silva"]


def test_the_review_model_hands_rows_to_the_view_a_page_at_a_time(qtmodeltester):
    customers = [InactiveCustomer(id=i, uuid=f"u{i}", name=f"Customer {i}", last_active_at=datetime(2015, 1, 1, 12))
                 for i in range(1, PAGE * 2 + 51)]
    model = InactiveCustomersModel(REGION)
    model.set_customers(customers)
    assert model.rowCount() == PAGE and model.canFetchMore() and model.total() == len(customers)
    assert model.customer_ids() == [c.id for c in customers]  # anonymising takes everyone, shown or not
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == len(customers)
    assert model.index(len(customers) - 1, InactiveCustomersModel.NAME).data() == f"Customer {len(customers)}"
    qtmodeltester.check(model)


# Who sees what


@pytest.fixture
def staffed(qtbot, context) -> MainWindow:
    add_team(context)
    window = MainWindow(context)
    qtbot.addWidget(window)
    return window


def test_a_cashier_does_not_see_the_privacy_menu(qtbot, staffed):
    sign_in_as(qtbot, staffed, "Caio")
    assert not staffed.privacy.menu.menuAction().isVisible()
    for action in (staffed.privacy.export_action, staffed.privacy.erase_action, staffed.privacy.inactive_action):
        assert not action.isVisible() and not action.isEnabled()


def test_a_manager_reviews_inactive_customers_but_may_not_anonymise_export_or_erase(qtbot, staffed, context):
    age(context, customer_number(context, "João"))
    sign_in_as(qtbot, staffed, "Mauro")
    privacy = staffed.privacy
    assert privacy.menu.menuAction().isVisible()
    assert privacy.inactive_action.isVisible() and privacy.inactive_action.isEnabled()
    assert not privacy.export_action.isVisible() and not privacy.erase_action.isVisible()
    dialog = privacy.show_inactive()
    assert dialog.model.rowCount() == 1
    assert not dialog.anonymise_button.isVisibleTo(dialog) and dialog.owner_hint.isVisibleTo(dialog)
    assert dialog.confirm_anonymise() is None


def test_the_owner_signed_in_gets_all_three_and_locking_closes_the_review(qtbot, staffed, context):
    age(context, customer_number(context, "João"))
    sign_in_as(qtbot, staffed, "Olga")
    privacy = staffed.privacy
    assert all(a.isVisible() and a.isEnabled() for a in (privacy.export_action, privacy.erase_action,
                                                          privacy.inactive_action))
    dialog = privacy.show_inactive()
    assert dialog.anonymise_button.isVisibleTo(dialog)
    staffed.lock()
    assert not dialog.isVisible() and privacy.review is None
