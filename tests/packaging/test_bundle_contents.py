"""What the one-folder bundle leaves out (installer/bundle_contents.py) never includes what Regulars uses.

The bundle itself is built and run by `installer/build.py --smoke-test` (a few minutes: run before each
release, see installer/README.md); these checks are quick and guard the lists between builds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from installer.bundle_contents import UNUSED_PYTHON, UNUSED_QT, wanted

ROOT = Path(__file__).resolve().parents[2]


def imported_modules() -> set[str]:
    """Every module the package and the bundle's self-test import, by name."""
    names: set[str] = set()
    for source in [*(ROOT / "desktop").rglob("*.py"), ROOT / "installer" / "selftest.py"]:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_regulars_imports_is_left_out_of_the_bundle():
    used = imported_modules()
    left_out = set(UNUSED_QT) | set(UNUSED_PYTHON)
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtPrintSupport"} <= used
    clashes = {name for name in used if any(name == out or name.startswith(f"{out}.") for out in left_out)}
    assert clashes == set()


@pytest.mark.parametrize("name", [
    "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so", "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so", "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libicudata.so.73", "PySide6/Qt/translations/qtbase_pt_BR.qm",
    "PySide6/Qt/translations/qtbase_nl.qm", "libpython3.11.so.1.0", "libssl.so.3", "libffi.so.8",
])
def test_what_the_till_needs_stays_in(name):
    assert wanted((name, "", "BINARY"))


@pytest.mark.parametrize("name", [
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so", "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/generic/libqevdevtouchplugin.so", "PySide6/Qt/lib/libQt6Svg.so.6",
    "PySide6/Qt/translations/qtbase_ja.qm", "PySide6/Qt/translations/qt_help_de.qm",
])
def test_unused_qt_parts_stay_out(name):
    assert not wanted((name, "", "BINARY"))


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="Linux bundles only")
@pytest.mark.parametrize("name", ["libX11.so.6", "libxcb-cursor.so.0", "libfontconfig.so.1", "libgtk-3.so.0",
                                  "libcups.so.2", "libstdc++.so.6", "libglib-2.0.so.0"])
def test_linux_desktop_libraries_come_from_the_system(name):
    assert not wanted((name, "", "BINARY"))
