"""Everything is in pyproject.toml but one build step: Qt translations compiled from their sources.

Each desktop/resources/translations/NAME.ts (written by pyside6-lupdate, translated with Qt
Linguist) becomes NAME.qm, the file desktop/ui/app.py loads, in the wheel; in an editable
install (./dev), beside the .ts in the source tree. Nobody compiles them by hand, and no .qm is
committed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path("desktop") / "resources" / "translations"


def lrelease() -> Path:
    import PySide6  # only needed, and only asked for by the build backend, when there are .ts files

    return Path(PySide6.__file__).parent / ("lrelease.exe" if sys.platform == "win32" else "lrelease")


class BuildPyWithTranslations(build_py):
    def run(self) -> None:
        super().run()
        sources = sorted(TRANSLATIONS.glob("*.ts"))
        if not sources:
            return
        target = TRANSLATIONS if self.editable_mode else Path(self.build_lib) / TRANSLATIONS
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            subprocess.run([str(lrelease()), "-silent", str(source), "-qm", str(target / f"{source.stem}.qm")],
                           check=True)


setup(cmdclass={"build_py": BuildPyWithTranslations})
