"""An erased customer leaves no trace: not in any table, not in the file's decrypted pages, not in what the
shop exports, not on another till, not in a backup restored later; and their counts and totals stay.

Zuleika (tests/erasure_helpers.py) has consents, stamps and a hand adjustment, a card, a reservation, a
warranty with a claim, calls; every value the shop typed about her is searched for, case-insensitively.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from desktop.db.backup import backup_shop, restore_backup
from desktop.db.engine import ShopDatabase, open_shop_file
from desktop.errors import NotAllowed
from desktop.models import Actor
from desktop.services.customers import CustomerDetails, get_customer, update_customer
from desktop.services.erasure import erase_customer
from desktop.services.erasure_register import read_register, reapply_after_restore, register_path
from desktop.services.exports import write_marketing_csv, write_vcards
from desktop.services.reservations import change_status
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.conftest import PASSPHRASE
from tests.erasure_helpers import (
    EMAIL,
    NAME,
    NEEDLES,
    REGION,
    counts_and_totals,
    customer_with_history,
    every_row,
    found_in_rows,
)
from tests.sync_helpers import SYNC_PASSPHRASE, dump, members, new_till

PAGE = 4096  # SQLCipher 4's page size, as the shop file is made
RESERVE = 80  # at the end of each page: the IV (16 bytes) and the HMAC-SHA512 (64)


def decrypted_pages(path: Path, key: bytes) -> bytes:
    """Every page of a closed shop file, decrypted (AES-256-CBC under the raw key), free pages included."""
    data = path.read_bytes()
    assert len(data) % PAGE == 0
    plain = bytearray()
    for start in range(0, len(data), PAGE):
        page = data[start : start + PAGE]
        first = 16 if start == 0 else 0  # page 1 begins with the file's salt, in the clear
        iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        plain += decryptor.update(page[first : PAGE - RESERVE]) + decryptor.finalize()
    assert plain[:2] == PAGE.to_bytes(2, "big")  # the page size, where SQLite's header keeps it: the key was right
    return bytes(plain)


def found_in_bytes(data: bytes, needles=NEEDLES) -> list[str]:
    found = []
    for needle in needles:
        for encoding in ("utf-8", "utf-16-le"):
            for form in {needle, needle.lower(), needle.upper()}:
                if form.encode(encoding) in data:
                    found.append(f"{form!r} ({encoding})")
    return sorted(set(found))


def exported(database: ShopDatabase, folder: Path) -> dict[str, str]:
    """What the shop sends out: a full sync bundle (every CSV in it), the mailing lists and everyone's vCards."""
    folder.mkdir()
    bundle = folder / "bundle.zip"
    export_bundle(database, bundle, passphrase=SYNC_PASSPHRASE, full=True)
    texts = {name: data.decode("utf-8") for name, data in members(bundle).items()}
    with database.writing() as session:
        for channel in ("email", "sms", "post"):
            write_marketing_csv(session, channel, folder / f"{channel}.csv")
            texts[f"{channel}.csv"] = (folder / f"{channel}.csv").read_text(encoding="utf-8")
        write_vcards(session, None, folder / "everyone.vcf", with_notes=True)
    texts["everyone.vcf"] = (folder / "everyone.vcf").read_text(encoding="utf-8").replace("\r\n ", "")  # unfolded
    return texts


def found_in_texts(texts: dict[str, str], needles=NEEDLES) -> list[str]:
    return sorted({f"{needle!r} in {name}" for name, text in texts.items() for needle in needles
                   if needle.casefold() in text.casefold()})


def test_an_erased_customer_is_nowhere_in_the_file_nor_in_what_it_exports(shop_path, tmp_path):
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        made = customer_with_history(database)
        key = database.current_key.key.key
        before = counts_and_totals(database, made.customer_id, made.program_id)
        outputs = exported(database, tmp_path / "before")
        # The searches are not blind: each finds her before the erasure.
        assert found_in_rows(every_row(database))
        for name in ("customers.csv", "email.csv", "sms.csv", "everyone.vcf"):
            assert found_in_texts({name: outputs[name]}), name
        assert EMAIL in outputs["email.csv"] and "+5511975318642" in outputs["sms.csv"]
        assert f"FN:{NAME[0]} {NAME[1]}" in outputs["everyone.vcf"]
    finally:
        database.close()
    assert found_in_bytes(decrypted_pages(shop_path, key))

    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.writing() as session:
            erase_customer(session, made.customer_id)
        assert found_in_rows(every_row(database)) == []
        outputs = exported(database, tmp_path / "after")
        assert found_in_texts(outputs) == []
        assert "Rui" in outputs["everyone.vcf"]  # the exports still work, for everyone else
        assert counts_and_totals(database, made.customer_id, made.program_id) == before
    finally:
        database.close()
    assert not Path(f"{shop_path}-wal").exists()  # closed: everything is in the shop file
    assert found_in_bytes(decrypted_pages(shop_path, key)) == []  # nor in free pages or stale cells
    assert found_in_texts({"register": register_path(shop_path).read_text()}) == []


