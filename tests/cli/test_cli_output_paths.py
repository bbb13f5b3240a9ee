"""Every command that writes a file goes through one check: the shop's own files, what is not an
ordinary file and bad names are refused with the option named, an existing file needs --force,
and what is written is readable by the owner only (0600)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop.db.key_file import key_file_path
from tests.cli.helpers import ok, refused
from tests.cli.output_targets import (  # noqa: F401 - stocked and its template are fixtures
    NEVER_REPLACES,
    WRITERS,
    command,
    fingerprint,
    listing,
    stocked,
    stocked_template,
)

SHOP_OWN = ["shop.regulars", "shop.regulars.key", "shop.regulars.key.new", "shop.regulars-wal",
            "shop.regulars-shm", "shop.regulars-journal", "shop.regulars.erased"]


def refused_out(cli, db: Path, args: list[str]) -> str:
    err = refused(cli, db, *args)
    assert err.startswith("regulars: --out: "), err
    return err


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("own", SHOP_OWN)
def test_the_shops_own_files_are_refused_even_with_force(cli, stocked, writer, own):
    before, folder = fingerprint(stocked), listing(stocked.parent)
    err = refused_out(cli, stocked, command(writer, stocked.parent / own, force=True))
    assert "one of the shop's own files" in err
    assert fingerprint(stocked) == before
    assert listing(stocked.parent) == folder


@pytest.mark.parametrize("writer", WRITERS)
def test_the_shop_file_through_a_link_or_another_spelling_is_refused(cli, stocked, writer, tmp_path):
    before = fingerprint(stocked)
    (tmp_path / "link.pdf").symlink_to(stocked)
    os.link(key_file_path(stocked), tmp_path / "hard.pdf")
    for target in (tmp_path / "link.pdf", tmp_path / "hard.pdf", stocked.parent / ".." / "shop" / stocked.name):
        assert "one of the shop's own files" in refused_out(cli, stocked, command(writer, target, force=True))
    assert fingerprint(stocked) == before
    assert (tmp_path / "link.pdf").is_symlink()


@pytest.mark.parametrize("writer", WRITERS)
def test_another_shops_files_and_backups_are_refused(cli, stocked, writer, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    for name in ("till-2.regulars", "till-2.regulars.key", "b-20250101-120000.regulars",
                 "b-20250101-120000.regulars.key", "till-2.regulars.erased"):
        (other / name).write_bytes(b"belongs to a shop")
    before = listing(other)
    for name in before:
        err = refused_out(cli, stocked, command(writer, other / name, force=True))
        assert "already exists" in err if writer in NEVER_REPLACES else "Regulars shop file, backup" in err
    assert listing(other) == before


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("kind", ["pipe", "folder", "device"])
def test_what_is_not_an_ordinary_file_is_refused(cli, stocked, writer, kind, tmp_path):
    if kind == "pipe":
        target = tmp_path / "pipe.pdf"
        os.mkfifo(target)
    elif kind == "folder":
        target = tmp_path / "folder.pdf"
        target.mkdir()
    else:
        target = Path("/dev/full")
        if not target.exists():
            pytest.skip("this system has no /dev/full")
    err = refused_out(cli, stocked, command(writer, target, force=True))
    assert ("is a folder" if kind == "folder" else "not an ordinary file") in err
    mode = target.lstat().st_mode
    assert {"pipe": stat.S_ISFIFO, "folder": stat.S_ISDIR, "device": stat.S_ISCHR}[kind](mode)
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("name, says", [
    ("", "Name a file"),
    (".", "Name a file"),
    ("n" * 300 + ".pdf", "too long"),
    ("no such folder/x.pdf", "There is no folder"),
    ("/proc/version", "system folder"),
])
def test_bad_names_are_refused(cli, stocked, writer, name, says, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = listing(tmp_path)
    assert says in refused_out(cli, stocked, command(writer, name, force=True))
    assert listing(tmp_path) == before


@pytest.mark.parametrize("writer", WRITERS)
def test_an_existing_file_needs_force(cli, stocked, writer, tmp_path):
    target = tmp_path / "mine.out"
    target.write_bytes(b"the owner's own file")
    err = refused_out(cli, stocked, command(writer, target))
    assert "already exists" in err and str(target) in err
    assert target.read_bytes() == b"the owner's own file"
    if writer in NEVER_REPLACES:
        assert "--force" not in err  # a backup has no --force: it never replaces anything
        return
    assert "--force" in err
    ok(cli, stocked, *command(writer, target, force=True))
    assert target.read_bytes() != b"the owner's own file"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.out", "shop"]


@pytest.mark.parametrize("writer", WRITERS)
def test_every_output_is_readable_by_the_owner_only(cli, stocked, writer, tmp_path, monkeypatch):
    previous = os.umask(0o022)
    try:
        ok(cli, stocked, *command(writer, tmp_path / "new.out"))
    finally:
        os.umask(previous)
    written = sorted(p for p in tmp_path.iterdir() if p.is_file())
    assert written  # the output (and a backup's key file)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {p.name: 0o600 for p in written}


# privacy export writes two files into a folder


def test_privacy_export_refuses_a_file_as_its_folder_and_needs_force_to_replace(cli, stocked, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    assert "is a file, not a folder" in refused_out(cli, stocked, ["privacy", "export", "1", "--out", str(blocker)])
    out = tmp_path / "new" / "folders"
    ok(cli, stocked, "privacy", "export", "1", "--out", str(out))
    written = sorted(out.iterdir())
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [0o600, 0o600]
    before = {p.name: p.read_bytes() for p in written}
    assert "--force" in refused_out(cli, stocked, ["privacy", "export", "1", "--out", str(out)])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    ok(cli, stocked, "privacy", "export", "1", "--out", str(out), "--force")
    assert sorted(p.name for p in out.iterdir()) == sorted(before)


# restore's target is --db


@pytest.mark.parametrize("kind", ["pipe", "folder", "key file"])
def test_restore_refuses_a_target_that_is_no_shop_file(cli, stocked, kind, tmp_path):
    backup = tmp_path / "b.regulars"
    ok(cli, stocked, "backup", "--out", str(backup))
    target = tmp_path / "target.regulars"
    if kind == "pipe":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target = key_file_path(stocked)
    before = fingerprint(stocked)
    err = refused(cli, target, "restore", str(backup), "--replace", "--yes")
    assert err.startswith("regulars: --db: "), err
    assert fingerprint(stocked) == before


# What killed backups and erasures left behind


def test_leftovers_of_killed_writes_are_cleared_at_the_next_command_and_nothing_else(cli, stocked, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    ok(cli, stocked, "backup-settings", "--folder", str(backups))
    ours = [
        stocked.parent / ".shop.regulars.k3j4l5m6.partial",  # a backup into the shop's folder, killed
        stocked.parent / ".shop.regulars.k3j4l5m6.partial-journal",
        stocked.parent / ".shop.regulars.erased.a1b2c3d4.tmp",  # an erasure register write, killed
        stocked.parent / ".shop.regulars.erased.a1b2c3d4.part",
        backups / ".padaria-teste-20250101-120000.regulars.x9y8z7w6.partial",  # the daily backup, killed
        backups / ".padaria-teste-20250101-120000.regulars.key.x9y8z7w6.partial",
    ]
    not_ours = [
        stocked.parent / ".notes.abcdefgh.tmp",  # another program's temporary file
        stocked.parent / "shop.regulars.k3j4l5m6.partial",  # not hidden
        backups / "important.partial",
        backups / ".padaria-teste.regulars.x9y8z7w6.partial-old",
    ]
    running = backups / ".padaria-teste-20250102-120000.regulars.q1w2e3r4.partial"  # a backup writing now
    hour_and_a_bit = 3_700
    for path in [*ours, *not_ours, running]:
        path.write_bytes(b"half a file")
        if path is not running:
            os.utime(path, (path.stat().st_atime - hour_and_a_bit, path.stat().st_mtime - hour_and_a_bit))
    ok(cli, stocked, "customers", "find")
    assert [path for path in ours if path.exists()] == []
    assert all(path.exists() for path in [*not_ours, running])
