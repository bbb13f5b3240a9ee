"""Backup settings, the overdue warning, and the daily automatic backup with its rotation."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desktop.db.engine import open_shop_file
from desktop.db.key_file import key_file_path
from desktop.errors import InvalidInput
from desktop.output_files import OutputRefused
from desktop.services.backups import (
    BackupSettings,
    automatic_backup_name,
    automatic_backups,
    back_up,
    backup_settings,
    backup_status,
    rotate_backups,
    scheduled_backup,
    shop_slug,
    update_backup_settings,
)
from desktop.services.shop import shop_settings
from tests.backup_helpers import files_in
from tests.conftest import PASSPHRASE

NOW = datetime(2026, 11, 24, 9, 30)


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "backups"
    path.mkdir()
    return path


def set_folder(shop, folder: Path, keep: int = 14, warn_days: int = 2) -> None:
    with shop.writing() as session:
        update_backup_settings(session, BackupSettings(folder=str(folder), keep=keep, warn_days=warn_days))


def set_last_backup(shop, at: datetime | None) -> None:
    with shop.writing() as session:
        shop_settings(session).last_backup_at = at


# Settings


def test_a_new_shop_has_no_backup_folder_and_the_defaults(shop):
    with shop.reading() as session:
        assert backup_settings(session) == BackupSettings(folder="", keep=14, warn_days=2)


def test_settings_are_saved(shop, folder):
    set_folder(shop, folder, keep=30, warn_days=7)
    with shop.reading() as session:
        assert backup_settings(session) == BackupSettings(folder=str(folder), keep=30, warn_days=7)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"folder": "relative/folder"}, "folder"),
        ({"folder": "/no/such/folder/anywhere"}, "folder"),
        ({"keep": 0}, "keep"),
        ({"keep": 366}, "keep"),
        ({"warn_days": 0}, "warn_days"),
        ({"warn_days": 91}, "warn_days"),
    ],
)
def test_bad_settings_name_the_field_and_write_nothing(shop, folder, change, field):
    set_folder(shop, folder, keep=5, warn_days=3)
    settings = {"folder": str(folder), "keep": 5, "warn_days": 3} | change
    with pytest.raises(InvalidInput) as refused:
        with shop.writing() as session:
            update_backup_settings(session, BackupSettings(**settings))
    assert set(refused.value.problems) == {field}
    with shop.reading() as session:
        assert backup_settings(session) == BackupSettings(folder=str(folder), keep=5, warn_days=3)


def test_a_file_is_not_a_folder(shop, folder):
    (folder / "file.txt").write_text("x")
    with pytest.raises(InvalidInput) as refused:
        with shop.writing() as session:
            update_backup_settings(session, BackupSettings(folder=str(folder / "file.txt")))
    assert refused.value.field == "folder"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_a_folder_that_cannot_be_written_is_refused(shop, folder):
    folder.chmod(0o500)
    try:
        with pytest.raises(InvalidInput) as refused:
            with shop.writing() as session:
                update_backup_settings(session, BackupSettings(folder=str(folder)))
    finally:
        folder.chmod(0o700)
    assert refused.value.field == "folder" and "cannot write" in str(refused.value)


def test_every_bad_field_is_named_at_once(shop):
    with pytest.raises(InvalidInput) as refused:
        with shop.writing() as session:
            update_backup_settings(session, BackupSettings(folder="nope", keep=-1, warn_days=1000))
    assert set(refused.value.problems) == {"folder", "keep", "warn_days"}


def test_an_empty_folder_turns_automatic_backups_off(shop, folder):
    set_folder(shop, folder)
    with shop.writing() as session:
        update_backup_settings(session, BackupSettings(folder="", keep=3, warn_days=2))
    with shop.reading() as session:
        assert backup_settings(session).folder == ""
    assert scheduled_backup(shop, NOW) is None


# Status


@pytest.mark.parametrize(
    ("last", "overdue"),
    [
        (None, True),
        (NOW - timedelta(hours=1), False),
        (NOW - timedelta(days=2), False),  # exactly the warning age: not yet
        (NOW - timedelta(days=2, seconds=1), True),
        (NOW - timedelta(days=40), True),
    ],
)
def test_backup_status_is_overdue_after_the_warning_age(shop, last, overdue):
    set_last_backup(shop, last)
    with shop.reading() as session:
        status = backup_status(session, NOW)
    assert status.overdue is overdue
    assert status.last_backup_at == last and status.warn_days == 2
    assert status.age == (NOW - last if last else None)
    assert status.last_export_at is None


def test_back_up_records_the_last_backup(shop, folder):
    report = back_up(shop, folder / "manual.regulars")
    with shop.reading() as session:
        status = backup_status(session, report.taken_at + timedelta(minutes=1))
    assert status.last_backup_at == report.taken_at and not status.overdue


# The daily backup and rotation


def test_scheduled_backup_runs_when_due_and_not_again_within_a_day(shop, folder):
    set_folder(shop, folder)
    report = scheduled_backup(shop, NOW)
    assert report is not None
    assert report.path.name == automatic_backup_name("padaria-teste", NOW)
    assert files_in(folder) == sorted([report.path.name, report.path.name + ".key"])
    open_shop_file(report.path, PASSPHRASE).close()  # the pair opens with the shop's passphrase

    set_last_backup(shop, NOW)
    assert scheduled_backup(shop, NOW + timedelta(hours=23, minutes=59)) is None
    assert scheduled_backup(shop, NOW + timedelta(hours=24)) is not None
    assert len(automatic_backups(folder, "padaria-teste")) == 2


def test_rotation_keeps_the_newest_pairs_and_nothing_else_is_touched(shop, folder):
    set_folder(shop, folder, keep=3)
    unrelated = [
        "notes.txt",
        "padaria-teste-20200101-000000.regulars.bak",  # not the pattern
        "other-shop-20200101-000000.regulars",  # another shop's backups
        "other-shop-20200101-000000.regulars.key",
        "padaria-teste-manual.regulars",
        "padaria-teste-20201399-999999.regulars",  # digits, but not a date
    ]
    for name in unrelated:
        (folder / name).write_text("keep me")
    made = []
    for day in range(6):
        set_last_backup(shop, None)
        made.append(scheduled_backup(shop, NOW + timedelta(days=day)).path.name)
    newest = made[-3:]
    assert files_in(folder) == sorted(unrelated + newest + [name + ".key" for name in newest])
    assert all((folder / name).read_text() == "keep me" for name in unrelated)


def test_a_failed_backup_rotates_nothing(shop, folder):
    for day in range(3):
        name = automatic_backup_name("padaria-teste", NOW - timedelta(days=day + 1))
        (folder / name).write_text("old")
        key_file_path(folder / name).write_text("old key")
    set_folder(shop, folder, keep=1)
    existing = automatic_backup_name("padaria-teste", NOW)
    (folder / existing).write_text("in the way")  # the backup's own name is taken: it fails
    with pytest.raises(OutputRefused, match="already exists"):
        scheduled_backup(shop, NOW)
    assert len(files_in(folder)) == 7


def test_rotate_backups_returns_what_it_deleted(folder):
    names = [automatic_backup_name("shop", NOW - timedelta(days=d)) for d in range(4)]
    for name in names:
        (folder / name).write_text("x")
    assert [p.name for p in rotate_backups(folder, "shop", 2)] == names[2:]
    assert files_in(folder) == sorted(names[:2])


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Padaria São João", "padaria-sao-joao"),
        ("  Café & Bar / Nº 1 ", "cafe-bar-no-1"),
        ("Φούρνος", "φουρνοσ"),
        ("!!!", "shop"),
    ],
)
def test_shop_slug(name, slug):
    assert shop_slug(name) == slug
