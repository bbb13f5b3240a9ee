"""A temporary home for the scheduler's files, and a stand-in systemctl that records how it was called."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class SchedulerHome:
    home: Path
    tool_log: Path  # one line per call of the recorded tool

    def calls(self) -> list[str]:
        return self.tool_log.read_text(encoding="utf-8").splitlines() if self.tool_log.exists() else []

    def units(self) -> Path:
        return self.home / ".config" / "systemd" / "user"


def scheduler_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, systemctl: bool) -> SchedulerHome:
    """HOME is a temp folder; PATH holds only a recording systemctl (or nothing, with systemctl=False)."""
    home, tools = tmp_path / "home", tmp_path / "tools"
    home.mkdir()
    tools.mkdir()
    log = tmp_path / "systemctl.log"
    if systemctl:
        script = tools / "systemctl"
        script.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\n', encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", str(tools))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    return SchedulerHome(home=home, tool_log=log)
