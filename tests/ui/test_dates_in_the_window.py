"""Dates typed the way the shop's country writes them, and shown alike everywhere in the window."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desktop.services.customers import get_customer
from desktop.services.dates import format_date
from desktop.services.shop import shop_settings
from desktop.ui.audit_window import AuditWindow
from desktop.ui.backup_actions import BackupActions
from desktop.ui.customer_form import CustomerForm
from desktop.ui.date_fields import display_format, typed_date
from tests.ui.helpers import id_of


@pytest.mark.parametrize(("region", "typed"), [
    ("BR", "07/03/1990"), ("BR", "7/3/1990"), ("PT", "07/03/1990"), ("GR", "7/3/1990"),
    ("NL", "07-03-1990"), ("US", "03/07/1990"), ("DE", "07.03.1990"), ("BR", "1990-03-07"), ("NL", "1990-03-07"),
])
def test_a_date_is_read_as_the_shops_country_writes_it(region, typed):
    assert typed_date(typed, region) == date(1990, 3, 7)


@pytest.mark.parametrize("typed", ["31/02/1990", "1990", "ontem", ""])
def test_what_is_not_a_date_is_not_read_as_one(typed):
    assert typed_date(typed, "BR") is None


def test_the_birthday_takes_the_brazilian_way_of_writing_it(qtbot, context):
    fernanda = id_of(context, "fernanda")
    form = CustomerForm(context, fernanda)
    qtbot.addWidget(form)
    assert form.fields["birthday"].placeholderText() == "DD/MM/YYYY"
    form.fields["birthday"].setText("07/03/1990")
    with qtbot.waitSignal(form.saved):
        form.save_button.click()
    with context.database.reading() as session:
        assert get_customer(session, fernanda).birthday == date(1990, 3, 7)
    again = CustomerForm(context, fernanda)
    qtbot.addWidget(again)
    assert again.fields["birthday"].text() == "07/03/1990"  # shown as it was typed


def test_a_birthday_that_is_no_date_names_both_ways(qtbot, context):
    form = CustomerForm(context, id_of(context, "fernanda"))
    qtbot.addWidget(form)
    form.fields["birthday"].setText("March 7th")
    form.save_button.click()
    assert form.errors.text_of("birthday") == "Write the birthday as 07/03/1990 or YYYY-MM-DD."


def test_the_audit_window_writes_dates_as_the_rest_of_the_window(qtbot, context):
    window = AuditWindow(context)
    qtbot.addWidget(window)
    assert window.since.displayFormat() == display_format("BR") == "dd/MM/yyyy"
    assert window.until.displayFormat() == "dd/MM/yyyy"
    when = window.model.index(0, window.model.WHEN).data()
    assert when.startswith(format_date(date.today(), "BR"))


def test_the_status_bar_writes_the_last_backup_as_the_window_does(qtbot, context):
    with context.database.writing() as session:
        shop_settings(session).last_backup_at = datetime.utcnow()
    actions = BackupActions(context, None)
    try:
        assert actions.status_label.text().startswith("Last backup: " + format_date(date.today(), "BR") + " ")
    finally:
        actions.shutdown()
