"""The erasure register outlives the shop file's disk: a copy beside the backups, read on restore and on every open."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from desktop.db.key_file import key_file_path
from desktop.services.erasure_register import register_path
from tests.cli.helpers import ok, ok_json
from tests.erasure_helpers import NAME


def _zuleika(cli, shop_path: Path) -> dict:
    return ok_json(cli, shop_path, "customers", "add", "--first-name", NAME[0], "--last-name", NAME[1],
                   "--phone", "(11) 97531-8642", "--json")  # fmt: skip


def _copy_pair(source: Path, target: Path) -> None:
    shutil.copy2(source, target)
    shutil.copy2(key_file_path(source), key_file_path(target))


def test_a_copy_of_the_register_sits_in_the_backup_folder_and_a_restore_elsewhere_reads_it(cli, shop_path, tmp_path):
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    ok(cli, shop_path, "backup-settings", "--folder", str(folder))
    zuleika = _zuleika(cli, shop_path)
    ok(cli, shop_path, "backup", "--out", str(folder / "monday.regulars"))
    ok(cli, shop_path, "privacy", "erase", str(zuleika["id"]), "--yes")

    copies = sorted(path.name for path in folder.glob("*.erased"))
    assert copies == ["padaria-teste.erased"]
    register = json.loads((folder / copies[0]).read_text(encoding="utf-8"))
    assert [entry["customer_uuid"] for entry in register["erasures"]] == [zuleika["uuid"]]
    assert NAME[0] not in (folder / copies[0]).read_text(encoding="utf-8")

    # The shop's disk is lost: the backup comes back on a new machine, with no register beside it.
    new_home = tmp_path / "new-till" / "shop.regulars"
    new_home.parent.mkdir()
    restored = ok_json(cli, new_home, "restore", str(folder / "monday.regulars"), "--json")
    assert restored["erased_again"] == 1 and register_path(new_home).exists()  # a register starts there too
    assert ok_json(cli, new_home, "customers", "find", NAME[0], "--json") == []


def test_a_backup_folder_that_is_not_plugged_in_is_no_obstacle(cli, shop_path, tmp_path):
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    ok(cli, shop_path, "backup-settings", "--folder", str(folder))
    folder.rmdir()
    zuleika = _zuleika(cli, shop_path)
    ok(cli, shop_path, "privacy", "erase", str(zuleika["id"]), "--yes")
    assert register_path(shop_path).exists() and not folder.exists()


def test_every_command_forgets_the_erased_in_a_file_put_back_by_hand(cli, shop_path, tmp_path):
    zuleika = _zuleika(cli, shop_path)
    old = tmp_path / "old.regulars"
    _copy_pair(shop_path, old)
    ok(cli, shop_path, "privacy", "erase", str(zuleika["id"]), "--yes")
    _copy_pair(old, shop_path)  # an old copy over the live file, not through `regulars restore`

    assert ok_json(cli, shop_path, "customers", "find", NAME[0], "--json") == []
    out = tmp_path / "contacts.vcf"
    ok(cli, shop_path, "export-contacts", "--all", "--out", str(out))
    assert NAME[0] not in out.read_text(encoding="utf-8")
