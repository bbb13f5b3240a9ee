"""Unexpected errors: a calm message for the person, a log for the developer.

The log keeps where it happened (files, lines, functions), never the exception's
message or any values, since those may hold a customer's details.
"""

from __future__ import annotations

import sys
import traceback
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.paths import user_data_dir


def crash_log_dir() -> Path:
    return user_data_dir() / "crash-reports"


def write_crash_log(exc_type, exc, tb) -> Path | None:
    frames = traceback.extract_tb(tb)
    lines = [f"{exc_type.__module__}.{exc_type.__qualname__}"]
    lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
    try:
        folder = crash_log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now():%Y%m%d-%H%M%S}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    except OSError:
        return None


def install_excepthook() -> None:
    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log = write_crash_log(exc_type, exc, tb)
        app = QApplication.instance()
        if app is not None:
            box = QMessageBox(QMessageBox.Icon.Warning, app.translate("Crash", "Something went wrong"),
                              app.translate("Crash", "Regulars hit an unexpected problem. What you saved before is safe."))
            if log is not None:
                box.setInformativeText(app.translate("Crash", "A report without customer data was saved to %1.").replace("%1", str(log)))
            box.exec()

    sys.excepthook = hook
