"""What the staff and lock tests share: a small team with PINs, signing in through the lock screen, and what a window shows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QWidget

from desktop.context import ShopContext
from desktop.services.staff import add_staff

TEAM = {"Olga": ("owner", "2468"), "Mauro": ("manager", "9753"), "Caio": ("cashier", "1357")}


def add_team(context: ShopContext) -> None:
    """The owner first (the service insists), then a manager and a cashier; the till is then locked, as on start."""
    with context.database.writing() as session:
        for name, (role, pin) in TEAM.items():
            add_staff(session, name, role, pin)
    context.database.acting = None


def choose(window, name: str) -> None:
    screen = window.lock_screen
    rows = [row for row in range(screen.staff.count()) if screen.staff.item(row).text().startswith(name)]
    assert rows, f"{name} is not on the lock screen"
    screen.staff.setCurrentRow(rows[0])


def sign_in_as(qtbot, window, name: str, pin: str | None = None) -> None:
    """Picks the name on the lock screen, types the PIN and presses Enter, as a person would."""
    choose(window, name)
    qtbot.keyClicks(window.lock_screen.secret, pin if pin is not None else TEAM[name][1])
    qtbot.keyClick(window.lock_screen.secret, Qt.Key.Key_Return)


def shown_texts(root: QWidget) -> list[str]:
    """Every text a widget tree holds: labels, line edits, and every cell of every item view."""
    texts = [label.text() for label in root.findChildren(QLabel)]
    texts += [edit.text() for edit in root.findChildren(QLineEdit)]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for row in range(model.rowCount()):
            column = 0
            while (index := model.index(row, column)).isValid():  # a list model's columnCount is private
                texts.append(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
                column += 1
    return texts
