"""Starting the app: first-run setup or unlock, then the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import __version__
from desktop.context import ShopContext
from desktop.db.engine import ShopDatabase
from desktop.db.instance_lock import InstanceLock
from desktop.errors import RegularsError
from desktop.paths import resources_dir
from desktop.services.backups import remove_leftovers_of
from desktop.services.erasure_register import reapply_erasure_register
from desktop.services.staff import has_staff
from desktop.ui.app_icon import app_icon
from desktop.ui.crash import install_excepthook
from desktop.ui.main_window import MainWindow
from desktop.ui.messages import error_text
from desktop.ui.setup_dialog import SetupDialog
from desktop.ui.unlock_dialog import UnlockDialog


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Regulars")
    app.setOrganizationName("Regulars")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(app_icon())
    app.setDesktopFileName("regulars")  # matches the desktop entry, so Linux desktops show its icon
    translator = QTranslator(app)
    if translator.load(QLocale(), "regulars", "_", str(resources_dir() / "translations")):
        app.installTranslator(translator)
    return app


def open_or_create(path: Path) -> ShopDatabase | None:
    """The setup dialog for a new shop, the unlock dialog for an existing one."""
    dialog = UnlockDialog(path) if path.exists() else SetupDialog(path)
    if dialog.exec() != dialog.DialogCode.Accepted:
        return None
    return dialog.database


def open_window(database: ShopDatabase) -> MainWindow:
    """The till's window on an unlocked shop file: locked for a PIN when the shop has staff accounts."""
    try:  # a backup copied back by hand (not through `regulars restore`) forgets the erased again too
        reapply_erasure_register(database)
        remove_leftovers_of(database)  # what a killed backup or erasure left
    except RegularsError as problem:
        QMessageBox.warning(None, QApplication.translate("App", "Regulars"), error_text(problem))
    with database.reading() as session:
        staffed = has_staff(session)
    if staffed:  # the passphrase opened the file; a PIN says who is at the till
        database.acting = None
    return MainWindow(ShopContext.load(database))


def run_app(path: Path) -> int:
    app = make_application()
    install_excepthook()
    lock = InstanceLock(path)
    try:
        lock.acquire()
    except RegularsError as problem:
        QMessageBox.warning(None, app.translate("App", "Regulars"), error_text(problem))
        return 1
    try:
        database = open_or_create(Path(path))
        if database is None:
            return 0
        window = open_window(database)
        window.show()
        result = app.exec()
        database.close()
        return result
    finally:
        lock.release()
