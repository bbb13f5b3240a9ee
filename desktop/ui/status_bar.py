"""The window's status bar: long paths and messages lose their middle, never their end, and the whole
text is in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

MARGIN = 6


class ElidedLabel(QLabel):
    """A one-line label that shortens its text in the middle to the room it is given."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self.setToolTip(text)
        super().setText(text)
        self.updateGeometry()

    def full_text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """What the label shows at its present width."""
        return self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.contentsRect().width())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.fontMetrics().horizontalAdvance("…") * 8, super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())


class StatusBar(QStatusBar):
    """A QStatusBar whose passing messages are shortened in the middle, the whole in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._yielding: list[QWidget] = []
        self.messageChanged.connect(self._message_changed)

    def add_yielding_widget(self, widget: QWidget) -> None:
        """A permanent widget that steps aside while a message shows (the shop file's path), so the
        message has the room."""
        self.addPermanentWidget(widget)
        self._yielding.append(widget)

    def _message_changed(self, message: str) -> None:
        self.setToolTip(message)
        for widget in self._yielding:
            widget.setVisible(not message)

    def shown_message(self) -> str:
        """The passing message as it is drawn, in the room left of the permanent labels."""
        return self.fontMetrics().elidedText(self.currentMessage(), Qt.TextElideMode.ElideMiddle,
                                             self._message_rect().width())

    def _message_rect(self) -> QRect:
        children = [child for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                    if child.isVisible() and child.width() > 0 and child.x() > 0]
        right = min((child.x() for child in children), default=self.width())
        return QRect(MARGIN, 0, max(0, right - 2 * MARGIN), self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if not self.currentMessage():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(self._message_rect(), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         self.shown_message())
