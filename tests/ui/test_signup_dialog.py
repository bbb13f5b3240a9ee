from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox

from desktop.models import Consent, Customer
from desktop.services.consents import current_consents
from desktop.services.customers import get_customer
from desktop.services.lookup import find_customers
from desktop.services.privacy_notice import current_notice
from desktop.ui import signup_dialog
from desktop.ui.signup_dialog import SignUpDialog
from tests.ui.helpers import count_rows


def _dialog(qtbot, context) -> SignUpDialog:
    dialog = SignUpDialog(context)
    qtbot.addWidget(dialog)
    return dialog


def test_consent_boxes_start_unticked_and_the_notice_is_named(qtbot, context):
    dialog = _dialog(qtbot, context)
    boxes = [dialog.findChild(QCheckBox, f"consent_{channel}") for channel in ("email", "sms", "post")]
    assert all(box is not None and not box.isChecked() for box in boxes)
    with context.database.reading() as session:
        notice = current_notice(session)
        version, text = notice.version, notice.text
    assert dialog.notice_label.text() == f"Privacy notice, version {version}"
    assert dialog.notice.isHidden()
    dialog.read_notice.click()
    assert not dialog.notice.isHidden()
    assert dialog.notice.isReadOnly() and dialog.notice.toPlainText() == text


def test_minimal_sign_up_saves_a_customer_without_consents(qtbot, context):
    customers, consents = count_rows(context, Customer), count_rows(context, Consent)
    dialog = _dialog(qtbot, context)
    dialog.show()
    qtbot.keyClicks(dialog.fields["first_name"], "Ana")
    qtbot.keyClicks(dialog.fields["phone"], "11912345678")
    assert dialog.fields["phone"].text() == "(11) 91234-5678"  # formatted as typed
    with qtbot.waitSignal(dialog.saved) as saved:
        qtbot.keyClick(dialog.fields["phone"], Qt.Key.Key_Return)  # Enter saves
    assert count_rows(context, Customer) == customers + 1
    assert count_rows(context, Consent) == consents
    with context.database.reading() as session:
        assert get_customer(session, saved.args[0]).first_name == "Ana"
        assert current_consents(session, saved.args[0]) == {}


def test_email_ticked_without_an_email_is_refused_under_that_box(qtbot, context):
    customers = count_rows(context, Customer)
    dialog = _dialog(qtbot, context)
    dialog.fields["first_name"].setText("Ana")
    dialog.fields["phone"].setText("(11) 91234-5678")
    dialog.consents["email"].setChecked(True)
    dialog.save_button.click()
    assert "email" in dialog.errors.text_of("consent_email").lower()
    assert not dialog.errors.text_of("consent_sms")
    assert count_rows(context, Customer) == customers


def test_ticked_channels_are_recorded_with_the_notice_version(qtbot, context):
    dialog = _dialog(qtbot, context)
    dialog.fields["first_name"].setText("Ana")
    dialog.fields["phone"].setText("(11) 91234-5678")
    dialog.fields["email"].setText("ana@example.com")
    dialog.consents["email"].setChecked(True)
    dialog.consents["sms"].setChecked(True)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    with context.database.reading() as session:
        consents = current_consents(session, saved.args[0])
        version = current_notice(session).version
    assert set(consents) == {"email", "sms"}
    assert all(c.granted and c.notice_version == version and c.source == "signup" for c in consents.values())


def test_more_details_and_heard_from(qtbot, context):
    dialog = _dialog(qtbot, context)
    assert not dialog.heard_from.isVisibleTo(dialog)  # minimal by default
    dialog.more.setChecked(True)
    assert dialog.heard_from.isVisibleTo(dialog)
    assert "Social media" in [dialog.heard_from.itemText(i) for i in range(dialog.heard_from.count())]
    dialog.fields["first_name"].setText("Rui")
    dialog.fields["email"].setText("rui@example.pt")
    dialog.fields["city"].setText("Porto")
    dialog.heard_from.setEditText("social MEDIA")  # reads like an entry: that entry's label
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    with context.database.reading() as session:
        customer = get_customer(session, saved.args[0])
        assert (customer.city, customer.heard_from) == ("Porto", "Social media")


def test_a_greek_name_saves(qtbot, context):
    dialog = _dialog(qtbot, context)
    dialog.fields["first_name"].setText("Ελένη")
    dialog.fields["last_name"].setText("Οικονόμου")
    dialog.fields["email"].setText("eleni@example.gr")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    with context.database.reading() as session:
        assert get_customer(session, saved.args[0]).full_name == "Ελένη Οικονόμου"


def test_duplicate_phone_answered_no_writes_nothing(qtbot, context, monkeypatch):
    customers, consents = count_rows(context, Customer), count_rows(context, Consent)
    asked = []

    def answer_no(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(signup_dialog.QMessageBox, "question", answer_no)
    dialog = _dialog(qtbot, context)
    dialog.fields["first_name"].setText("João")
    dialog.fields["phone"].setText("(11) 98765-4321")
    dialog.fields["email"].setText("outro@example.com")
    dialog.consents["email"].setChecked(True)
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save_button.click()
    assert len(asked) == 1 and "João da Silva" in asked[0] and "Update that customer" in asked[0]
    assert dialog.result() == 0
    assert (count_rows(context, Customer), count_rows(context, Consent)) == (customers, consents)


def test_duplicate_phone_answered_yes_updates_the_existing_customer(qtbot, context, monkeypatch):
    customers = count_rows(context, Customer)
    monkeypatch.setattr(signup_dialog.QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    with context.database.reading() as session:
        fernanda = find_customers(session, "fernanda", "BR")[0]
    dialog = _dialog(qtbot, context)
    dialog.fields["first_name"].setText("Fernanda")
    dialog.fields["phone"].setText("(21) 99876-1234")
    dialog.fields["email"].setText("fernanda@example.com")
    dialog.consents["email"].setChecked(True)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save_button.click()
    assert saved.args == [fernanda.id]
    assert count_rows(context, Customer) == customers
    with context.database.reading() as session:
        assert get_customer(session, fernanda.id).email == "fernanda@example.com"
        assert current_consents(session, fernanda.id)["email"].granted


def test_bad_input_shows_field_errors_and_opens_more_details(qtbot, context):
    customers = count_rows(context, Customer)
    dialog = _dialog(qtbot, context)
    dialog.fields["email"].setText("ana@")
    dialog.fields["postal_code"].setText("x" * 500)
    dialog.save_button.click()
    assert "first name" in dialog.errors.text_of("first_name").lower()
    assert dialog.errors.text_of("email")
    assert dialog.errors.text_of("postal_code")
    assert dialog.more.isChecked()
    assert count_rows(context, Customer) == customers
