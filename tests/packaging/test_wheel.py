"""The wheel works outside the repository: built, installed into a fresh virtual environment, run elsewhere.

A shop never has a clone of this repository, so the fonts, the privacy notice and the demo names
must travel inside the wheel, and the translations compiled by the build. The source is copied to a temporary folder first, so building leaves
nothing behind in the working tree; the virtual environment has no access to this one's packages
(its dependencies come from pip's cache or the package index), and every command runs with no
PYTHONPATH from a folder of its own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

from desktop import __version__
from installer.smoke import check_cli, clean_environment
from tests.pdf_reading import require_poppler

ROOT = Path(__file__).resolve().parents[2]
PIP_SECONDS = 600


# A translation source as pyside6-lupdate writes it: the build must compile it (setup.py), nobody by hand.
TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context><name>AboutDialog</name>
<message><source>About Regulars</source><translation>Sobre o Regulars</translation></message>
</context>
</TS>
"""


def copy_source(target: Path) -> Path:
    """What a release builds from: the package, its build step and its metadata."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.qm")
    for folder in ("desktop", "build_backend"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


def add_translation_source(source: Path) -> None:
    translations = source / "desktop" / "resources" / "translations"
    translations.mkdir(exist_ok=True)
    (translations / "regulars_test.ts").write_text(TS, encoding="utf-8")


def pip(python: Path | str, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "--quiet", *args],
                   check=True, env=clean_environment(), timeout=PIP_SECONDS)


def build_wheel(source: Path, dist: Path) -> Path:
    pip(sys.executable, "wheel", "--no-deps", "--wheel-dir", str(dist), str(source))
    (wheel,) = dist.glob("regulars-*.whl")
    return wheel


def run_python(python: Path, workdir: Path, code: str) -> str:
    return subprocess.run([str(python), "-c", code], cwd=workdir, env=clean_environment(), check=True,
                          capture_output=True, text=True).stdout.strip()


def scripts_folder(environment: Path) -> Path:
    return environment / ("Scripts" if sys.platform == "win32" else "bin")


@pytest.mark.slow
def test_the_installed_wheel_prints_with_its_fonts_and_notice_from_another_folder(tmp_path: Path):
    require_poppler()
    wheel = build_wheel(copy_source(tmp_path / "source"), tmp_path / "dist")
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(environment)
    python = scripts_folder(environment) / "python"
    pip(python, "install", str(wheel))
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()

    installed = run_python(python, workdir, "import desktop; print(desktop.__file__)")
    assert Path(installed.strip()).is_relative_to(environment)
    check_cli([str(scripts_folder(environment) / "regulars-cli")], workdir, __version__)


def test_the_build_step_compiles_translation_sources(qapp, tmp_path: Path):
    """setup.py's build_py, the step a wheel build runs, here with this environment's setuptools and PySide6."""
    source = copy_source(tmp_path / "source")
    add_translation_source(source)
    built = tmp_path / "built"
    subprocess.run([sys.executable, "setup.py", "--quiet", "build_py", "--build-lib", str(built)], cwd=source,
                   check=True, env=clean_environment(), capture_output=True)
    compiled = built / "desktop" / "resources" / "translations" / "regulars_test.qm"
    translator = QTranslator()
    assert translator.load(str(compiled))
    assert translator.translate("AboutDialog", "About Regulars") == "Sobre o Regulars"
    assert not list(source.rglob("*.qm"))  # a wheel's build leaves the source tree as it was


def test_the_build_asks_for_qt_only_when_there_are_translations_to_compile(tmp_path: Path, monkeypatch):
    source = copy_source(tmp_path / "source")
    monkeypatch.chdir(source)
    monkeypatch.syspath_prepend(str(source / "build_backend"))
    import regulars_build

    assert not [name for name in regulars_build.get_requires_for_build_wheel() if name.startswith("PySide6")]
    add_translation_source(source)
    assert regulars_build.QT_FOR_LRELEASE[0] in regulars_build.get_requires_for_build_wheel()
    assert regulars_build.QT_FOR_LRELEASE[0] in regulars_build.get_requires_for_build_editable()
