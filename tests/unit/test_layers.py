"""The layers, checked over every module: imports point one way.

ui and cli sit on top; below them the core (services, sync, printing), then db and models.
Nothing below ui imports Qt, nothing in the core imports ui or cli, and migrations import
nothing from the live code (they run on old shop files for years and must not change when a
service does).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "desktop"
CORE = ("services", "sync", "printing", "db", "models")
# What each room may import from the package, besides itself and the shared leaves
# (desktop.errors, desktop.paths, desktop.output_files, desktop.__version__).
ALLOWED = {
    "models": set(),
    "db": {"models"},
    "printing": set(),
    # services -> sync: an erasure applies its tombstone (sync/tombstones.py) in the same
    # transaction; that code belongs in services, and moves there with the shop's front door.
    "services": {"models", "db", "printing", "sync"},
    "sync": {"models", "db", "services"},
}
LEAVES = {"errors", "paths", "output_files", "__init__", "__version__"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imported(path: Path) -> list[str]:
    """Every absolute import in the module, anywhere in it (function-level imports too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _room(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _rooms_imported(path: Path) -> set[str]:
    rooms = set()
    for name in _imported(path):
        parts = name.split(".")
        if parts[0] == "desktop" and len(parts) > 1:
            rooms.add(parts[1])
    return rooms


def _core_modules() -> list[Path]:
    return [path for path in _modules() if _room(path) in CORE]


@pytest.mark.parametrize("path", _core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_qt_below_the_window(path):
    qt = [name for name in _imported(path) if name.split(".")[0] in ("PySide6", "shiboken6")]
    assert not qt, f"{path.relative_to(PACKAGE)} imports {qt}"


@pytest.mark.parametrize("path", _core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_imports_only_downwards(path):
    room = _room(path)
    wrong = _rooms_imported(path) - ALLOWED[room] - LEAVES - {room}
    assert not wrong, f"{path.relative_to(PACKAGE)} ({room}) imports {sorted(wrong)}"


MIGRATIONS = sorted((PACKAGE / "db" / "migrations" / "versions").glob("*.py"))


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: p.name)
def test_migrations_are_frozen(path):
    """A migration may use alembic, SQLAlchemy's core and desktop/db/migrations/frozen.py only."""
    live = [
        name for name in _imported(path)
        if name.startswith("desktop") and name != "desktop.db.migrations.frozen"
    ]
    assert not live, f"{path.name} imports live code: {live}"


def test_the_frozen_helpers_import_nothing_from_the_app():
    frozen = PACKAGE / "db" / "migrations" / "frozen.py"
    assert not [name for name in _imported(frozen) if name.startswith("desktop")]
