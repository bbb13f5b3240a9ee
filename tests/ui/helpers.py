"""What the window tests share: finding a customer of the test shop, and counting what was saved."""

from __future__ import annotations

from sqlalchemy import func, select

from desktop.context import ShopContext
from desktop.services.lookup import find_customers
from tests.conftest import REGION


def id_of(context: ShopContext, query: str) -> int:
    """The first customer the lookup box would find for query."""
    with context.database.reading() as session:
        return find_customers(session, query, REGION)[0].id


def count_rows(context: ShopContext, model) -> int:
    """How many rows of a model's table the shop holds."""
    with context.database.reading() as session:
        return session.scalar(select(func.count(model.id)))


def shown_main_window(qtbot, context: ShopContext):
    """The till's window, shown and active, as a cashier has it in front of them."""
    from PySide6.QtWidgets import QApplication

    from desktop.ui.main_window import MainWindow

    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window
