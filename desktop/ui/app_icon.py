"""The application's icon (desktop/resources/icons: regulars.svg drawn by hand, regulars.png rendered from it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

from desktop.paths import resources_dir


def icon_path(suffix: str = ".png") -> Path:
    return resources_dir() / "icons" / f"regulars{suffix}"


def app_icon() -> QIcon:
    return QIcon(str(icon_path()))
