"""Export from the window: the mailing-list dialog (worker, count shown, cancel) and the vCard action."""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from desktop.services import exports
from desktop.services.consents import record_consents
from desktop.services.customers import CustomerDetails, add_customer
from desktop.ui.export_actions import ExportActions, MailingListDialog


@pytest.fixture
def consented(context):
    """João (customer 1, with an email) agrees to email offers; the others were never asked."""
    with context.database.writing() as session:
        record_consents(session, 1, {"email": True, "sms": True}, notice_version=1, source="counter")
    return context


@pytest.fixture
def window(qtbot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


@pytest.fixture
def out_dir(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


class Selection:
    """What the main window would say: the highlighted customer and the search box's text."""

    def __init__(self, current: int | None = None, query: str = "") -> None:
        self.current, self.query = current, query


@pytest.fixture
def selection() -> Selection:
    return Selection()


@pytest.fixture
def actions(consented, window, selection) -> ExportActions:
    return ExportActions(consented, lambda: selection.current, lambda: selection.query, window)


def choose_file(monkeypatch, path: Path | str) -> list[tuple]:
    calls = []

    def fake(*args, **kwargs):
        calls.append(args)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return calls


def read_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    return [[c[1:] if c.startswith("'") else c for c in row] for row in rows]


def test_the_menu_holds_both_actions(actions):
    assert [a.text() for a in actions.menu.actions()] == ["Export mailing list…", "Export contacts (vCard)…"]


def test_mailing_list_dialog_writes_the_list_and_shows_the_count(qtbot, actions, monkeypatch, out_dir, window):
    dialog = actions.export_mailing_list()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, MailingListDialog)
    assert dialog.selected_channel() == "email"
    choose_file(monkeypatch, out_dir / "for-mailchimp")  # typed without the extension
    dialog.choose.click()
    assert dialog.path.text() == str(out_dir / "for-mailchimp.csv")
    with qtbot.waitSignal(dialog.exported, timeout=20_000) as exported:
        dialog.export_button.click()
    assert exported.args == [1, str(out_dir / "for-mailchimp.csv")]
    assert dialog.result.text() == f"Wrote 1 customer(s) to {out_dir / 'for-mailchimp.csv'}."
    assert read_rows(out_dir / "for-mailchimp.csv") == [
        ["email", "first_name", "last_name", "tags"],
        ["joao@example.com", "João", "da Silva", ""],
    ]
    assert not (out_dir / "for-mailchimp.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "1 customer(s)" in window.statusBar().currentMessage()


def test_for_excel_writes_a_bom_and_the_channel_is_respected(qtbot, consented, monkeypatch, out_dir):
    dialog = MailingListDialog(consented)
    qtbot.addWidget(dialog)
    dialog.channel.setCurrentIndex(dialog.channel.findData("sms"))
    dialog.bom.setChecked(True)
    choose_file(monkeypatch, out_dir / "sms.csv")
    with qtbot.waitSignal(dialog.exported, timeout=20_000):
        dialog.export_button.click()  # no file chosen yet: the chooser opens first
    data = (out_dir / "sms.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfphone,first_name,last_name,tags\r\n")
    assert read_rows(out_dir / "sms.csv")[1] == ["+5511987654321", "João", "da Silva", ""]


def test_no_file_chosen_writes_nothing(qtbot, consented, monkeypatch, out_dir):
    dialog = MailingListDialog(consented)
    qtbot.addWidget(dialog)
    choose_file(monkeypatch, "")
    assert dialog.export() is None
    assert list(out_dir.iterdir()) == []


def test_cancel_while_writing_leaves_no_file(qtbot, consented, monkeypatch, out_dir):
    """The export waits after its first row until the test lets it go, so Cancel lands mid-way."""
    release = threading.Event()
    real_list = exports.marketing_list

    def held(session, channel):
        for row in real_list(session, channel):
            yield row
            release.wait(10)

    monkeypatch.setattr(exports, "marketing_list", held)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    dialog = MailingListDialog(consented)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(out_dir / "list.csv"))
    job = dialog.export()
    assert not dialog.export_button.isEnabled()
    dialog.cancel_button.click()
    release.set()
    job.wait(10)
    qtbot.waitUntil(lambda: "cancelled" in dialog.result.text(), timeout=5_000)
    assert list(out_dir.iterdir()) == []
    assert dialog.export_button.isEnabled()


def test_a_failure_is_shown_in_the_dialog(qtbot, consented, out_dir):
    dialog = MailingListDialog(consented)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(out_dir / "missing" / "list.csv"))
    job = dialog.export()
    job.wait(10)
    qtbot.waitUntil(lambda: "There is no folder" in dialog.result.text(), timeout=5_000)


def test_closing_the_dialog_while_writing_stops_the_export(qtbot, consented, monkeypatch, out_dir):
    release = threading.Event()
    real_list = exports.marketing_list

    def held(session, channel):
        for row in real_list(session, channel):
            yield row
            release.wait(10)

    monkeypatch.setattr(exports, "marketing_list", held)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    dialog = MailingListDialog(consented)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(out_dir / "list.csv"))
    job = dialog.export()
    threading.Timer(0.2, release.set).start()
    dialog.reject()
    assert not job.running()
    assert list(out_dir.iterdir()) == []


