"""installer/linux: the desktop entry, and install.sh putting a built folder into the applications menu."""

from __future__ import annotations

import configparser
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "installer" / "linux"
ICON = ROOT / "desktop" / "resources" / "icons" / "regulars.png"


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_starts_the_windowed_program_with_its_icon():
    entry = desktop_entry(LINUX / "regulars.desktop")
    gui_scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["gui-scripts"]
    assert entry["Type"] == "Application" and entry["Name"] == "Regulars"
    assert entry["Exec"] in gui_scripts  # `regulars` once installed with pip; install.sh writes the full path
    assert entry["Icon"] == ICON.stem and ICON.is_file()
    assert entry["Terminal"] == "false" and entry["StartupWMClass"] == "regulars"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux installer")
def test_install_sh_copies_the_folder_and_adds_it_to_the_menu_then_removes_it(tmp_path: Path):
    built = tmp_path / "dist" / "Regulars"
    built.mkdir(parents=True)
    for name in ("regulars", "regulars-cli"):
        (built / name).write_text("#!/bin/sh\n", encoding="utf-8")
        (built / name).chmod(0o755)
    for source in (LINUX / "regulars.desktop", LINUX / "install.sh", ICON):
        shutil.copy2(source, built / source.name)
    home = tmp_path / "home"
    home.mkdir()
    environment = {"HOME": str(home), "PATH": os.environ["PATH"]}

    subprocess.run([str(built / "install.sh")], check=True, env=environment, capture_output=True)
    target = home / ".local" / "opt" / "Regulars"
    entry = desktop_entry(home / ".local" / "share" / "applications" / "regulars.desktop")
    assert entry["Exec"] == f'"{target}/regulars"'
    assert (home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "regulars.png").is_file()
    assert (home / ".local" / "bin" / "regulars-cli").resolve() == target / "regulars-cli"
    assert stat.S_IMODE((target / "regulars").stat().st_mode) & stat.S_IXUSR

    subprocess.run([str(target / "install.sh"), "--remove"], check=True, env=environment, capture_output=True)
    assert not target.exists() and not (home / ".local" / "share" / "applications" / "regulars.desktop").exists()