def test_erased_on_till_a_and_edited_on_till_b_ends_erased_on_both(shop, shop_template, tmp_path):
    made = customer_with_history(shop)
    till_b = new_till(shop_template, tmp_path, "till-b")
    try:
        carry(shop, till_b, tmp_path / "start.zip")
        before = counts_and_totals(shop, made.customer_id, made.program_id)
        with shop.writing() as session:
            erase_customer(session, made.customer_id)
        with till_b.writing() as session:  # B has not heard yet: it edits her and moves her reservation on
            customer = get_customer(session, made.customer_uuid)
            details = CustomerDetails.of(customer)
            details.notes, details.city = "Zuleika now in Quintaflor Norte", "Quintaflor Norte"
            update_customer(session, customer.id, details, REGION)
            change_status(session, made.reservation, "collected", staff="Bia")

        carry(till_b, shop, tmp_path / "b-to-a.zip")
        carry(shop, till_b, tmp_path / "a-to-b.zip")
        carry(till_b, shop, tmp_path / "b-to-a-again.zip")

        after = {**before, "reservation_events": before["reservation_events"] + 1}  # B's "collected"
        for till in (shop, till_b):
            assert found_in_rows(every_row(till), (*NEEDLES, "Quintaflor Norte")) == []
            assert counts_and_totals(till, made.customer_id, made.program_id) == after
        assert dump(shop) == dump(till_b)
        with till_b.reading() as session:  # B's later step is kept; what it said about her is not
            status = session.connection().exec_driver_sql("SELECT status, item FROM reservations").one()
        assert tuple(status) == ("collected", "(erased)")
        assert list(read_register(till_b.path)) == [made.customer_uuid]  # the erasure that arrived is registered
    finally:
        till_b.close()


def carry(source: ShopDatabase, target: ShopDatabase, bundle: Path) -> None:
    export_bundle(source, bundle, passphrase=SYNC_PASSPHRASE)
    import_bundle(target, bundle, passphrase=SYNC_PASSPHRASE)


def test_a_backup_restored_after_the_erasure_forgets_the_customer_again(shop, tmp_path):
    made = customer_with_history(shop)
    (tmp_path / "backups").mkdir()
    backup = backup_shop(shop, tmp_path / "backups" / "monday.regulars")
    with shop.writing() as session:
        erase_customer(session, made.customer_id)
    assert sorted(p.name for p in backup.path.parent.iterdir()) == ["monday.regulars", "monday.regulars.key"]
    shop.close()

    restored = restore_backup(backup.path, PASSPHRASE, shop.path, replace=True)
    assert restored.kept is not None and not register_path(restored.kept).exists()
    database = open_shop_file(shop.path, PASSPHRASE)
    try:
        assert found_in_rows(every_row(database))  # the backup holds her as she was
    finally:
        database.close()
    assert reapply_after_restore(shop.path, PASSPHRASE) == 1
    database = open_shop_file(shop.path, PASSPHRASE)
    try:
        assert found_in_rows(every_row(database)) == []
    finally:
        database.close()


def test_a_till_that_learnt_the_erasure_by_sync_cleans_its_own_old_backup(shop, shop_template, tmp_path):
    made = customer_with_history(shop)
    till_b = new_till(shop_template, tmp_path, "till-b")
    carry(shop, till_b, tmp_path / "start.zip")
    (tmp_path / "b-backups").mkdir()
    backup = backup_shop(till_b, tmp_path / "b-backups" / "b.regulars")
    with shop.writing() as session:
        erase_customer(session, made.customer_id)
    carry(shop, till_b, tmp_path / "erasure.zip")
    till_b.close()
    restore_backup(backup.path, PASSPHRASE, till_b.path, replace=True)
    assert reapply_after_restore(till_b.path, PASSPHRASE) == 1
    database = open_shop_file(till_b.path, PASSPHRASE)
    try:
        assert found_in_rows(every_row(database)) == []
    finally:
        database.close()


@pytest.mark.parametrize("role", ["cashier", "manager"])
def test_only_the_owner_erases_and_a_refusal_changes_nothing(shop, role):
    made = customer_with_history(shop)
    before = every_row(shop)
    shop.acting = Actor(role=role, name="Rita", staff_uuid="x")
    with pytest.raises(NotAllowed), shop.writing() as session:
        erase_customer(session, made.customer_id)
    assert every_row(shop) == before
    assert not register_path(shop.path).exists()
