"""Sync from the window: export and import on a worker behind a progress dialog, the report, the status label."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QFileDialog, QMainWindow

from desktop.context import ShopContext
from desktop.sync.export import ExportReport
from desktop.sync.report import ImportReport
from desktop.ui import sync_actions as module
from desktop.ui.sync_actions import SyncActions
from tests.sync_helpers import SYNC_PASSPHRASE, dump, new_till


@pytest.fixture
def window(qtbot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def actions(context, window) -> SyncActions:
    actions = SyncActions(context, window)
    window.statusBar().addPermanentWidget(actions.status_label)
    window.menuBar().addMenu(actions.menu)
    yield actions
    actions.shutdown()


def test_export_from_the_menu_writes_the_bundle_and_shows_the_last_export(qtbot, actions, tmp_path, monkeypatch):
    assert actions.status_label.text() == "No sync export yet"
    assert [a.objectName() for a in actions.menu.actions()] == [
        "export_sync_bundle", "export_full_sync_bundle", "import_sync_bundle", "sync_conflicts"]
    monkeypatch.setattr(actions, "ask_export_path", lambda: tmp_path / "till-a.zip")
    monkeypatch.setattr(actions, "ask_passphrase", lambda *, confirm: SYNC_PASSPHRASE)
    with qtbot.waitSignal(actions.finished, timeout=20_000) as finished:
        actions.export_action.trigger()
    report = finished.args[0]
    assert isinstance(report, ExportReport) and report.customers == 3
    assert (tmp_path / "till-a.zip").exists()
    assert actions.status_label.text().startswith("Last export: ")


def test_import_from_the_menu_shows_the_report(qtbot, context, actions, shop_template, tmp_path, monkeypatch):
    other = new_till(shop_template, tmp_path, "other")
    try:
        actions.export_to(tmp_path / "a.zip", SYNC_PASSPHRASE)
        qtbot.waitUntil(lambda: not actions.busy(), timeout=20_000)
        other_actions = SyncActions(ShopContext.load(other), actions.parent())
        monkeypatch.setattr(other_actions, "ask_import_path", lambda: tmp_path / "a.zip")
        monkeypatch.setattr(other_actions, "ask_passphrase", lambda *, confirm: SYNC_PASSPHRASE)
        shown = []
        monkeypatch.setattr(other_actions, "show_report", lambda report: shown.append(report))
        with qtbot.waitSignal(other_actions.finished, timeout=20_000) as finished:
            other_actions.import_action.trigger()
        report = finished.args[0]
        assert isinstance(report, ImportReport) and report.counts("customers").added == 3
        assert shown == [report]
        assert dump(other) == dump(context.database)
        box = SyncActions.show_report(other_actions, report)
        assert "Added" in box.text() and "customers" in box.detailedText()
        box.close()
        other_actions.shutdown()
    finally:
        other.close()


def test_a_new_till_joins_from_everything_and_is_told_why_changes_alone_are_refused(
    qtbot, context, actions, shop_template, tmp_path, monkeypatch
):
    monkeypatch.setattr(actions, "ask_passphrase", lambda *, confirm: SYNC_PASSPHRASE)
    monkeypatch.setattr(actions, "ask_export_path", lambda: tmp_path / "changes.zip")
    with qtbot.waitSignal(actions.finished, timeout=20_000):
        actions.export_action.trigger()
    qtbot.waitUntil(lambda: not actions.busy(), timeout=20_000)  # finished is emitted before the thread ends
    with context.database.writing() as session:  # the shop's first records now lie before the export's margin
        session.connection().exec_driver_sql(
            "UPDATE privacy_notices SET published_at = '2020-01-01 09:00:00.000000', updated_at = published_at")
    monkeypatch.setattr(actions, "ask_export_path", lambda: tmp_path / "changes-2.zip")
    with qtbot.waitSignal(actions.finished, timeout=20_000) as changes:
        actions.export_action.trigger()
    assert not changes.args[0].manifest.full
    qtbot.waitUntil(lambda: not actions.busy(), timeout=20_000)
    monkeypatch.setattr(actions, "ask_export_path", lambda: tmp_path / "everything.zip")
    with qtbot.waitSignal(actions.finished, timeout=20_000) as everything:
        actions.export_full_action.trigger()
    assert everything.args[0].manifest.full

    new = new_till(shop_template, tmp_path, "new")
    try:
        new_actions = SyncActions(ShopContext.load(new), actions.parent())
        warnings = []
        monkeypatch.setattr(module.QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
        new_actions.import_from(tmp_path / "changes-2.zip", SYNC_PASSPHRASE)
        qtbot.waitUntil(lambda: bool(warnings), timeout=20_000)
        assert "this till is new to the shop; nothing was imported" in warnings[0]
        assert "Sync > Export everything for a new till" in warnings[0]
        qtbot.waitUntil(lambda: not new_actions.busy(), timeout=20_000)
        with qtbot.waitSignal(new_actions.finished, timeout=20_000):
            new_actions.import_from(tmp_path / "everything.zip", SYNC_PASSPHRASE)
        assert dump(new) == dump(context.database)
        new_actions.shutdown()
    finally:
        new.close()


def test_cancel_leaves_no_bundle_and_the_window_responsive(qtbot, actions, tmp_path, monkeypatch):
    release = threading.Event()
    real = module.export_bundle

    def held(database, out, *, passphrase, full, progress, cancelled, **rest):
        def slow(done, total):
            progress(done, total)
            release.wait(10)
        return real(database, out, passphrase=passphrase, full=full, progress=slow, cancelled=cancelled, **rest)

    monkeypatch.setattr(module, "export_bundle", held)
    job = actions.export_to(tmp_path / "never.zip", SYNC_PASSPHRASE)
    assert actions.busy()
    job.cancel()
    release.set()
    qtbot.waitUntil(lambda: not actions.busy(), timeout=20_000)
    qtbot.wait(50)
    assert not (tmp_path / "never.zip").exists()
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    assert actions.status_label.text() == "No sync export yet"


def test_a_wrong_passphrase_is_told_and_nothing_changes(qtbot, actions, context, tmp_path, monkeypatch):
    actions.export_to(tmp_path / "a.zip", SYNC_PASSPHRASE)
    qtbot.waitUntil(lambda: not actions.busy(), timeout=20_000)
    warnings = []
    monkeypatch.setattr(module.QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    before = dump(context.database)
    actions.import_from(tmp_path / "a.zip", "not the sync passphrase")
    qtbot.waitUntil(lambda: bool(warnings), timeout=20_000)
    assert "Wrong sync passphrase" in warnings[0]
    assert dump(context.database) == before


def test_closing_the_file_dialog_does_nothing(actions, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    assert actions.export_bundle() is None
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: ("", ""))
    assert actions.import_bundle() is None
    assert not actions.busy()


def test_the_owner_keeps_a_value_back_from_the_conflicts_list(qtbot, context, actions, shop_template, tmp_path):
    from desktop.services.customers import change_customer, get_customer
    from desktop.sync.export import export_bundle
    from desktop.sync.importer import import_bundle

    other = new_till(shop_template, tmp_path, "other")
    try:
        def carry(source, target, name):
            export_bundle(source, tmp_path / name, passphrase=SYNC_PASSPHRASE)
            import_bundle(target, tmp_path / name, passphrase=SYNC_PASSPHRASE)

        carry(context.database, other, "start.zip")
        with context.database.reading() as session:
            uuid = get_customer(session, 1).uuid
        with context.database.writing() as session:
            change_customer(session, uuid, context.region, changes={"city": "Lisboa"})
        with other.writing() as session:
            change_customer(session, uuid, context.region, changes={"city": "Porto"})  # later: kept
        carry(other, context.database, "back.zip")

        dialog = actions.show_conflicts()
        qtbot.addWidget(dialog)
        assert dialog.table.rowCount() == 1
        with context.database.reading() as session:
            name = " ".join(part for part in (get_customer(session, uuid).first_name,
                                               get_customer(session, uuid).last_name) if part)
        assert [dialog.table.item(0, column).text() for column in range(4)] == [name, "city", "Lisboa", "Porto"]
        qtbot.mouseClick(dialog.keep_mine_button, module.Qt.MouseButton.LeftButton)
        assert dialog.table.rowCount() == 0
        with context.database.reading() as session:
            assert get_customer(session, uuid).city == "Lisboa"
    finally:
        other.close()


def test_a_bundle_from_a_clock_far_ahead_is_imported_only_when_the_person_accepts(
        qtbot, context, actions, shop_template, tmp_path, monkeypatch):
    from datetime import timedelta

    from desktop.models.base import utc_now
    from desktop.services.customers import CustomerDetails, add_customer
    from desktop.sync.export import export_bundle

    from desktop.sync.importer import import_bundle

    other = new_till(shop_template, tmp_path, "ahead")
    try:
        export_bundle(context.database, tmp_path / "start.zip", passphrase=SYNC_PASSPHRASE)
        import_bundle(other, tmp_path / "start.zip", passphrase=SYNC_PASSPHRASE)
        other.clock = lambda: utc_now() + timedelta(days=3)
        with other.writing() as session:
            add_customer(session, CustomerDetails(first_name="Zoe", phones=["(11) 97777-0000"]), "BR")
        export_bundle(other, tmp_path / "ahead.zip", passphrase=SYNC_PASSPHRASE)
    finally:
        other.close()
    asked = []
    monkeypatch.setattr(actions, "ask_accept_clock_ahead", lambda message: asked.append(message) or len(asked) > 1)
    monkeypatch.setattr(actions, "_show_failure", lambda error: None)
    monkeypatch.setattr(actions, "show_report", lambda report: None)
    # First answer: no. Nothing is imported.
    actions.import_from(tmp_path / "ahead.zip", SYNC_PASSPHRASE)
    qtbot.waitUntil(lambda: len(asked) == 1 and not actions.busy(), timeout=20_000)
    assert "more than a day ahead" in asked[0]
    # Second time: yes. The import runs again, accepting the clock.
    with qtbot.waitSignal(actions.finished, timeout=30_000) as finished:
        actions.import_from(tmp_path / "ahead.zip", SYNC_PASSPHRASE)
    assert isinstance(finished.args[0], ImportReport) and finished.args[0].counts("customers").added == 1
