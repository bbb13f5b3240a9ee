from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.services.lookup import find_customers
from desktop.services.phone_calls import CallLog, log_call, open_follow_ups
from desktop.ui.call_dialog import CallDialog
from desktop.ui.follow_ups_panel import OVERDUE, FollowUpsPanel


def _log(context, **values) -> int:
    today = values.pop("today", None)
    with context.database.writing() as session:
        return log_call(session, CallLog(**values), context.region, today=today).id


def _panel(qtbot, context) -> FollowUpsPanel:
    panel = FollowUpsPanel(context)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_none_due_is_said_briefly(qtbot, context):
    panel = _panel(qtbot, context)
    assert panel.title.text() == "Follow-ups (0)"
    assert panel.empty.isVisible() and panel.empty.text() == "No follow-ups due."
    assert not panel.tree.isVisible()


def test_a_follow_up_ticked_in_the_call_dialog_appears_and_done_removes_it(qtbot, context):
    panel = _panel(qtbot, context)
    dialog = CallDialog(context)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.phone, "11987654321")
    dialog.reason.setCurrentIndex(dialog.reason.findData("Complaint"))
    dialog.notes.setPlainText("Bread was stale\nCall back after 5")
    dialog.follow_up.setChecked(True)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    panel.refresh()
    call_id = saved.args[0]
    assert panel.shown_calls() == [call_id]
    assert panel.title.text() == "Follow-ups (1)"
    item = panel.tree.topLevelItem(0)
    assert item.text(panel.DATE) == "Tomorrow"
    assert item.text(panel.WHO) == "João da Silva"
    assert item.text(panel.REASON) == "Complaint"
    assert item.text(panel.NOTES) == "Bread was stale"  # the first line only
    panel.done_button(call_id).click()
    assert panel.shown_calls() == []
    assert panel.empty.isVisible()
    with context.database.reading() as session:
        assert open_follow_ups(session) == []


def test_overdue_in_dark_red_today_by_name_and_unknown_callers_by_number(qtbot, context):
    today = date.today()
    overdue = _log(context, reason="Question", phone="(31) 99123-4567", follow_up_on=today - timedelta(days=3),
                   today=today - timedelta(days=5))
    due_today = _log(context, reason="Order", phone="(11) 98765-4321", follow_up_on=today)
    later = _log(context, reason="Other", phone="(11) 98765-4321", follow_up_on=today + timedelta(days=10))
    panel = _panel(qtbot, context)
    assert panel.shown_calls() == [overdue, due_today, later]  # the most pressing first
    first, second, third = (panel.tree.topLevelItem(i) for i in range(3))
    assert first.foreground(panel.DATE).color() == OVERDUE
    assert first.text(panel.WHO) == "(31) 99123-4567"
    assert second.text(panel.DATE) == "Today"
    assert second.foreground(panel.DATE).color() != OVERDUE
    assert third.text(panel.DATE) not in ("Today", "Tomorrow") and third.text(panel.DATE)


def test_double_click_on_a_customer_row_chooses_the_customer(qtbot, context):
    with context.database.reading() as session:
        joao = find_customers(session, "joão", "BR")[0]
    _log(context, reason="Question", customer_id=joao.id, follow_up_on=date.today())
    panel = _panel(qtbot, context)
    qtbot.waitExposed(panel)
    rect = panel.tree.visualItemRect(panel.tree.topLevelItem(0))
    with qtbot.waitSignal(panel.customerChosen) as chosen:
        QTest.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click
        QTest.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen.args == [joao.id]


def test_done_can_be_undone_for_a_few_seconds(qtbot, context):
    call_id = _log(context, reason="Question", phone="11987654321", follow_up_on=date.today())
    panel = _panel(qtbot, context)
    panel.done_button(call_id).click()
    assert panel.shown_calls() == []
    assert panel.undo_bar.isVisible()
    assert panel.undo_text.text() == "Follow-up with João da Silva done."
    panel.undo_button.click()
    assert panel.shown_calls() == [call_id]
    assert not panel.undo_bar.isVisible()
    with context.database.reading() as session:
        assert [call.id for call in open_follow_ups(session)] == [call_id]


def test_undo_is_offered_only_for_a_while(qtbot, context, monkeypatch):
    monkeypatch.setattr("desktop.ui.follow_ups_panel.UNDO_MS", 50)
    call_id = _log(context, reason="Question", phone="11987654321", follow_up_on=date.today())
    panel = _panel(qtbot, context)
    panel.done_button(call_id).click()
    qtbot.waitUntil(lambda: not panel.undo_bar.isVisible(), timeout=2000)
    assert panel.shown_calls() == []
