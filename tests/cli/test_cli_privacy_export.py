"""`regulars privacy export`: a customer's right of access from the command line, against a real shop file."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from desktop.models import AuditEntry
from desktop.services import audit
from tests.cli.helpers import ok, ok_json, refused, shop_session
from tests.pdf_reading import flat_text, require_poppler


def exports_recorded(db) -> int:
    with shop_session(db) as session:
        return session.scalar(select(func.count()).where(AuditEntry.action == audit.CUSTOMER_EXPORTED))


def test_writes_the_pdf_and_the_json_and_names_them(cli, shop_path, ana, tmp_path):
    require_poppler()
    ok(cli, shop_path, "signup", "--first-name", "Ana", "--phone", "(11) 98765-4321", "--email", "ana@example.com",
       "--consent", "email", "--use-existing")
    out = tmp_path / "pedido de acesso"
    lines = ok(cli, shop_path, "privacy", "export", "1", "--out", str(out)).splitlines()
    short = ana["uuid"][:8]
    pdf, data = out / f"customer-data-{short}.pdf", out / f"customer-data-{short}.json"
    assert lines == [f"Wrote {pdf}", f"Wrote {data}"]
    held = json.loads(data.read_text(encoding="utf-8"))
    assert (held["customer"]["first_name"], held["customer"]["last_name"]) == ("Ana", "Conceição")
    assert held["customer"]["email"] == "ana@example.com"
    assert [(c["channel"], c["granted"], c["source"]) for c in held["consents"]] == [("email", True, "signup")]
    text = flat_text(pdf)
    for expected in ("Your data held by Padaria Teste", "Ana Conceição", "(11) 98765-4321", "ana@example.com",
                     "Email Yes 1 Sign-up form"):
        assert expected in text, expected
    assert exports_recorded(shop_path) == 1


def test_json_output_and_a_card_code_as_the_customer(cli, shop_path, ana, tmp_path):
    code = ok_json(cli, shop_path, "loyalty", "card", "1", "--json")["code"]
    result = ok_json(cli, shop_path, "privacy", "export", code, "--out", str(tmp_path / "out"), "--json")
    assert set(result) == {"json", "pdf"}
    assert result["pdf"].endswith(f"customer-data-{ana['uuid'][:8]}.pdf")
    assert json.loads(open(result["json"], encoding="utf-8").read())["loyalty"]["cards"][0]["code"] == code


def test_a_second_export_into_the_same_folder_is_refused_and_changes_nothing(cli, shop_path, ana, tmp_path):
    out = tmp_path / "out"
    ok(cli, shop_path, "privacy", "export", ana["uuid"], "--out", str(out))
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    err = refused(cli, shop_path, "privacy", "export", "1", "--out", str(out))
    assert "--out:" in err and "already exists; nothing was written" in err and "add --force" in err and str(out / f"customer-data-{ana['uuid'][:8]}") in err
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert exports_recorded(shop_path) == 1


def test_an_unknown_customer_is_refused_with_nothing_written(cli, shop_path, ana, tmp_path):
    out = tmp_path / "out"
    assert "No customer 42" in refused(cli, shop_path, "privacy", "export", "42", "--out", str(out))
    assert not out.exists()
    assert exports_recorded(shop_path) == 0
