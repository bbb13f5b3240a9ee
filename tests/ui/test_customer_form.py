from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.models import Customer
from desktop.services.lookup import find_customers
from desktop.ui.customer_form import CustomerForm
from tests.ui.helpers import count_rows


def test_adding_a_customer_through_the_form(qtbot, context):
    form = CustomerForm(context)
    qtbot.addWidget(form)
    form.fields["first_name"].insert("Inês")  # QTest types ASCII only
    form.fields["last_name"].insert("Simões")
    qtbot.keyClicks(form.fields["phone"], "11976543210")
    assert form.fields["phone"].text() == "(11) 97654-3210"  # formatted as typed
    with qtbot.waitSignal(form.saved) as saved:
        form.save_button.click()
    with context.database.reading() as session:
        found = find_customers(session, "3210", "BR")
    assert [m.id for m in found] == saved.args
    assert found[0].phone == "+5511976543210"


def test_field_errors_name_the_field_and_write_nothing(qtbot, context):
    before = count_rows(context, Customer)
    form = CustomerForm(context)
    qtbot.addWidget(form)
    qtbot.keyClicks(form.fields["phone"], "12")
    qtbot.keyClicks(form.fields["email"], "not-an-email@")
    form.save_button.click()
    assert "first name" in form.errors.text_of("first_name").lower()
    assert "phone" in form.errors.text_of("phone").lower()
    assert "email" in form.errors.text_of("email").lower()
    assert form.isVisible() is False or form.result() == 0
    assert count_rows(context, Customer) == before


def test_inline_check_when_leaving_a_field(qtbot, context):
    form = CustomerForm(context)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.fields["email"], "ana@")
    form.fields["email"].editingFinished.emit()
    assert form.errors.text_of("email")
    assert not form.errors.text_of("first_name")  # untouched fields stay quiet
    form.fields["email"].setText("ana@example.com")
    form.fields["email"].editingFinished.emit()
    assert not form.errors.text_of("email")


def test_card_number_in_notes_is_refused(qtbot, context):
    before = count_rows(context, Customer)
    form = CustomerForm(context)
    qtbot.addWidget(form)
    form.prefill(first_name="Rui", email="rui@example.pt")
    form.notes.setPlainText("paid with 4111 1111 1111 1111")
    form.save_button.click()
    assert "card" in form.errors.text_of("notes").lower()
    assert form.more.isChecked()
    assert count_rows(context, Customer) == before


def test_existing_phone_offers_the_existing_customer(qtbot, context):
    before = count_rows(context, Customer)
    form = CustomerForm(context)
    qtbot.addWidget(form)
    form.prefill(first_name="Outro", phone="(11) 98765-4321")

    def choose_open_existing():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert "João da Silva" in box.text()
        next(b for b in box.buttons() if b.text() == "Open existing").click()

    QTimer.singleShot(0, choose_open_existing)
    with qtbot.waitSignal(form.saved) as saved:
        form.save_button.click()
    with context.database.reading() as session:
        joao = find_customers(session, "(11) 98765-4321", "BR")[0]
    assert saved.args == [joao.id]
    assert count_rows(context, Customer) == before


def test_shared_landline_can_be_added_on_purpose(qtbot, context):
    before = count_rows(context, Customer)
    form = CustomerForm(context)
    qtbot.addWidget(form)
    form.prefill(first_name="Maria", last_name="da Silva", phone="(11) 98765-4321")

    def choose_add_anyway():
        box = QApplication.activeModalWidget()
        next(b for b in box.buttons() if b.text() == "Add anyway").click()

    QTimer.singleShot(0, choose_add_anyway)
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    assert count_rows(context, Customer) == before + 1


def test_editing_loads_and_saves_the_customer(qtbot, context):
    with context.database.reading() as session:
        fernanda = find_customers(session, "fernanda", "BR")[0]
    form = CustomerForm(context, fernanda.id)
    qtbot.addWidget(form)
    assert form.fields["first_name"].text() == "Fernanda"
    assert form.fields["phone"].text() == "(21) 99876-1234"
    assert form.notes.toPlainText() == "Prefers sourdough"
    form.fields["city"].setText("Niterói")
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    with context.database.reading() as session:
        from desktop.services.customers import get_customer

        assert get_customer(session, fernanda.id).city == "Niterói"
