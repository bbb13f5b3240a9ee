"""The build backend: setuptools', asking for PySide6 at build time only when there are translations to compile.

setup.py compiles desktop/resources/translations/*.ts into .qm files with Qt's lrelease, which
ships with PySide6; a build without .ts files needs nothing beyond setuptools.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F401,F403  (every hook not redefined here)

TRANSLATIONS = Path("desktop") / "resources" / "translations"
QT_FOR_LRELEASE = ["PySide6-Essentials>=6.6,<6.12"]  # as in [project] dependencies


def _qt_if_translations() -> list[str]:
    return QT_FOR_LRELEASE if any(TRANSLATIONS.glob("*.ts")) else []


def get_requires_for_build_wheel(config_settings=None):
    return build_meta.get_requires_for_build_wheel(config_settings) + _qt_if_translations()


def get_requires_for_build_editable(config_settings=None):
    return build_meta.get_requires_for_build_editable(config_settings) + _qt_if_translations()
