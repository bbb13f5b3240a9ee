"""The audit viewer: the trail newest first, a page at a time, filtered, and a chain check that finds tampering."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QDate, Qt
from sqlalchemy import text

from desktop.models.base import utc_now
from desktop.services import audit
from desktop.services.staff import add_staff, change_staff, lock, sign_in
from desktop.ui.audit_window import AuditTableModel, AuditWindow, details_text
from desktop.ui.main_window import MainWindow


def _trail(context) -> None:
    """Olga (owner) adds Caio, who signs in with a wrong PIN, then the right one, and locks."""
    database = context.database
    with database.writing() as session:
        add_staff(session, "Olga", "owner", "2468")
        add_staff(session, "Caio", "cashier", "1357")
        change_staff(session, "Caio", role="manager")
    database.acting = None
    try:
        sign_in(database, "Caio", "9999")
    except Exception:  # noqa: BLE001 - the wrong PIN is the point
        pass
    sign_in(database, "Caio", "1357")
    lock(database)
    sign_in(database, "Olga", "2468")


def _column(model: AuditTableModel, column: int) -> list[str]:
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _window(qtbot, context) -> AuditWindow:
    window = AuditWindow(context)
    qtbot.addWidget(window)
    return window


def test_entries_show_newest_first_with_labels_and_no_values(qtbot, qtmodeltester, context):
    _trail(context)
    window = _window(qtbot, context)
    model = window.model
    qtmodeltester.check(model)
    actions = _column(model, AuditTableModel.ACTION)
    assert actions[:5] == ["Signed in", "Locked", "Signed in", "Wrong PIN", "Staff account changed"]
    assert _column(model, AuditTableModel.STAFF)[:4] == ["Olga", "Caio", "Caio", "Caio"]
    assert _column(model, AuditTableModel.ROLE)[:2] == ["Owner", "Manager"]
    subject = model.index(0, AuditTableModel.SUBJECT)
    assert subject.data() == "Staff Olga"  # as the owner knows her, not by UUID
    assert len(subject.data(Qt.ItemDataRole.ToolTipRole)) == 36  # the whole UUID
    assert model.index(4, AuditTableModel.DETAILS).data() == "fields: role"
    when = model.index(0, AuditTableModel.WHEN).data()
    assert when.count(":") == 2  # local time to the second
    assert "1357" not in " ".join(_column(model, AuditTableModel.DETAILS))


def test_details_are_field_names_and_counts():
    assert details_text('{"fields": ["email", "phones"], "rows": 3}') == "fields: email, phones; rows: 3"
    assert details_text('{"locked": true}') == "locked: yes"
    assert details_text("") == ""


def test_the_model_pages_as_the_view_scrolls(qtmodeltester, context):
    with context.database.writing() as session:
        for _ in range(AuditTableModel.page_size + 30):
            audit.record(session, audit.PRINTED, details={"pages": 1})
    model = AuditTableModel(context)
    model.refresh()
    assert model.rowCount() == AuditTableModel.page_size and model.canFetchMore()
    first_page_ids = [model.row_at(row).id for row in range(model.rowCount())]
    with context.database.writing() as session:
        audit.record(session, audit.LOCKED)  # written while the owner reads: it does not shift the pages
    model.fetchMore()
    ids = [model.row_at(row).id for row in range(model.rowCount())]
    assert ids[: len(first_page_ids)] == first_page_ids
    assert len(ids) == len(set(ids)) and ids == sorted(ids, reverse=True) and not model.canFetchMore()
    assert _column(model, AuditTableModel.ACTION).count("Printed") == AuditTableModel.page_size + 30
    assert "Locked" not in _column(model, AuditTableModel.ACTION)
    model.refresh()
    assert model.index(0, AuditTableModel.ACTION).data() == "Locked"  # a fresh look shows it
    qtmodeltester.check(model)


def test_filters_by_action_staff_and_dates(qtbot, context):
    _trail(context)
    window = _window(qtbot, context)
    window.action.setCurrentIndex(window.action.findData(audit.SIGN_IN_FAILED))
    assert _column(window.model, AuditTableModel.ACTION) == ["Wrong PIN"]
    window.action.setCurrentIndex(0)
    window.staff.setCurrentIndex(window.staff.findData("Olga"))
    assert set(_column(window.model, AuditTableModel.STAFF)) == {"Olga"}
    window.staff.setCurrentIndex(0)
    window.dated.setChecked(True)
    everything = window.model.rowCount()
    assert everything > 5
    window.since.setDate(QDate.currentDate().addDays(2))
    window.until.setDate(QDate.currentDate().addDays(3))
    assert window.model.rowCount() == 0
    window.since.setDate(QDate.currentDate().addDays(-1))
    window.until.setDate(QDate.currentDate())
    assert window.model.rowCount() == everything
    assert window.wanted().until > utc_now() - timedelta(hours=1)


def test_check_chain_says_intact_then_finds_an_edited_entry(qtbot, context):
    _trail(context)
    window = _window(qtbot, context)
    window.check_button.click()
    qtbot.waitUntil(lambda: window.check_button.isEnabled(), timeout=10_000)
    assert window.chain_result.text().startswith("The audit trail is intact: all ")

    target = window.model.row_at(3).id
    with context.database.writing() as session:  # behind the app's back, as someone with the key could
        session.execute(text("DROP TRIGGER audit_entries_no_update"))
        session.execute(text("UPDATE audit_entries SET staff_name = 'Olga' WHERE id = :id"), {"id": target})
    window.check_button.click()
    qtbot.waitUntil(lambda: window.check_button.isEnabled(), timeout=10_000)
    result = window.chain_result.text()
    assert f"the chain breaks at entry #{target}" in result and "tampered" in result
    assert "contents were changed" in result
    assert window.model.broken_at == target
    row = window.model.row_of(target)
    assert window.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert window.table.currentIndex().row() == row


def test_the_owner_opens_it_from_the_window(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    viewer = window.show_audit()
    assert viewer.isVisible() and window.show_audit() is viewer
    window.lock()
    assert not viewer.isVisible()


def test_an_entry_names_its_customer_and_opens_them(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    viewer = window.show_audit()
    model = viewer.model
    subjects = _column(model, AuditTableModel.SUBJECT)
    assert "Customer Fernanda Lima" in subjects  # not "Customer 69427237"
    row = subjects.index("Customer Fernanda Lima")
    viewer.table.setCurrentIndex(model.index(row, AuditTableModel.SUBJECT))
    qtbot.keyClick(viewer.table, Qt.Key.Key_Return)
    assert window.card.name.text() == "Fernanda Lima"
    assert window.lookup.current_match().full_name == "Fernanda Lima"  # highlighted: F4 acts on her
