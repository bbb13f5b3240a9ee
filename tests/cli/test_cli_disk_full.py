"""A full disk, for real: a small tmpfs filled to the last byte, as the output folder of every writing
command and under the shop file itself. Each says "the disk is full", exits 1 and leaves the disk
exactly as it was (no partial file, no temporary file, no empty folder) and the shop untouched.

Mounting needs root (this machine and CI run the tests as root); elsewhere these tests skip.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.db.key_file import key_file_path
from tests.cli.helpers import ok, refused
from tests.cli.output_targets import (  # noqa: F401 - stocked and its template are fixtures
    CLOSES_A_CHANGE_NUMBER,
    WRITERS,
    command,
    fingerprint,
    listing,
    stocked,
    stocked_template,
)
from tests.conftest import PASSPHRASE

DISK_FULL = "The disk is full"


def fill(folder: Path) -> None:
    """Writes zeros into folder/filler until the disk refuses the next byte."""
    descriptor = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)
    descriptor = os.open(folder / "filler", os.O_WRONLY | os.O_APPEND)
    try:  # the last few bytes of the last block
        while True:
            os.write(descriptor, b"\0")
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)


@pytest.fixture
def small_disk(tmp_path):
    """mount(size) -> a folder on a fresh tmpfs of that size; unmounted after the test."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        folder = tmp_path / f"disk-{len(mounted)}"
        folder.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            pytest.skip(f"mounting a small tmpfs is not allowed here (needs root): {result.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("writer", WRITERS)
def test_every_writing_command_says_the_disk_is_full_and_leaves_nothing(cli, stocked, small_disk, writer):
    disk = small_disk("256k")
    fill(disk)
    before, shop, book = listing(disk), fingerprint(stocked), ok(cli, stocked, "customers", "find", "--json")
    err = refused(cli, stocked, *command(writer, disk / "out.file"))
    assert DISK_FULL in err and str(disk) in err, err
    assert listing(disk) == before
    if writer in CLOSES_A_CHANGE_NUMBER:
        assert ok(cli, stocked, "customers", "find", "--json") == book
        assert "changes since" not in ok(cli, stocked, "export", "--plain", "--out", str(stocked.parent / "next.zip"))
    else:
        assert fingerprint(stocked) == shop


def test_privacy_export_says_the_disk_is_full_and_leaves_no_folder(cli, stocked, small_disk):
    disk = small_disk("256k")
    fill(disk)
    before = listing(disk)
    err = refused(cli, stocked, "privacy", "export", "1", "--out", str(disk / "for ana" / "data"))
    assert DISK_FULL in err, err
    assert listing(disk) == before


def test_a_half_written_output_is_removed_when_the_disk_fills(cli, stocked, small_disk):
    """Room for the start of the file, not for all of it: the part written goes too."""
    disk = small_disk("64k")
    err = refused(cli, stocked, "backup", "--out", str(disk / "b.regulars"))
    assert DISK_FULL in err, err
    assert listing(disk) == {}


def test_adding_a_customer_on_a_full_shop_disk_says_so_and_the_shop_is_intact(cli, stocked, small_disk, tmp_path):
    disk = small_disk("2m")
    shop = disk / "shop.regulars"
    shutil.copy2(stocked, shop)
    shutil.copy2(key_file_path(stocked), key_file_path(shop))
    fill(disk)
    before = fingerprint(shop)
    recovery_key_out = tmp_path / "new-recovery-key.txt"  # on a disk with room: the rotation itself fails
    for args in (("customers", "add", "--first-name", "Bia", "--phone", "(11) 98765-4000"),
                 ("key", "rotate", "--recovery-key-out", str(recovery_key_out))):
        err = refused(cli, shop, *args)
        assert DISK_FULL in err and str(disk) in err, err
        assert fingerprint(shop) == before
    assert not recovery_key_out.exists()  # a key that never took effect is not left to be mistaken for one
    (disk / "filler").unlink()
    assert "check ok" in ok(cli, shop, "check")
    ok(cli, shop, "customers", "add", "--first-name", "Bia", "--phone", "(11) 98765-4000")
    assert PASSPHRASE  # the shop still opens with its passphrase (the cli fixture's)
