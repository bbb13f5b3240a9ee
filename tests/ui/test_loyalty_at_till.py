from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from desktop.services import loyalty
from desktop.services.card_codes import display
from desktop.ui.main_window import MainWindow


def _program(context, name="Coffee card", reward_at=3, **more):
    settings = loyalty.ProgramSettings(name=name, kind=more.pop("kind", "stamps"), reward_at=reward_at,
                                       reward_description=more.pop("reward", "Free coffee"), **more)
    with context.database.writing() as session:
        return loyalty.add_program(session, settings).id


def _balance(context, customer_id, program_id):
    with context.database.reading() as session:
        return loyalty.balance_of(session, customer_id, program_id)


def _answer_next_modal(button_text_or_role):
    def answer():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox), box
        button = box.button(button_text_or_role)
        button.click()

    QTimer.singleShot(0, answer)


def test_stamp_with_one_key_until_a_reward_then_redeem_after_confirming(qtbot, context):
    program_id = _program(context)
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    customer_id = window.lookup.current_match().id
    for _ in range(3):
        window.loyalty.stamp_action.trigger()  # F4
    assert _balance(context, customer_id, program_id) == 3
    assert "3 stamps — reward ready" in window.card.loyalty.text()
    assert window.card.reward.isVisibleTo(window.card)
    assert "Free coffee" in window.card.reward.text()
    assert "reward due" in window.statusBar().currentMessage()

    _answer_next_modal(QMessageBox.StandardButton.No)
    window.loyalty.redeem_action.trigger()  # F6, then "No": nothing changes
    assert _balance(context, customer_id, program_id) == 3

    _answer_next_modal(QMessageBox.StandardButton.Yes)
    window.loyalty.redeem_action.trigger()
    assert _balance(context, customer_id, program_id) == 0
    assert "0 of 3" in window.card.loyalty.text()
    assert not window.card.reward.isVisibleTo(window.card)


def test_f4_is_the_stamp_shortcut(qtbot, context):
    _program(context)
    window = MainWindow(context)
    qtbot.addWidget(window)
    assert window.loyalty.stamp_action.shortcut().toString() == "F4"
    assert window.loyalty.redeem_action.shortcut().toString() == "F6"


def test_second_key_picks_the_programme_when_there_are_several(qtbot, context):
    _program(context, "Coffee card")
    cakes = _program(context, "Cake card", reward_at=5, reward="Free cake")
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.lookup.search, "fernanda")
    customer_id = window.lookup.current_match().id

    def press_two():
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        qtbot.keyClick(menu, Qt.Key.Key_2)

    QTimer.singleShot(50, press_two)
    window.loyalty.stamp_action.trigger()
    assert _balance(context, customer_id, cakes) == 1


def test_scanning_a_card_serves_its_owner(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    with context.database.writing() as session:
        joao = loyalty.customer_from_ref(session, "1")
        code = loyalty.card_for(session, joao.id).code
    qtbot.keyClicks(window.lookup.search, code)  # a USB scanner types the code...
    qtbot.keyClick(window.lookup.search, Qt.Key.Key_Return)  # ...and Enter
    assert window.card.name.text() == "João da Silva"
    assert window.card.values["card"].text() == display(code)
    assert window.lookup.search.selectedText() == code  # the next scan replaces it


def test_a_mistyped_card_code_is_refused_not_matched(qtbot, context):
    window = MainWindow(context)
    qtbot.addWidget(window)
    with context.database.writing() as session:
        code = loyalty.card_for(session, 1).code
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    qtbot.keyClicks(window.lookup.search, wrong)
    assert window.lookup.model.rowCount() == 0
    assert "not a valid card code" in window.lookup.summary.text()


def test_print_cards_for_everyone_without_one(qtbot, context, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    _program(context)
    target = tmp_path / "cards.pdf"
    # The save dialog is the platform's own; answer it as a person would.
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "Sheets of 10 cards (*.pdf)")))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.loyalty.print_new_cards_action.trigger()
    assert target.read_bytes().startswith(b"%PDF")
    assert "3 card(s) saved" in window.statusBar().currentMessage()
    with context.database.reading() as session:
        assert loyalty.customers_without_card(session) == []


def test_the_programme_menu_opens_titled_over_the_card(qtbot, context):
    _program(context, "Coffee card")
    _program(context, "Cake card", reward_at=5, reward="Free cake")
    window = MainWindow(context)
    qtbot.addWidget(window)
    screen = QApplication.primaryScreen().availableGeometry()
    window.setGeometry(screen.adjusted(0, 0, -40, -40))  # the menu is not pushed back onto the screen
    window.show()
    qtbot.waitExposed(window)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    seen = {}

    def look_then_close():
        menu = QApplication.activePopupWidget()
        seen["texts"] = [action.text() for action in menu.actions() if not action.isSeparator()]
        seen["inside_card"] = window.card.rect().contains(window.card.mapFromGlobal(menu.geometry().topLeft()))
        menu.close()

    QTimer.singleShot(50, look_then_close)
    window.loyalty.stamp_action.trigger()
    assert seen["texts"] == ["Stamp which card?", "&1  Coffee card", "&2  Cake card"]
    assert seen["inside_card"]


def test_a_bad_amount_keeps_the_points_prompt_open_with_its_error(qtbot, context):
    from desktop.ui.amount_dialog import AmountDialog

    program_id = _program(context, "Points", reward_at=100, kind="points", points_per_unit=1)
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    customer_id = window.lookup.current_match().id
    seen = {}

    def type_wrong_then_right():
        prompt = QApplication.activeModalWidget()
        assert isinstance(prompt, AmountDialog)
        qtbot.keyClicks(prompt.amount, "twelve")
        qtbot.keyClick(prompt.amount, Qt.Key.Key_Return)
        seen["open"] = prompt.isVisible()
        seen["error"] = prompt.errors.text_of("purchase")
        seen["kept"] = prompt.amount.text()
        prompt.amount.setText("12,50")
        qtbot.keyClick(prompt.amount, Qt.Key.Key_Return)

    QTimer.singleShot(50, type_wrong_then_right)
    window.loyalty.stamp_action.trigger()
    assert seen["open"] and seen["error"] and seen["kept"] == "twelve"
    assert _balance(context, customer_id, program_id) == 12


def test_a_stamp_past_the_reward_says_a_reward_is_due(qtbot, context):
    _program(context, reward_at=3)
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.keyClicks(window.lookup.search, "fernanda")
    for _ in range(4):
        window.loyalty.stamp_action.trigger()
    message = window.statusBar().currentMessage()
    assert message == "Coffee card: reward due — Free coffee"