# Contacts


def cards_in(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8").replace("\r\n ", "")
    return [line[3:] for line in text.split("\r\n") if line.startswith("FN:")]


def test_contacts_of_the_highlighted_customer(actions, selection, monkeypatch, out_dir, window):
    selection.current = 2
    calls = choose_file(monkeypatch, out_dir / "giorgos")
    assert actions.export_contacts() == 1
    assert calls[0][2].endswith("contact.vcf")
    assert cards_in(out_dir / "giorgos.vcf") == ["Γιώργος Παπαδόπουλος"]
    assert "1 contact(s)" in window.statusBar().currentMessage()


def test_contacts_of_all_search_results_or_only_the_highlighted_one(actions, selection, monkeypatch, out_dir):
    with actions._context.database.writing() as session:
        add_customer(session, CustomerDetails(first_name="Joana", phones=["(11) 91111-2222"]), "BR")
    selection.current, selection.query = 1, "jo"
    choose_file(monkeypatch, out_dir / "all.vcf")
    asked = []
    monkeypatch.setattr(actions, "ask_scope", lambda count, query, one: asked.append((count, query, one)) or "all")
    assert actions.export_contacts() == 2
    assert asked == [(2, "jo", True)]
    assert sorted(cards_in(out_dir / "all.vcf")) == ["Joana", "João da Silva"]

    choose_file(monkeypatch, out_dir / "one.vcf")
    monkeypatch.setattr(actions, "ask_scope", lambda count, query, one: "one")
    assert actions.export_contacts() == 1
    assert cards_in(out_dir / "one.vcf") == ["João da Silva"]

    monkeypatch.setattr(actions, "ask_scope", lambda count, query, one: None)
    assert actions.export_contacts() is None
    assert sorted(p.name for p in out_dir.iterdir()) == ["all.vcf", "one.vcf"]


def test_the_scope_question_offers_all_and_the_highlighted_one(actions, monkeypatch):
    seen = []

    def fake_exec(box):
        seen.append([b.text() for b in box.buttons()])
        all_button = next(b for b in box.buttons() if b.text().startswith("All"))
        all_button.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    assert actions.ask_scope(7, "silva", True) == "all"
    assert any("All 7" in text for text in seen[0])
    assert any("highlighted" in text for text in seen[0])


def test_a_single_search_result_is_exported_without_asking(actions, selection, monkeypatch, out_dir):
    selection.current, selection.query = 3, "fernanda"
    choose_file(monkeypatch, out_dir / "f.vcf")
    monkeypatch.setattr(actions, "ask_scope", lambda *args: pytest.fail("asked"))
    assert actions.export_contacts() == 1
    assert cards_in(out_dir / "f.vcf") == ["Fernanda Lima"]


def test_nobody_highlighted_says_so_and_writes_nothing(actions, monkeypatch, out_dir):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    choose_file(monkeypatch, out_dir / "x.vcf")
    assert actions.export_contacts() is None
    assert shown and "Find a customer" in shown[0]
    assert list(out_dir.iterdir()) == []


def test_cancelling_the_file_chooser_writes_nothing(actions, selection, monkeypatch, out_dir):
    selection.current = 1
    choose_file(monkeypatch, "")
    assert actions.export_contacts() is None
    assert list(out_dir.iterdir()) == []


def test_too_many_results_are_refused_with_a_message(actions, selection, monkeypatch):
    with actions._context.database.writing() as session:
        for name, phone in (("Ana", "(11) 91111-0001"), ("Amanda", "(11) 91111-0002")):
            add_customer(session, CustomerDetails(first_name=name, phones=[phone]), "BR")
    selection.query = "a"
    real = exports.customers_matching
    monkeypatch.setattr(
        exports, "customers_matching", lambda session, query, region: real(session, query, region, limit=1)
    )
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    assert actions.contacts_to_export() is None
    assert "narrow the search" in shown[0]


def test_the_main_window_has_an_export_submenu_that_follows_the_search(qtbot, consented, monkeypatch, out_dir):
    from desktop.ui.main_window import MainWindow

    window = MainWindow(consented)
    qtbot.addWidget(window)
    customers_menu = window.menuBar().actions()[0].menu()
    submenus = [a.menu() for a in customers_menu.actions() if a.menu() is not None]
    export_menu = next(m for m in submenus if m.objectName() == "export_menu")
    assert [a.objectName() for a in export_menu.actions()] == ["export_mailing_list", "export_contacts"]
    qtbot.keyClicks(window.lookup.search, "fernanda")
    choose_file(monkeypatch, out_dir / "f.vcf")
    window.exports.contacts_action.trigger()
    assert cards_in(out_dir / "f.vcf") == ["Fernanda Lima"]
    window.exports.mailing_list_action.trigger()
    assert isinstance(window.exports.dialog, MailingListDialog)
    window.exports.dialog.reject()
