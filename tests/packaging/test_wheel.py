"""The wheel works outside the repository: built, installed into a fresh virtual environment, run elsewhere.

A shop never has a clone of this repository, so the fonts, the privacy notice and the demo names
must travel inside the wheel. The source is copied to a temporary folder first, so building leaves
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

from desktop import __version__
from installer.smoke import check_cli, clean_environment
from tests.pdf_reading import require_poppler

ROOT = Path(__file__).resolve().parents[2]
PIP_SECONDS = 600


def copy_source(target: Path) -> Path:
    shutil.copytree(ROOT / "desktop", target / "desktop", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


def pip(python: Path | str, *args: str) -> None:
    subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "--quiet", *args],
                   check=True, env=clean_environment(), timeout=PIP_SECONDS)


def build_wheel(tmp_path: Path) -> Path:
    source = copy_source(tmp_path / "source")
    pip(sys.executable, "wheel", "--no-deps", "--wheel-dir", str(tmp_path / "dist"), str(source))
    (wheel,) = (tmp_path / "dist").glob("regulars-*.whl")
    return wheel


def scripts_folder(environment: Path) -> Path:
    return environment / ("Scripts" if sys.platform == "win32" else "bin")


@pytest.mark.slow
def test_the_installed_wheel_prints_with_its_fonts_and_notice_from_another_folder(tmp_path: Path):
    require_poppler()
    wheel = build_wheel(tmp_path)
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(environment)
    python = scripts_folder(environment) / "python"
    pip(python, "install", str(wheel))
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()

    installed = subprocess.run([str(python), "-c", "import desktop; print(desktop.__file__)"], cwd=workdir,
                               env=clean_environment(), check=True, capture_output=True, text=True).stdout
    assert Path(installed.strip()).is_relative_to(environment)
    check_cli([str(scripts_folder(environment) / "regulars-cli")], workdir, __version__)
