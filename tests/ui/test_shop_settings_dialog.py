from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from desktop.services.choices import CALL_REASON, choice_labels
from desktop.services.privacy_notice import current_notice
from desktop.services.shop import shop_settings
from desktop.ui.call_dialog import CallDialog
from desktop.ui.shop_settings_dialog import ShopSettingsDialog


def _shop(context):
    with context.database.reading() as session:
        shop = shop_settings(session)
        return shop.paper_size, shop.contact_line, shop.logo_png


def _dialog(qtbot, context) -> ShopSettingsDialog:
    dialog = ShopSettingsDialog(context)
    qtbot.addWidget(dialog)
    return dialog


def _png(tmp_path: Path) -> Path:
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#1b5e20"))
    path = tmp_path / "logo.png"
    assert image.save(str(path))
    return path


def test_letter_and_contact_line_are_saved_and_reach_the_context(qtbot, context):
    assert context.paper_size == "A4"
    dialog = _dialog(qtbot, context)
    assert dialog.paper_size.currentData() == "A4"
    dialog.paper_size.setCurrentIndex(dialog.paper_size.findData("Letter"))
    dialog.contact_line.setText("Rua Augusta 10, Lisboa · 21 123 4567")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert context.paper_size == "Letter"
    assert _shop(context)[:2] == ("Letter", "Rua Augusta 10, Lisboa · 21 123 4567")


def test_a_logo_is_previewed_saved_and_removed(qtbot, context, tmp_path):
    dialog = _dialog(qtbot, context)
    assert dialog.logo_preview.text() == "No logo" and not dialog.remove_logo_button.isEnabled()
    dialog.choose_logo(_png(tmp_path))
    assert not dialog.logo_preview.pixmap().isNull()
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert _shop(context)[2] == _png(tmp_path).read_bytes()

    again = _dialog(qtbot, context)
    assert not again.logo_preview.pixmap().isNull() and again.remove_logo_button.isEnabled()
    again.remove_logo_button.click()
    assert again.logo_preview.text() == "No logo"
    with qtbot.waitSignal(again.saved):
        again.save_button.click()
    assert _shop(context)[2] is None


def test_a_file_that_is_not_a_picture_is_refused_under_logo(qtbot, context, tmp_path):
    before = _shop(context)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a picture", encoding="utf-8")
    dialog = _dialog(qtbot, context)
    dialog.paper_size.setCurrentIndex(dialog.paper_size.findData("Letter"))
    dialog.choose_logo(text_file)
    assert dialog.logo_preview.text() == "No preview"
    with qtbot.assertNotEmitted(dialog.saved):
        dialog.save_button.click()
    assert "png or jpeg" in dialog.errors.text_of("logo").lower()
    assert _shop(context) == before
    assert context.paper_size == "A4"


def test_an_unreadable_logo_file_says_so_under_logo(qtbot, context, tmp_path):
    dialog = _dialog(qtbot, context)
    dialog.choose_logo(tmp_path / "missing.png")
    assert dialog.errors.text_of("logo")
    assert dialog.logo() is None


def test_an_added_call_reason_appears_in_the_call_dialog_and_a_removed_one_goes(qtbot, context):
    dialog = _dialog(qtbot, context)
    dialog.show()
    reasons = dialog.reasons
    reasons.new_label.setText("Delivery")
    qtbot.keyClick(reasons.new_label, Qt.Key.Key_Return)  # Enter adds; the dialog stays open
    assert dialog.isVisible()
    assert reasons.labels()[-1] == "Delivery" and reasons.new_label.text() == ""
    call = CallDialog(context)
    qtbot.addWidget(call)
    assert "Delivery" in call.reason.labels()

    reasons.entries.setCurrentRow(reasons.labels().index("Complaint"))
    reasons.remove_button.click()
    assert "Complaint" not in reasons.labels()
    with context.database.reading() as session:
        assert choice_labels(session, CALL_REASON) == ["Question", "Order", "Other", "Delivery"]
    call = CallDialog(context)
    qtbot.addWidget(call)
    assert "Complaint" not in call.reason.labels()


def test_a_repeated_or_empty_entry_is_refused_under_the_line(qtbot, context):
    dialog = _dialog(qtbot, context)
    heard = dialog.heard_from
    before = heard.labels()
    heard.new_label.setText("social media")
    heard.add_button.click()
    assert "already in the list" in heard.errors.text_of("label")
    heard.new_label.setText("   ")
    heard.add_button.click()
    assert heard.errors.text_of("label")
    assert heard.labels() == before


def _notice(context) -> tuple[int, str]:
    with context.database.reading() as session:
        notice = current_notice(session)
        return notice.version, notice.text


def test_a_changed_privacy_notice_is_published_as_the_next_version(qtbot, context):
    version, text = _notice(context)
    dialog = _dialog(qtbot, context)
    assert dialog.notice.toPlainText() == text and f"Version {version} is in use" in dialog.notice_version.text()
    dialog.notice.setPlainText(text + "\n\nGuardamos as cópias de segurança por 14 dias.")
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert _notice(context) == (version + 1, text + "\n\nGuardamos as cópias de segurança por 14 dias.")

    unchanged = _dialog(qtbot, context)
    with qtbot.waitSignal(unchanged.saved):
        unchanged.save_button.click()
    assert _notice(context)[0] == version + 1  # saving the same text publishes nothing


def test_an_empty_privacy_notice_is_refused_at_the_field_and_nothing_is_saved(qtbot, context):
    before = _notice(context)
    dialog = _dialog(qtbot, context)
    dialog.contact_line.setText("Rua Nova 1")
    dialog.notice.setPlainText("   ")
    dialog.save_button.click()
    assert dialog.result() == 0  # not accepted
    assert dialog.tabs.currentWidget() is dialog.privacy_page
    assert "privacy notice" in dialog.errors.text_of("notice").lower()
    assert _notice(context) == before and _shop(context)[1] == ""  # one transaction: the contact line waits too


def _retention_years(context) -> int:
    with context.database.reading() as session:
        return shop_settings(session).retention_years


def test_the_retention_years_are_saved_and_a_refused_value_is_shown_at_the_field(qtbot, context):
    dialog = _dialog(qtbot, context)
    assert dialog.retention_years.value() == 3 and dialog.retention_years.suffix() == " years"
    dialog.retention_years.setValue(5)
    with qtbot.waitSignal(dialog.saved):
        dialog.save_button.click()
    assert _retention_years(context) == 5

    refused = _dialog(qtbot, context)
    assert refused.retention_years.value() == 5
    refused.contact_line.setText("Rua Nova 1")
    refused.retention_years.setMinimum(0)  # the box stops at 1; the service is what refuses 0
    refused.retention_years.setValue(0)
    with qtbot.assertNotEmitted(refused.saved):
        refused.save_button.click()
    assert refused.tabs.currentWidget() is refused.privacy_page
    assert "from 1 to 50" in refused.errors.text_of("retention_years")
    assert _retention_years(context) == 5 and _shop(context)[1] == ""  # one transaction: nothing else saved


def test_a_receipt_roll_can_be_chosen(qtbot, context):
    dialog = _dialog(qtbot, context)
    dialog.paper_size.setCurrentIndex(dialog.paper_size.findData("58mm"))
    assert "Receipt roll, 58 mm" in dialog.paper_size.currentText()
    dialog.save()
    assert _shop(context)[0] == "58mm"
