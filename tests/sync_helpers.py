"""Shared by the sync tests: a second till, a canonical dump of a book, bundles taken apart and put back."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path
from uuid import uuid4

import pyzipper

from desktop.db.engine import ShopDatabase, open_shop_file
from desktop.db.key_file import key_file_path
from desktop.sync.bundle import SEAL, seal_of
from desktop.sync.tables import TABLES, select_sql
from tests.conftest import PASSPHRASE

SYNC_PASSPHRASE = "sync passphrase for tests"


def new_till(template: Path, folder: Path, name: str) -> ShopDatabase:
    """A fresh, empty shop file (its own shop and till UUIDs), as `regulars init` makes on a new till."""
    path = folder / name / "shop.regulars"
    path.parent.mkdir(parents=True)
    shutil.copy2(template, path)
    shutil.copy2(key_file_path(template), key_file_path(path))
    database = open_shop_file(path, PASSPHRASE)
    with database.writing() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE shop SET uuid = ?, till_uuid = ?", (str(uuid4()), str(uuid4())))
        conn.exec_driver_sql("UPDATE privacy_notices SET uuid = ?", (str(uuid4()),))
    return database


def dump(database: ShopDatabase) -> dict[str, list[tuple]]:
    """Every synced table as its bundle would carry it, sorted: equal dumps are equal books.

    Plus what import derives (phone digits, email and serial keys, search keys), by customer UUID.
    """
    result: dict[str, list[tuple]] = {}
    with database.reading() as session:
        conn = session.connection()
        for spec in TABLES:
            rows = conn.exec_driver_sql(select_sql(spec)).all()
            result[spec.name] = sorted(tuple("" if v is None else str(v) for v in row) for row in rows)
        result["derived"] = sorted(
            conn.exec_driver_sql(
                "SELECT c.uuid, c.email_key, p.national_number, p.reversed_digits FROM customers c"
                " LEFT JOIN customer_phones p ON p.customer_id = c.id"
            ).all()
        )
        result["search_keys"] = sorted(
            conn.exec_driver_sql(
                "SELECT c.uuid, k.key FROM customer_search_keys k JOIN customers c ON c.id = k.customer_id"
            ).all()
        )
        result["serial_keys"] = sorted(conn.exec_driver_sql("SELECT uuid, serial_key FROM warranties").all())
    return result


def members(bundle: Path, passphrase: str | None = SYNC_PASSPHRASE) -> dict[str, bytes]:
    with pyzipper.AESZipFile(bundle) as archive:
        if passphrase:
            archive.setpassword(passphrase.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(bundle: Path, files: dict[str, bytes], passphrase: str | None = SYNC_PASSPHRASE, *,
          fix_manifest: bool = True, seal: str | None = SYNC_PASSPHRASE) -> Path:
    """Writes files as a bundle again (encrypted with passphrase, plain if None), its manifest's checksums
    made to match (unless told not to) and sealed again with seal, as a till knowing that sync passphrase
    would; seal=None keeps whatever seal files hold (none, or the exported one, no longer matching)."""
    files = dict(files)
    if fix_manifest:
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            data = files[entry["name"]]
            entry["sha256"] = hashlib.sha256(data).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()
    if seal is not None:
        files[SEAL] = seal_of(seal, files["manifest.json"])
    buffer = io.BytesIO()
    encryption = pyzipper.WZ_AES if passphrase else None
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=encryption) as archive:
        if passphrase:
            archive.setpassword(passphrase.encode())
        for name, data in files.items():
            if name != SEAL:
                archive.writestr(name, data)
        if SEAL in files:
            archive.encryption, archive.pwd = None, None  # as Regulars writes it: read before anything is decrypted
            archive.writestr(SEAL, files[SEAL])
    bundle.write_bytes(buffer.getvalue())
    return bundle


# What a till's book holds after a week: every synced table, awkward text included.
AWKWARD_NOTES = 'Prefers "pão de queijo",\nsem glúten;\ttab inside\r\nand a second line: =1+1'
FORMULA_NAMES = ['=HYPERLINK("http://example.com","click")', "+1", "-2", "@x", "'quoted"]


def fill_book(database: ShopDatabase, region: str = "BR") -> dict[str, object]:
    """Customers (accents, Greek, line breaks, formula-like names, several phones), the ledger, a card,
    consents, reservations with their history, warranties with a claim, calls (one without a
    customer), an added choice, a second privacy notice. Returns the ids and references made."""
    from datetime import date, timedelta

    from desktop.services import loyalty, phone_calls, reservations, warranties
    from desktop.services.choices import HEARD_FROM, add_choice
    from desktop.services.consents import record_consents
    from desktop.services.customers import CustomerDetails, add_customer
    from desktop.services.privacy_notice import publish_notice

    today = date.today()
    made: dict[str, object] = {}
    with database.writing() as session:
        ana = add_customer(session, CustomerDetails(
            first_name="Ana Luíza", last_name="Conceição", phones=["(11) 98765-4321", "+351 912 345 678"],
            email="ana@example.com", address_line1="Rua Augusta, 12", city="São Paulo", country="BR",
            preferred_payment="pix", birthday="1990-02-28", notes=AWKWARD_NOTES, heard_from="Instagram",
        ), region)
        giorgos = add_customer(session, CustomerDetails(
            first_name="Γιώργος", last_name="Παπαδόπουλος", phones=["+30 691 234 5678"], company="Φούρνος",
        ), region)
        formula = [
            add_customer(session, CustomerDetails(first_name=name, last_name="-minus", phones=[],
                                                  email=f"f{index}@example.org", notes="@mention"), region).id
            for index, name in enumerate(FORMULA_NAMES)
        ]
        coffee = loyalty.add_program(session, loyalty.ProgramSettings("Café", "stamps", 10, "Um café grátis"))
        loyalty.add_program(session, loyalty.ProgramSettings("Pontos", "points", 200, "R$ 10", points_per_unit=1))
        for _ in range(3):
            loyalty.earn(session, ana.id, coffee.id)
        loyalty.adjust(session, ana.id, coffee.id, -1, "stamped twice, by mistake")
        loyalty.earn(session, giorgos.id, "Pontos", "123,45")
        loyalty.card_for(session, ana.id)
        loyalty.replace_card(session, ana.id)
        notice = publish_notice(session, "Second version of the notice.\nWith a line break, and \"quotes\".")
        record_consents(session, ana.id, {"email": True, "sms": False, "post": True}, notice_version=notice.version,
                        source="counter", staff="Rita")
        booked = reservations.add_reservation(session, reservations.NewReservation(
            ana.id, 'Bolo "floresta negra", 2 kg', 1, "25,50", today + timedelta(days=3), notes="Escrever:\nParabéns!",
        ), staff="Rita")
        reservations.change_status(session, booked.reference, "ready", staff="João")
        warranty = warranties.add_warranty(session, warranties.NewWarranty(
            giorgos.id, "Cafeteira Ω", "AB-12 34/x", today - timedelta(days=40), 12, notes="Caixa aberta",
        ), staff="Rita")
        warranties.add_claim(session, warranty.id, problem="Vaza água,\nna base", claimed_on=today)
        phone_calls.log_call(session, phone_calls.CallLog(reason="Question", customer_id=ana.id, notes="Horário?",
                                                          follow_up_on=today + timedelta(days=1)), region)
        phone_calls.log_call(session, phone_calls.CallLog(reason="Order", phone="(21) 99876-1234",
                                                          notes="No name given"), region)
        add_choice(session, HEARD_FROM, "Rádio Comunitária")
        made.update(ana=ana.id, giorgos=giorgos.id, formula=formula, reservation=booked.reference,
                    warranty=warranty.id, coffee=coffee.id)
    return made


def shop_uuid(database: ShopDatabase) -> str:
    with database.reading() as session:
        return session.connection().exec_driver_sql("SELECT uuid FROM shop").scalar()


def import_count(database: ShopDatabase) -> int:
    with database.reading() as session:
        return session.connection().exec_driver_sql("SELECT count(*) FROM sync_imports").scalar()
