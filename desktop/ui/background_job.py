"""Long work (a backup, a sync bundle, an export) on a worker thread that talks to the window only by signals."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class BackgroundJob(QObject):
    """Runs work(progress, cancelled) once on its own thread; cancel() asks it to stop.

    The work never touches a widget: progress, the result and any exception come back
    as signals, which Qt delivers on the window's thread.
    """

    progressed = Signal(int, int)  # done, in all
    succeeded = Signal(object)  # the work's result
    failed = Signal(object)  # the exception
    thread_name = "regulars-job"

    def __init__(self, work: Callable[[Callable[..., None], Callable[[], bool]], Any]) -> None:
        super().__init__()  # no parent: the job must outlive nothing on the window's side
        self._work = work
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.thread_name)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            result = self._work(self.progressed.emit, self._cancel.is_set)
        except BaseException as exc:  # noqa: BLE001 - every outcome goes back to the window
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
