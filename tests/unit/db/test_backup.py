"""Backup and restore with real SQLCipher files: consistent while written to, verified, nothing half-done left."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.db.backup import (
    BackupCancelled,
    BackupError,
    backup_shop,
    before_restore_path,
    restore_backup,
)
from desktop.db.engine import open_shop_file, verify_shop_file
from desktop.db.instance_lock import InstanceLock
from desktop.db.key_changes import new_recovery_key
from desktop.db.key_file import key_file_path, pending_key_file_path
from desktop.db.keys import RecoveryKey
from desktop.db.unlock import connect
from desktop.errors import (
    KeyFileError,
    ShopFileDamaged,
    ShopFileError,
    ShopFileInUse,
    WrongPassphrase,
)
from desktop.models import Customer, CustomerPhone, CustomerSearchKey
from desktop.output_files import OutputRefused
from desktop.services.customers import CustomerDetails, add_customer
from desktop.services.lookup import find_customers
from tests.backup_helpers import build_demo_shop, copy_pair, files_in, table_rows
from tests.conftest import PASSPHRASE, REGION
from tests.integration.test_no_plain_data import leaks


@pytest.fixture(scope="module")
def demo_template(shop_template, tmp_path_factory) -> Path:
    return build_demo_shop(shop_template, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo(demo_template, tmp_path):
    database = open_shop_file(copy_pair(demo_template, tmp_path / "live" / "shop.regulars"), PASSPHRASE)
    yield database
    database.close()


@pytest.fixture
def backups(tmp_path) -> Path:
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder


@pytest.fixture
def backup(demo, backups) -> Path:
    return backup_shop(demo, backups / "shop-backup.regulars").path


def opened_rows(path: Path, secret: str = PASSPHRASE) -> dict[str, list[dict]]:
    database = open_shop_file(path, secret)
    try:
        assert verify_shop_file(database) == []
        return table_rows(database)
    finally:
        database.close()


# Backing up


def test_backup_then_restore_matches_every_row_of_every_table(demo, backups, tmp_path):
    original = table_rows(demo)
    assert len(original["customers"]) > 1000 and original["loyalty_entries"] and original["reservations"]
    calls: list[tuple[int, int]] = []
    report = backup_shop(demo, backups / "b.regulars", progress=lambda done, total: calls.append((done, total)))

    assert report.path == backups / "b.regulars" and report.key_file == key_file_path(report.path)
    assert files_in(backups) == ["b.regulars", "b.regulars.key"]
    assert report.customers == len(original["customers"])
    assert report.row_counts == {table: len(rows) for table, rows in original.items()}
    assert len(calls) > 1 and calls[-1] == (report.pages, report.pages)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)

    (tmp_path / "restored").mkdir()
    restored = restore_backup(report.path, PASSPHRASE, tmp_path / "restored" / "shop.regulars")
    assert restored.kept is None and restored.customers == report.customers
    assert files_in(tmp_path / "restored") == ["shop.regulars", "shop.regulars.key"]
    assert opened_rows(restored.path) == original
    # The backup itself opens like the shop, with its passphrase.
    assert opened_rows(report.path) == original


def test_backup_opens_with_the_recovery_key_too(demo, backups, tmp_path):
    recovery = new_recovery_key(demo.path, PASSPHRASE)
    report = backup_shop(demo, backups / "b.regulars")
    restored = restore_backup(report.path, RecoveryKey.parse(recovery), tmp_path / "again.regulars")
    assert opened_rows(restored.path) == table_rows(demo)


def test_backup_while_another_connection_keeps_writing_is_a_consistent_snapshot(demo, backups):
    writer = open_shop_file(demo.path, PASSPHRASE)  # as another till window or command would
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def keep_adding() -> None:
        try:
            n = 0
            while not stop.is_set():
                details = CustomerDetails(
                    first_name="Concorrente", last_name=f"Número {n}", phones=[f"(11) 9{n % 10_000:04d}-{n % 9_000 + 1000}"]
                )
                with writer.writing() as session:
                    written.append(add_customer(session, details, REGION, allow_duplicate=True).id)
                n += 1
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    thread = threading.Thread(target=keep_adding)
    thread.start()
    try:
        while len(written) < 5:
            time.sleep(0.01)
        during: list[int] = []

        def slowly(done: int, total: int) -> None:
            during.append(len(written))
            time.sleep(0.02)  # give the writer time between steps

        report = backup_shop(demo, backups / "busy.regulars", progress=slowly)
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert not failures, failures
    assert during[-1] > during[0], "the other connection wrote nothing while the backup ran"

    database = open_shop_file(report.path, PASSPHRASE)
    try:
        assert verify_shop_file(database) == []
        with database.reading() as session:
            customers = session.scalar(select(func.count()).select_from(Customer))
            without_phone = session.scalar(
                select(func.count()).select_from(Customer).where(~Customer.phones.any())
            )
            without_keys = session.scalar(
                select(func.count()).select_from(Customer).where(
                    ~select(CustomerSearchKey.customer_id).where(CustomerSearchKey.customer_id == Customer.id).exists()
                )
            )
            phones = session.scalar(select(func.count()).select_from(CustomerPhone))
    finally:
        database.close()
    assert customers == report.customers and phones == report.row_counts["customer_phones"]
    assert without_phone == 0 and without_keys == 0
    assert report.customers < len(table_rows(demo)["customers"])  # the writes after the snapshot are not in it


def test_cancel_after_the_first_step_leaves_nothing(demo, backups):
    calls: list[tuple[int, int]] = []
    with pytest.raises(BackupCancelled):
        backup_shop(
            demo, backups / "b.regulars", progress=lambda done, total: calls.append((done, total)),
            cancelled=lambda: bool(calls),
        )
    assert len(calls) == 1 and calls[0][0] < calls[0][1]
    assert files_in(backups) == []
    with demo.reading() as session:
        assert find_customers(session, "", REGION, limit=1)  # the shop still works


def test_cancel_once_copied_leaves_nothing(demo, backups):
    calls: list[tuple[int, int]] = []
    with pytest.raises(BackupCancelled):
        backup_shop(
            demo, backups / "b.regulars", progress=lambda done, total: calls.append((done, total)),
            cancelled=lambda: bool(calls) and calls[-1][0] == calls[-1][1],
        )
    assert files_in(backups) == []


def test_ctrl_c_while_the_copy_is_checked_leaves_nothing(demo, backups):
    """Ctrl+C arrives after the last page is copied: it stops the checks (or the renames) and removes the copy."""
    asked_after_copy: list[int] = []
    copied: list[bool] = []

    def pressed_once_copied() -> bool:
        if copied:
            asked_after_copy.append(1)
            if len(asked_after_copy) > 1:  # the first look is the copy's own last step
                raise KeyboardInterrupt
        return False

    def progress(done: int, total: int) -> None:
        if done == total:
            copied.append(True)

    with pytest.raises(KeyboardInterrupt):
        backup_shop(demo, backups / "b.regulars", progress=progress, cancelled=pressed_once_copied)
    assert len(asked_after_copy) == 2 and files_in(backups) == []


def test_ctrl_c_during_the_copy_leaves_nothing(demo, backups):
    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backup_shop(demo, backups / "b.regulars", progress=interrupt)
    assert files_in(backups) == []


def test_backup_never_overwrites(demo, backups):
    (backups / "b.regulars").write_bytes(b"something else")
    with pytest.raises(OutputRefused, match="already exists"):
        backup_shop(demo, backups / "b.regulars")
    assert (backups / "b.regulars").read_bytes() == b"something else"
    assert files_in(backups) == ["b.regulars"]
    with pytest.raises(OutputRefused, match="one of the shop's own files"):
        backup_shop(demo, demo.path)


def test_backup_into_a_missing_folder_is_refused(demo, tmp_path):
    with pytest.raises(OutputRefused, match="There is no folder"):
        backup_shop(demo, tmp_path / "nowhere" / "b.regulars")
    assert not (tmp_path / "nowhere").exists()


def test_backup_holds_no_plain_customer_data_nor_the_key(demo, backup):
    with demo.reading() as session:
        people = session.scalars(select(Customer).order_by(Customer.id).limit(300)).all()
        values = {c.last_name for c in people} | {c.email for c in people if c.email}
        values |= {phone.national_number for c in people for phone in c.phones}
    values = sorted(v for v in values if len(v) >= 6)  # a short value could turn up in random bytes
    assert len(values) > 100
    assert leaks(backup.parent, values + [PASSPHRASE, "Padaria Teste"]) == []
    key = demo.current_key.key.key
    for path in (backup, key_file_path(backup)):
        data = path.read_bytes()
        assert key not in data and key.hex().encode() not in data and key.hex().upper().encode() not in data


# Restoring


def test_restore_into_an_existing_file_is_refused_without_replace(backup, shop_path):
    before = {p.name: p.read_bytes() for p in shop_path.parent.iterdir()}
    with pytest.raises(BackupError, match="already at") as refused:
        restore_backup(backup, PASSPHRASE, shop_path)
    assert str(shop_path) in str(refused.value)
    assert {p.name: p.read_bytes() for p in shop_path.parent.iterdir()} == before


def test_restore_with_replace_keeps_the_old_pair_renamed(demo, backup, shop_path):
    old_rows = opened_rows(shop_path)
    report = restore_backup(backup, PASSPHRASE, shop_path, replace=True)
    assert report.kept is not None and report.kept.name.startswith("shop.regulars.before-restore-")
    assert report.kept.exists() and key_file_path(report.kept).exists()
    assert opened_rows(report.kept) == old_rows  # the replaced shop still opens, untouched
    assert opened_rows(shop_path) == table_rows(demo)
    # A second restore in the same second keeps both earlier files.
    again = restore_backup(backup, PASSPHRASE, shop_path, replace=True, now=_kept_time(report.kept))
    assert again.kept != report.kept and report.kept.exists() and again.kept.exists()


def _kept_time(kept: Path) -> datetime:
    return datetime.strptime(kept.name.rsplit("before-restore-", 1)[1], "%Y%m%d-%H%M%S")


def test_restore_over_a_shop_open_in_the_app_is_refused(backup, shop_path):
    before = files_in(shop_path.parent)
    with InstanceLock(shop_path):
        with pytest.raises(ShopFileInUse):
            restore_backup(backup, PASSPHRASE, shop_path, replace=True)
    assert files_in(shop_path.parent) == before + ["shop.regulars.lock"]


def test_before_restore_path_names_the_time(tmp_path):
    kept = before_restore_path(tmp_path / "shop.regulars", datetime(2026, 3, 4, 5, 6, 7))
    assert kept.name == "shop.regulars.before-restore-20260304-050607"


@pytest.fixture
def target(tmp_path) -> Path:
    folder = tmp_path / "target"
    folder.mkdir()
    return folder / "shop.regulars"


def assert_refused(backup: Path, target: Path, error, *, secret: str = PASSPHRASE, names: Path | None = None):
    with pytest.raises(error) as refused:
        restore_backup(backup, secret, target)
    assert str(names or backup) in str(refused.value)
    assert files_in(target.parent) == []
    return refused.value


def test_wrong_passphrase_is_refused(backup, target):
    message = str(assert_refused(backup, target, WrongPassphrase, secret="not the passphrase"))
    assert "passphrase is wrong" in message


def test_truncated_backup_is_refused(backup, target):
    data = backup.read_bytes()
    backup.write_bytes(data[: len(data) // 2])
    assert_refused(backup, target, ShopFileError)


def test_backup_cut_to_a_few_bytes_is_refused(backup, target):
    backup.write_bytes(backup.read_bytes()[:10])
    assert "cut short" in str(assert_refused(backup, target, ShopFileError))


def test_altered_byte_in_the_middle_is_refused(backup, target):
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    message = str(assert_refused(backup, target, ShopFileDamaged))
    assert "damaged" in message


def test_missing_key_file_is_refused(backup, target):
    key_file_path(backup).unlink()
    message = str(assert_refused(backup, target, KeyFileError, names=key_file_path(backup)))
    assert str(backup) in message


def test_missing_backup_is_refused(tmp_path, target):
    assert_refused(tmp_path / "absent.regulars", target, ShopFileError)


def test_restore_makes_the_target_folder(backup, tmp_path):
    report = restore_backup(backup, PASSPHRASE, tmp_path / "new" / "till" / "shop.regulars")
    assert files_in(report.path.parent) == ["shop.regulars", "shop.regulars.key"]


def test_a_backup_from_a_newer_regulars_is_refused(demo, backup, target):
    conn = connect(backup, demo.current_key.key)
    try:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    finally:
        conn.close()
    assert "newer version" in str(assert_refused(backup, target, BackupError))


def test_no_backup_while_the_key_is_being_changed(demo, backups):
    pending_key_file_path(demo.path).write_text("a rotation in progress")
    with pytest.raises(BackupError, match="being changed"):
        backup_shop(demo, backups / "b.regulars")
    assert files_in(backups) == []
