"""Help -> About: the version, where this shop's file, key file and backups are, and the licences of what ships."""

from __future__ import annotations

import html
import sys

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop import __version__
from desktop.context import ShopContext
from desktop.db.key_file import key_file_path
from desktop.services.backups import backup_settings
from desktop.ui.app_icon import app_icon

# What an installed Regulars carries with it, and under which licence (each project's own terms).
BUNDLED = (
    ("Qt 6 and PySide6 (Qt for Python)", "LGPL-3.0"),
    ("SQLCipher", "BSD-3-Clause"),
    ("SQLite", "Public domain"),
    ("SQLAlchemy, Alembic", "MIT"),
    ("ReportLab", "BSD-3-Clause"),
    ("PDFium and pypdfium2", "BSD-3-Clause, Apache-2.0"),
    ("cryptography", "Apache-2.0 or BSD-3-Clause"),
    ("argon2-cffi", "MIT"),
    ("phonenumbers", "Apache-2.0"),
    ("email-validator", "Unlicense"),
    ("segno", "BSD-3-Clause"),
    ("pyzipper", "MIT"),
    ("DejaVu fonts", "Bitstream Vera licence (changes in the public domain)"),
    ("Python", "PSF License"),
)


class AboutDialog(QDialog):
    def __init__(self, context: ShopContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About Regulars"))
        self.setWindowIcon(app_icon())
        with context.database.reading() as session:
            folder = backup_settings(session).folder
        shop_path = context.database.path

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        self.version = QLabel(
            f"<h2>Regulars {__version__}</h2><p>{html.escape(self.tr('The customer book beside the till.'))}</p>"
        )
        self.version.setObjectName("about_version")
        self.places = QLabel(self._places_html(str(shop_path), str(key_file_path(shop_path)), folder))
        self.places.setObjectName("about_places")
        self.places.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.places.setWordWrap(True)
        self.licences = QLabel(self._licences_html())
        self.licences.setObjectName("about_licences")
        self.licences.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(logo)
        layout.addWidget(self.version)
        layout.addWidget(self.places)
        layout.addWidget(self.licences)
        layout.addWidget(buttons)

    def _places_html(self, shop: str, key_file: str, folder: str) -> str:
        rows = [
            (self.tr("Shop file"), shop),
            (self.tr("Key file (back it up with the shop file)"), key_file),
            (self.tr("Daily backups"), folder or self.tr("No backup folder yet: Customers → Shop settings → Backups")),
        ]
        cells = "".join(f"<tr><td><b>{html.escape(name)}</b>&nbsp;&nbsp;</td><td>{html.escape(value)}</td></tr>"
                        for name, value in rows)
        return f"<table>{cells}</table>"

    def _licences_html(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(name)}&nbsp;&nbsp;</td><td>{html.escape(licence)}</td></tr>"
                       for name, licence in BUNDLED)
        python = ".".join(str(part) for part in sys.version_info[:3])
        note = self.tr(
            "Qt {qt} and PySide6 {pyside} are used under the GNU LGPL version 3: their libraries sit unchanged in "
            "the application's folder and may be replaced with other builds of the same version; their source is "
            "at qt.io. Python {python}."
        ).format(qt=qVersion(), pyside=PySide6.__version__, python=python)
        return (f"<p><b>{html.escape(self.tr('Included software and licences'))}</b></p>"
                f"<table>{rows}</table><p>{html.escape(note)}</p>")
