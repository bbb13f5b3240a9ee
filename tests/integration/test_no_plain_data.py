"""Nothing a customer told the shop, nor the passphrase or recovery key, is readable in any file Regulars leaves.

Each file in the shop's folder (the shop file, its -wal and -shm, the key file, the
instance lock and anything else) is read raw and searched for the values in UTF-8 and
UTF-16-LE, the two encodings SQLite can store text in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main as cli_main
from desktop.db.engine import open_shop_file
from desktop.db.instance_lock import InstanceLock
from desktop.services.customers import CustomerDetails, add_customer
from desktop.services.lookup import find_customers
from desktop.services.text import fold

PASSPHRASE = "correct horse battery"  # the shared template's (tests/conftest.py)
REGION = "BR"

SECRET_CUSTOMERS = [
    CustomerDetails(
        first_name="Zyxwvutsrq",
        last_name="Ωμέγαλφα",
        phones=["(11) 97531-8642", "+351 936 482 751"],
        email="zyx.unique.8842@example.org",
        notes="Qwertzuiop prefers the rye loaf",
        city="Xanthoula",
        heard_from="Pfefferminzia",
    ),
    CustomerDetails(first_name="Ξενοφών", last_name="Kjölqvist", phones=["+30 697 246 8135"], company="Vorkbakkerij"),
]
PHONE_DIGITS = ["11975318642", "936482751", "6972468135"]


def needles() -> list[str]:
    values: set[str] = set(PHONE_DIGITS)
    for c in SECRET_CUSTOMERS:
        for value in (c.first_name, c.last_name, c.email, c.notes, c.city, c.heard_from, c.company):
            if value:
                values.update({value, fold(value), value.lower()})
        for phone in c.phones:
            values.add(phone)
    values.update(digits[::-1] for digits in PHONE_DIGITS)  # as the reversed-digits index has them
    values.update({"5511975318642", "351936482751", "306972468135"})  # E.164 without "+"
    return sorted(values)


def leaks(folder: Path, values: list[str]) -> list[str]:
    found = []
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for value in values:
            for encoding in ("utf-8", "utf-16-le"):
                if value.encode(encoding) in data:
                    found.append(f"{value!r} ({encoding}) in {path.name}")
    return found


def test_no_customer_data_nor_passphrase_in_any_file(shop_path, monkeypatch, capsys):
    folder = shop_path.parent
    values = needles()
    lock = InstanceLock(shop_path)
    lock.acquire()  # as the app holds it while open
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.writing() as session:
            for details in SECRET_CUSTOMERS:
                add_customer(session, details, REGION)
        with database.reading() as session:
            assert find_customers(session, "zyxwv", REGION)[0].first_name == "Zyxwvutsrq"

        # Still open: the last writes are in the -wal, not yet checkpointed.
        names = {p.name for p in folder.iterdir()}
        assert {shop_path.name, shop_path.name + "-wal", shop_path.name + "-shm", shop_path.name + ".lock"} <= names
        assert (folder / (shop_path.name + "-wal")).stat().st_size > 0
        assert leaks(folder, values + [PASSPHRASE]) == []

        # The command line, run in this process while the app still has the file open.
        monkeypatch.setenv("REGULARS_PASSPHRASE", PASSPHRASE)
        assert cli_main([
            "--db", str(shop_path), "customers", "add", "--first-name", "Qqxyzzyplugh", "--last-name", "Ωμέγαλφα",
            "--phone", "+55 21 98642-9753", "--email", "plugh.7315@example.net", "--notes", "Frobnicatrix",
        ]) == 0
        assert cli_main(["--db", str(shop_path), "customers", "find", "Qqxyzzyplugh"]) == 0
        assert "Qqxyzzyplugh" in capsys.readouterr().out
        values += ["Qqxyzzyplugh", "qqxyzzyplugh", "plugh.7315@example.net", "Frobnicatrix", "21986429753"]
        assert leaks(folder, values + [PASSPHRASE]) == []
    finally:
        database.close()
        lock.release()

    # Closed: everything checkpointed into the shop file.
    assert leaks(folder, values + [PASSPHRASE]) == []
    assert cli_main(["--db", str(shop_path), "check"]) == 0
    assert leaks(folder, values + [PASSPHRASE]) == []

    # A recovery key printed for the safe is in no file either.
    recovery_key = saved_recovery_key(shop_path)
    assert (folder / (shop_path.name + ".key")).exists()
    assert leaks(folder, values + secret_forms(PASSPHRASE, recovery_key)) == []


def saved_recovery_key(shop_path: Path) -> str:
    """`recovery-key new`, the key saved where the owner chose (outside the shop's folder), read back and removed."""
    saved = shop_path.parent.parent / "recovery-key-for-the-safe.txt"
    assert cli_main(["--db", str(shop_path), "recovery-key", "new", "--recovery-key-out", str(saved)]) == 0
    recovery_key = saved.read_text(encoding="utf-8").strip()
    saved.unlink()
    return recovery_key


def secret_forms(*secrets: str) -> list[str]:
    """Each passphrase or recovery key as typed, and a recovery key without its dashes or in lower case."""
    forms = set(secrets)
    for secret in secrets:
        forms |= {secret.replace("-", ""), secret.lower()}
    return sorted(forms)


def test_no_passphrase_nor_recovery_key_in_any_file_after_key_changes(shop_path, monkeypatch, capsys):
    folder = shop_path.parent
    new_passphrase = "Kardamompfeffer 9173"
    monkeypatch.setenv("REGULARS_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("REGULARS_RECOVERY_KEY", raising=False)
    first = saved_recovery_key(shop_path)
    monkeypatch.setenv("REGULARS_NEW_PASSPHRASE", new_passphrase)
    assert cli_main(["--db", str(shop_path), "passphrase", "change"]) == 0
    monkeypatch.setenv("REGULARS_PASSPHRASE", new_passphrase)
    saved = folder.parent / "recovery-key.txt"  # where the owner chose, outside the shop's folder
    assert cli_main(["--db", str(shop_path), "key", "rotate", "--recovery-key-out", str(saved)]) == 0
    second = saved.read_text().strip()
    assert leaks(folder, secret_forms(PASSPHRASE, new_passphrase, first, second)) == []


def test_the_search_itself_would_see_a_plain_value(tmp_path):
    """The leak check is not blind: a value written in the clear is found in both encodings."""
    (tmp_path / "plain.txt").write_bytes("Ωμέγαλφα".encode("utf-16-le") + b" 11975318642")
    assert sorted(leaks(tmp_path, ["Ωμέγαλφα", "11975318642", "absent"])) == [
        "'11975318642' (utf-8) in plain.txt",
        "'Ωμέγαλφα' (utf-16-le) in plain.txt",
    ]


@pytest.mark.parametrize("demo_customers", [200])
def test_demo_shop_made_by_the_cli_has_no_plain_names(tmp_path, monkeypatch, capsys, demo_customers):
    monkeypatch.setenv("REGULARS_PASSPHRASE", PASSPHRASE)
    path = tmp_path / "demo" / "shop.regulars"
    assert cli_main(["--db", str(path), "demo", "--customers", str(demo_customers), "--seed", "5"]) == 0
    capsys.readouterr()
    database = open_shop_file(path, PASSPHRASE)
    try:
        with database.reading() as session:
            # Long names only: a short name could turn up in random bytes by chance.
            shown = {m.last_name for m in find_customers(session, "", REGION, limit=demo_customers)}
            shown |= {m.email for m in find_customers(session, "", REGION, limit=demo_customers) if m.email}
    finally:
        database.close()
    values = sorted(v for v in shown if len(v) >= 6)
    assert len(values) > 20
    assert leaks(path.parent, values + [PASSPHRASE, "Padaria Demo"]) == []
