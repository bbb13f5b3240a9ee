"""./dev installs what it needs only once: `./dev demo` what the app needs, `./dev test` the test tools too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).parents[2]


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of ./dev and pyproject.toml beside a .venv whose python only writes down how it was called."""
    shutil.copy2(CHECKOUT / "dev", tmp_path / "dev")
    shutil.copy2(CHECKOUT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "$*" >> "$(dirname "$0")/../calls.log"\n')
    python.chmod(0o755)
    return tmp_path


def _install(checkout: Path, kind: str) -> list[str]:
    """Runs ensure_venv KIND as ./dev demo or ./dev test would; the pip commands it ran."""
    log = checkout / ".venv" / "calls.log"
    log.unlink(missing_ok=True)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # a Python 3.11+ for ensure_python
    subprocess.run(["bash", "-c", f"source ./dev && ensure_venv {kind}"], cwd=checkout, check=True,
                   env={**os.environ, "PATH": path}, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    return [call for call in calls if call.startswith("-m pip install")]


def test_demo_installs_the_app_once_and_without_the_test_tools(checkout):
    first = _install(checkout, "app")
    assert first[-1].endswith("install --quiet --disable-pip-version-check -e .")
    assert _install(checkout, "app") == []  # the second start goes straight on


def test_a_changed_pyproject_installs_again(checkout):
    _install(checkout, "app")
    with (checkout / "pyproject.toml").open("a") as file:
        file.write("\n# a new dependency\n")
    assert _install(checkout, "app") != []


def test_test_installs_the_test_tools_and_then_demo_needs_nothing_more(checkout):
    assert _install(checkout, "test")[-1].endswith("-e .[test]")
    assert _install(checkout, "test") == []
    assert _install(checkout, "app") == []
