"""`regulars export-marketing` and `regulars export-contacts`, run in-process against a real shop file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from desktop.db.engine import open_shop_file
from desktop.services.consents import record_consents
from desktop.services.csv_format import read_csv
from desktop.services.exports import MARKETING_COLUMNS
from tests.conftest import PASSPHRASE


def ok(cli, db: Path, *args: str) -> str:
    status, out, err = cli(db, *args)
    assert status == 0, err
    return out


def refused(cli, db: Path, *args: str) -> str:
    status, out, err = cli(db, *args)
    assert (status, out) == (1, ""), err
    assert err.startswith("regulars: ")
    return err


@pytest.fixture
def book(cli, shop_path) -> Path:
    """Ana agrees to email and SMS, Bia to post, Caio to nothing; Dora agrees to email, then withdraws."""
    ok(cli, shop_path, "signup", "--first-name", "Ana", "--last-name", "Souza", "--phone", "(11) 98765-4321",
       "--email", "ana@example.com", "--city", "São Paulo", "--consent", "email", "--consent", "sms")
    ok(cli, shop_path, "signup", "--first-name", "Bia", "--last-name", "Lima, Jr.", "--phone", "(21) 99876-1234",
       "--address", "Rua A, 12", "--postal-code", "20000-000", "--city", "Rio", "--consent", "post")
    ok(cli, shop_path, "signup", "--first-name", "Caio", "--phone", "(31) 99999-0000", "--email", "caio@example.com")
    ok(cli, shop_path, "signup", "--first-name", "Dora", "--email", "dora@example.com", "--consent", "email")
    database = open_shop_file(shop_path, PASSPHRASE)
    try:
        with database.writing() as session:
            record_consents(session, 4, {"email": False}, notice_version=1, source="counter")
    finally:
        database.close()
    return shop_path


def rows_of(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    return [[cell[1:] if cell.startswith("'") else cell for cell in row] for row in rows]


def test_export_marketing_writes_only_those_who_agreed(cli, book, tmp_path):
    out = tmp_path / "email.csv"
    assert ok(cli, book, "export-marketing", "--channel", "email", "--out", str(out)).strip() == (
        f"Wrote 1 customer(s) who agreed to email offers to {out}"
    )
    assert rows_of(out) == [list(MARKETING_COLUMNS["email"]), ["ana@example.com", "Ana", "Souza", "São Paulo"]]
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")

    sms = tmp_path / "sms.csv"
    ok(cli, book, "export-marketing", "--channel", "sms", "--out", str(sms))
    assert rows_of(sms)[1:] == [["+5511987654321", "Ana", "Souza", "São Paulo"]]

    post = tmp_path / "post.csv"
    ok(cli, book, "export-marketing", "--channel", "post", "--out", str(post), "--bom")
    assert post.read_bytes().startswith(b"\xef\xbb\xbf")
    header, rows = read_csv(post.read_bytes(), name="post.csv", header=MARKETING_COLUMNS["post"])
    assert rows == [["Bia", "Lima, Jr.", "", "Rua A, 12", "", "20000-000", "Rio", "", ""]]


def test_export_marketing_json(cli, book, tmp_path):
    out = tmp_path / "list.csv"
    report = json.loads(ok(cli, book, "export-marketing", "--channel", "email", "--out", str(out), "--bom", "--json"))
    assert report == {"channel": "email", "count": 1, "path": str(out), "bom": True}


def test_export_marketing_help_mentions_excel(cli, shop_path, capsys):
    with pytest.raises(SystemExit):
        cli(shop_path, "export-marketing", "--help")
    assert "Excel" in capsys.readouterr().out


def test_an_unknown_channel_is_a_usage_error(cli, shop_path, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        cli(shop_path, "export-marketing", "--channel", "fax", "--out", str(tmp_path / "x.csv"))
    assert caught.value.code == 2
    assert not (tmp_path / "x.csv").exists()


def test_a_folder_that_does_not_exist_fails_cleanly(cli, book, tmp_path):
    err = refused(cli, book, "export-marketing", "--channel", "email", "--out", str(tmp_path / "no" / "x.csv"))
    assert err.startswith("regulars: --out: There is no folder") and str(tmp_path / "no") in err


def parse_cards(path: Path) -> list[str]:
    """The FN of each card, unfolded."""
    text = path.read_bytes().decode("utf-8").replace("\r\n ", "")
    return [line[3:] for line in text.split("\r\n") if line.startswith("FN:")]


def test_export_contacts_by_reference_query_or_all(cli, book, tmp_path):
    out = tmp_path / "one.vcf"
    assert ok(cli, book, "export-contacts", "--out", str(out), "--customer", "1", "--customer", "3").strip() == (
        f"Wrote 2 contact(s) to {out}"
    )
    assert parse_cards(out) == ["Ana Souza", "Caio"]

    found = tmp_path / "found.vcf"
    report = json.loads(ok(cli, book, "export-contacts", "--out", str(found), "--query", "lima", "--json"))
    assert report == {"count": 1, "path": str(found)}
    assert parse_cards(found) == ["Bia Lima\\, Jr."]

    everyone = tmp_path / "all.vcf"
    ok(cli, book, "export-contacts", "--out", str(everyone), "--all")
    assert parse_cards(everyone) == ["Ana Souza", "Bia Lima\\, Jr.", "Caio", "Dora"]  # consent or not


def test_export_contacts_needs_a_selection_and_refuses_unknown_customers(cli, book, tmp_path):
    out = tmp_path / "x.vcf"
    assert "--customer" in refused(cli, book, "export-contacts", "--out", str(out))
    assert "No customer 99" in refused(cli, book, "export-contacts", "--out", str(out), "--customer", "99")
    assert "nothing was written" in refused(cli, book, "export-contacts", "--out", str(out), "--query", "zzzz")
    assert "--query" in refused(cli, book, "export-contacts", "--out", str(out), "--query", " ")
    assert not out.exists()
    with pytest.raises(SystemExit):
        cli(book, "export-contacts", "--out", str(out), "--all", "--query", "ana")


def test_both_commands_are_listed_in_the_help(cli, shop_path, capsys):
    with pytest.raises(SystemExit):
        cli(shop_path, "--help")
    listed = capsys.readouterr().out
    assert "export-marketing" in listed and "export-contacts" in listed
