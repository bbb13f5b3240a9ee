"""Where a shop file lives when no --db is given (the per-user data folder), and the packaged resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SHOP_FILE_NAME = "shop.regulars"


def user_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return base / "Regulars"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Regulars"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "regulars"


def default_shop_path() -> Path:
    return user_data_dir() / SHOP_FILE_NAME


def resources_dir() -> Path:
    return Path(__file__).resolve().parent / "resources"
