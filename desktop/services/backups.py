"""Backups as the shop uses them: settings, the daily automatic backup with rotation, and the overdue warning.

The copying itself is desktop/db/backup.py. Here: where the automatic backups go
(``backup_folder``; "" for none), how many are kept there (``backup_keep``), after how
many days without a backup the window warns (``backup_warn_days``), and when the last
backup happened. Automatic backups are named ``<shop-name>-YYYYmmdd-HHMMSS.regulars``
(local time) with their key file beside them; rotation deletes only pairs that match
that pattern for this shop, never any other file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from desktop.db.backup import BackupReport, Progress, backup_shop
from desktop.db.engine import ShopDatabase
from desktop.db.key_file import key_file_path
from desktop.errors import InvalidInput, Problem, translatable
from desktop.output_files import remove_leftovers
from desktop.services import audit
from desktop.services.permissions import Permission, require, require_actor
from desktop.services.shop import shop_settings
from desktop.services.text import clean_text, fold

KEEP_RANGE = (1, 365)
WARN_DAYS_RANGE = (1, 90)
MAX_FOLDER = 500
SCHEDULE_EVERY = timedelta(hours=24)
BACKUP_SUFFIX = ".regulars"
_STAMP = "%Y%m%d-%H%M%S"
_SLUG_MAX = 40


@dataclass(frozen=True)
class BackupSettings:
    folder: str = ""  # "" means no automatic backups
    keep: int = 14
    warn_days: int = 2


@dataclass(frozen=True)
class BackupStatus:
    last_backup_at: datetime | None  # naive UTC, as stored
    last_export_at: datetime | None
    folder: str
    overdue: bool  # no backup yet, or the last one is older than the warning age
    age: timedelta | None  # since the last backup
    warn_days: int

    @property
    def days_without(self) -> int | None:
        return self.age.days if self.age is not None else None


def backup_settings(session: Session) -> BackupSettings:
    shop = shop_settings(session)
    return BackupSettings(folder=shop.backup_folder, keep=shop.backup_keep, warn_days=shop.backup_warn_days)


def check_backup_settings(settings: BackupSettings) -> BackupSettings:
    """The settings cleaned (the folder made absolute), or InvalidInput naming each bad field."""
    problems: dict[str, Problem] = {}
    folder = clean_text(settings.folder, max_length=MAX_FOLDER)
    if isinstance(folder, Problem):
        problems["folder"] = folder
    elif folder:
        path = Path(folder).expanduser()
        if not path.is_absolute():
            problems["folder"] = Problem(translatable("Give the folder's full path."))
        elif not path.is_dir():
            problems["folder"] = Problem(translatable("There is no folder at {folder}."), {"folder": folder})
        elif not os.access(path, os.W_OK | os.X_OK):
            problems["folder"] = Problem(translatable("Regulars cannot write in {folder}."), {"folder": folder})
        else:
            folder = str(path)
    for name, value, (low, high) in (
        ("keep", settings.keep, KEEP_RANGE),
        ("warn_days", settings.warn_days, WARN_DAYS_RANGE),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems[name] = Problem(
                translatable("Enter a whole number from {low} to {high}."), {"low": low, "high": high}
            )
    if problems:
        raise InvalidInput(problems)
    return BackupSettings(folder=folder, keep=settings.keep, warn_days=settings.warn_days)


def update_backup_settings(session: Session, settings: BackupSettings) -> BackupSettings:
    """Saves the settings; InvalidInput naming each bad field, and nothing changed, on bad input."""
    require(session, Permission.BACKUP)
    settings = check_backup_settings(settings)
    shop = shop_settings(session)
    shop.backup_folder, shop.backup_keep, shop.backup_warn_days = settings.folder, settings.keep, settings.warn_days
    audit.record(session, audit.SETTINGS_CHANGED, subject_kind="shop",
                 details={"fields": ["backup_folder", "backup_keep", "backup_warn_days"]})  # fmt: skip
    return settings


def backup_status(session: Session, now: datetime) -> BackupStatus:
    """``now`` is naive UTC, like every stored time."""
    shop = shop_settings(session)
    age = now - shop.last_backup_at if shop.last_backup_at is not None else None
    return BackupStatus(
        last_backup_at=shop.last_backup_at,
        last_export_at=shop.last_export_at,
        folder=shop.backup_folder,
        overdue=age is None or age > timedelta(days=shop.backup_warn_days),
        age=age,
        warn_days=shop.backup_warn_days,
    )


def back_up(
    database: ShopDatabase,
    out: Path | str,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BackupReport:
    """A verified backup pair at ``out`` (see desktop.db.backup.backup_shop), recorded as the last backup."""
    require_actor(database.acting, Permission.BACKUP)
    return _back_up(database, Path(out), progress, cancelled, automatic=False)


def _back_up(database: ShopDatabase, out: Path, progress, cancelled, *, automatic: bool) -> BackupReport:
    started_by = database.acting  # the till may be locked, or someone else signed in, when it ends
    report = backup_shop(database, out, progress=progress, cancelled=cancelled)
    with database.writing() as session:
        session.info["actor"] = started_by
        shop = shop_settings(session)
        if shop.last_backup_at is None or shop.last_backup_at < report.taken_at:
            shop.last_backup_at = report.taken_at
        audit.record(session, audit.BACKED_UP, details={"file": out.name, "customers": report.customers,
                                                       "automatic": automatic})  # fmt: skip
    return report


def scheduled_backup(
    database: ShopDatabase,
    now: datetime,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> BackupReport | None:
    """The daily automatic backup, when a folder is set and the last backup is 24 hours old or more; else None.

    After a verified backup, only the newest ``backup_keep`` automatic backups of this
    shop stay in the folder. ``now`` is naive UTC. It runs whoever is signed in, even while
    the till is locked: keeping the shop's data safe is no one's choice to skip.
    """
    with database.reading() as session:
        shop = shop_settings(session)
        folder, keep, name, last = shop.backup_folder, shop.backup_keep, shop.name, shop.last_backup_at
    if not folder or (last is not None and now - last < SCHEDULE_EVERY):
        return None
    slug = shop_slug(name)
    report = _back_up(database, Path(folder) / automatic_backup_name(slug, now), progress, cancelled, automatic=True)
    rotate_backups(Path(folder), slug, keep)
    return report


def remove_leftovers_of(database: ShopDatabase) -> list[Path]:
    """The hidden files a killed backup, restore, key or register write left beside the shop file and
    in the backup folder (only Regulars' own names, an hour old; see remove_leftovers). Run on opening."""
    with database.reading() as session:
        folder = shop_settings(session).backup_folder
    path = Path(database.path)
    return remove_leftovers([path.parent, folder], shop_name=path.name)


def is_due(status: BackupStatus, now: datetime) -> bool:
    return bool(status.folder) and (status.last_backup_at is None or now - status.last_backup_at >= SCHEDULE_EVERY)


def shop_slug(shop_name: str) -> str:
    """The shop's name as a file name part: "Padaria São João" -> "padaria-sao-joao"."""
    slug = re.sub(r"[^\w]+", "-", fold(shop_name)).strip("-_")[:_SLUG_MAX].strip("-_")
    return slug or "shop"


def automatic_backup_name(slug: str, now: datetime) -> str:
    """``now`` (naive UTC) is written in the shop's local time, which is what the owner reads."""
    local = now.replace(tzinfo=timezone.utc).astimezone()
    return f"{slug}-{local.strftime(_STAMP)}{BACKUP_SUFFIX}"


def automatic_backups(folder: Path, slug: str) -> list[Path]:
    """This shop's automatic backups in ``folder``, newest first."""
    pattern = re.compile(rf"^{re.escape(slug)}-(\d{{8}}-\d{{6}}){re.escape(BACKUP_SUFFIX)}$")
    found = []
    for path in folder.iterdir():
        match = pattern.match(path.name)
        if match and path.is_file():
            try:
                found.append((datetime.strptime(match.group(1), _STAMP), path))
            except ValueError:
                continue  # the digits are not a date: not one of ours
    return [path for _stamp, path in sorted(found, reverse=True)]


def rotate_backups(folder: Path, slug: str, keep: int) -> list[Path]:
    """Deletes all but the newest ``keep`` automatic backup pairs of this shop; returns the deleted shop files."""
    removed = []
    for old in automatic_backups(folder, slug)[keep:]:
        for path in (old, key_file_path(old)):
            path.unlink(missing_ok=True)
        removed.append(old)
    return removed

