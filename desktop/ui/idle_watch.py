"""Noticing that nobody has touched the till for a while, so the window can lock itself."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence

# What counts as someone at the till. Paint, timer and focus events do not.
INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress,
})  # fmt: skip


class IdleWatch(QObject):
    """While started: emits idle() once no keyboard, mouse or touch input reached the app for interval_ms,
    and lockPressed() when lock_keys are pressed anywhere, an open dialog included (where the window's own
    shortcut does not reach).

    The application-wide event filter only notes the time of each input (a float, so typing
    in the lookup box costs nothing worth measuring); one single-shot timer wakes at the
    earliest moment the app could be idle and, if input came meanwhile, sleeps again for
    what is left, rather than being restarted on every key and mouse move.
    """

    idle = Signal()
    lockPressed = Signal()

    def __init__(self, lock_keys: QKeySequence, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lock_keys = lock_keys
        self.interval_ms = 0  # 0: never idle
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._wake)
        self._watching = False

    def set_interval_ms(self, interval_ms: int) -> None:
        """A new interval (0: never idle), counted from now if watching."""
        self.interval_ms = max(0, int(interval_ms))
        if self._watching:
            self.start()

    def start(self) -> None:
        """Someone signed in: watch, counting from now."""
        self._last_input = time.monotonic()
        app = QCoreApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True
        if self.interval_ms > 0:
            self._timer.start(self.interval_ms)
        else:
            self._timer.stop()

    def stop(self) -> None:
        """Locked, or the window is closing: no timer, no filter."""
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._watching:
            app.removeEventFilter(self)
        self._watching = False

    def counting(self) -> bool:
        """Whether the idle time is being counted (watching, with an interval)."""
        return self._timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in INPUT_EVENTS:
            self._last_input = time.monotonic()
            if (
                kind == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and QKeySequence(event.keyCombination()) == self.lock_keys
            ):
                self.lockPressed.emit()
                return True
        return False

    def _wake(self) -> None:
        quiet_ms = (time.monotonic() - self._last_input) * 1000
        if quiet_ms >= self.interval_ms:
            self.stop()
            self.idle.emit()
        else:
            self._timer.start(max(1, int(self.interval_ms - quiet_ms)))
