from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.services.customers import CustomerDetails, add_customer
from desktop.services.demo import add_demo_customers
from desktop.ui.customer_results_model import PAGE, CustomerResultsModel
from desktop.ui.lookup_panel import LookupPanel


def _names(panel: LookupPanel) -> list[str]:
    model = panel.model
    return [model.index(row, CustomerResultsModel.NAME).data() for row in range(model.rowCount())]


def test_typing_a_phone_in_any_format_finds_the_customer(qtbot, context):
    panel = LookupPanel(context)
    qtbot.addWidget(panel)
    for typed in ("(11) 98765-4321", "+55 11 98765 4321", "011 98765-4321", "4321"):
        panel.search.clear()
        qtbot.keyClicks(panel.search, typed)
        assert _names(panel)[0] == "João da Silva", typed


def test_name_prefix_ignores_case_accents_and_script(qtbot, context):
    panel = LookupPanel(context)
    qtbot.addWidget(panel)
    panel.search.insert("παπαδοπουλος")  # QTest types ASCII only
    assert _names(panel) == ["Γιώργος Παπαδόπουλος"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "JOAO")
    assert _names(panel) == ["João da Silva"]


def test_results_update_while_typing_and_show_when_nothing_matches(qtbot, context):
    panel = LookupPanel(context)
    qtbot.addWidget(panel)
    assert panel.model.rowCount() == 3  # recent customers before anything is typed
    qtbot.keyClicks(panel.search, "Fer")
    assert _names(panel) == ["Fernanda Lima"]
    qtbot.keyClicks(panel.search, "zzz")
    assert panel.model.rowCount() == 0
    assert "No customer found" in panel.summary.text()


def test_enter_opens_the_highlighted_customer_and_arrows_move(qtbot, context):
    panel = LookupPanel(context)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.model.rowCount() == 3  # recent customers
    qtbot.keyClick(panel.search, Qt.Key.Key_Down)
    second = panel.model.match_at(1)
    with qtbot.waitSignal(panel.openRequested) as opened:
        qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert opened.args == [second.id]
    assert panel.search.hasFocus() or not panel.isActiveWindow()


def test_new_customer_prefill_uses_what_was_typed(qtbot, context):
    panel = LookupPanel(context)
    qtbot.addWidget(panel)
    panel.search.setText("(31) 99999-0000")
    assert panel.new_customer_prefill() == {"phone": "(31) 99999-0000"}
    panel.search.setText("ana@example.org")
    assert panel.new_customer_prefill() == {"email": "ana@example.org"}
    panel.search.setText("Ana Maria Costa")
    assert panel.new_customer_prefill() == {"first_name": "Ana", "last_name": "Maria Costa"}


def test_results_model_pages_and_obeys_qt_model_rules(qtbot, qtmodeltester, context):
    with context.database.writing() as session:
        add_demo_customers(session, "BR", PAGE * 3, seed=5)
    model = CustomerResultsModel(context)
    model.set_query("")
    assert model.rowCount() == PAGE  # one page, not the whole book
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == PAGE * 2
    qtmodeltester.check(model)
    model.set_query("(11) 98765-4321")
    assert model.rowCount() == 1
    assert not model.canFetchMore()
    qtmodeltester.check(model)


def test_customer_text_is_never_rendered_as_markup(qtbot, context):
    with context.database.writing() as session:
        add_customer(session, CustomerDetails(first_name="<b>Bold</b>", last_name="& Co", email="b@example.com"), "BR")
    panel = LookupPanel(context)
    qtbot.addWidget(panel)
    qtbot.keyClicks(panel.search, "<b>")
    assert _names(panel) == ["<b>Bold</b> & Co"]
