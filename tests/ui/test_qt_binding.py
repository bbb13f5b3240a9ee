"""The Qt binding must not lose references on every signal: a till types all day."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    number = Signal(int)


def test_emitting_signals_keeps_reference_counts(qtbot):
    emitter = _Emitter()
    received = []
    emitter.number.connect(received.append)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for value in range(2_000):
        emitter.number.emit(value)
    assert len(received) == 2_000
    # A few references may come and go; thousands lost means the binding is broken.
    assert abs(sys.getrefcount(True) - true_before) < 100
    assert abs(sys.getrefcount(None) - none_before) < 100
