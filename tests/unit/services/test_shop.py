"""The shop's settings and the creation of a new shop file."""

from __future__ import annotations

import hashlib
import os

import pytest

from desktop.db.engine import open_shop_file
from desktop.errors import InvalidInput, ShopFileError
from desktop.services.shop import (
    MIN_PASSPHRASE,
    PrintedDetails,
    ShopSettings,
    check_new_passphrase,
    check_settings,
    create_shop,
    default_currency,
    default_paper_size,
    shop_settings,
    update_printed_details,
)

PASSPHRASE = "a long enough passphrase"


@pytest.mark.parametrize(
    ("region", "currency", "paper"),
    [
        ("BR", "BRL", "A4"),
        ("PT", "EUR", "A4"),
        ("GR", "EUR", "A4"),
        ("NL", "EUR", "A4"),
        ("GB", "GBP", "A4"),
        ("US", "USD", "Letter"),
        ("CA", "CAD", "Letter"),
        ("MX", "MXN", "Letter"),
        ("JP", "JPY", "A4"),
    ],
)
def test_defaults_follow_the_region(region, currency, paper):
    checked = check_settings(ShopSettings(name="Padaria", region=region))
    assert (checked.region, checked.currency, checked.paper_size) == (region, currency, paper)
    assert default_currency(region) == currency
    assert default_paper_size(region) == paper


def test_settings_are_cleaned():
    checked = check_settings(ShopSettings(name="  Padaria Pão Quente ", region=" br ", currency="usd", paper_size="letter"))
    assert checked == ShopSettings(name="Padaria Pão Quente", region="BR", currency="USD", paper_size="Letter")


def test_chosen_currency_and_paper_override_the_defaults():
    checked = check_settings(ShopSettings(name="Bakkerij", region="NL", currency="GBP", paper_size="Letter"))
    assert (checked.currency, checked.paper_size) == ("GBP", "Letter")


@pytest.mark.parametrize(
    ("settings", "field", "says"),
    [
        (ShopSettings(name="", region="BR"), "shop_name", "shop's name"),
        (ShopSettings(name="   ", region="BR"), "shop_name", "shop's name"),
        (ShopSettings(name="x" * 121, region="BR"), "shop_name", "at most 120"),
        (ShopSettings(name="Pada\x00ria", region="BR"), "shop_name", "control character"),
        (ShopSettings(name="Padaria\u202e", region="BR"), "shop_name", "text-direction"),
        (ShopSettings(name="Padaria", region="XX"), "region", "'XX'"),
        (ShopSettings(name="Padaria", region=""), "region", "two letters"),
        (ShopSettings(name="Padaria", region="BRA"), "region", "two letters"),
        (ShopSettings(name="Padaria", region="Brasil"), "region", "two letters"),
        (ShopSettings(name="Padaria", region="BR", currency="EURO"), "currency", "three-letter"),
        (ShopSettings(name="Padaria", region="BR", currency="E1R"), "currency", "three-letter"),
        (ShopSettings(name="Padaria", region="BR", currency="€"), "currency", "three-letter"),
        (ShopSettings(name="Padaria", region="BR", currency="ÉUR"), "currency", "three-letter"),
        (ShopSettings(name="Padaria", region="BR", paper_size="A5"), "paper_size", "A4, Letter, or a receipt roll"),
    ],
)
def test_bad_settings_name_the_field(settings, field, says):
    with pytest.raises(InvalidInput) as caught:
        check_settings(settings)
    assert set(caught.value.problems) == {field}
    assert caught.value.field == field
    assert says in caught.value.problems[field].text()


def test_every_bad_setting_is_reported_at_once():
    with pytest.raises(InvalidInput) as caught:
        check_settings(ShopSettings(name="", region="ZZ", currency="EURO", paper_size="A3"))
    assert set(caught.value.problems) == {"shop_name", "region", "currency", "paper_size"}


@pytest.mark.parametrize("passphrase", ["", "short", "x" * (MIN_PASSPHRASE - 1)])
def test_short_passphrase(passphrase):
    with pytest.raises(InvalidInput) as caught:
        check_new_passphrase(passphrase)
    assert caught.value.field == "passphrase"
    assert str(MIN_PASSPHRASE) in str(caught.value)


def test_passphrase_length_boundary_and_repeat():
    check_new_passphrase("x" * MIN_PASSPHRASE)
    check_new_passphrase(PASSPHRASE, PASSPHRASE)
    with pytest.raises(InvalidInput) as caught:
        check_new_passphrase(PASSPHRASE, PASSPHRASE + " ")
    assert caught.value.field == "passphrase_again"


def test_create_shop_stores_the_settings(tmp_path):
    path = tmp_path / "new" / "shop.regulars"
    create_shop(path, PASSPHRASE, ShopSettings(name=" Ζαχαροπλαστείο ", region="gr")).close()
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    database = open_shop_file(path, PASSPHRASE)
    try:
        with database.reading() as session:
            shop = shop_settings(session)
            assert (shop.name, shop.region, shop.currency, shop.paper_size) == ("Ζαχαροπλαστείο", "GR", "EUR", "A4")
            assert shop.uuid and shop.till_uuid and shop.uuid != shop.till_uuid
    finally:
        database.close()


def test_create_shop_refuses_an_existing_path(tmp_path):
    path = tmp_path / "shop.regulars"
    path.write_bytes(b"the owner's other file")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ShopFileError) as caught:
        create_shop(path, PASSPHRASE, ShopSettings(name="Padaria", region="BR"))
    assert str(path) in str(caught.value)
    assert "already exists" in str(caught.value)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.regulars"]


def test_create_shop_refuses_an_existing_shop(shop_path):
    digest = hashlib.sha256(shop_path.read_bytes()).hexdigest()
    with pytest.raises(ShopFileError):
        create_shop(shop_path, PASSPHRASE, ShopSettings(name="Padaria", region="BR"))
    assert hashlib.sha256(shop_path.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(
    ("passphrase", "settings", "field"),
    [
        ("short", ShopSettings(name="Padaria", region="BR"), "passphrase"),
        (PASSPHRASE, ShopSettings(name="Padaria", region="XX"), "region"),
        (PASSPHRASE, ShopSettings(name="", region="BR"), "shop_name"),
    ],
)
def test_create_shop_with_bad_input_creates_nothing(tmp_path, passphrase, settings, field):
    path = tmp_path / "folder" / "shop.regulars"
    with pytest.raises(InvalidInput) as caught:
        create_shop(path, passphrase, settings)
    assert caught.value.field == field
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_shop_settings_of_the_template(shop):
    with shop.reading() as session:
        settings = shop_settings(session)
    assert (settings.name, settings.region, settings.currency) == ("Padaria Teste", "BR", "BRL")


def test_a_region_with_no_known_currency_asks_for_one():
    with pytest.raises(InvalidInput) as problem:
        check_settings(ShopSettings(name="Kaffihús", region="IS"))
    assert list(problem.value.problems) == ["currency"]
    assert check_settings(ShopSettings(name="Kaffihús", region="IS", currency="isk")).currency == "ISK"


# --- what printed documents show about the shop ----------------------------------------------

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_printed_details_are_saved(shop):
    with shop.writing() as session:
        update_printed_details(session, PrintedDetails("letter", " Rua Augusta 12, Lisboa ", PNG_1PX))
    with shop.reading() as session:
        saved = shop_settings(session)
        assert (saved.paper_size, saved.contact_line, saved.logo_png) == ("Letter", "Rua Augusta 12, Lisboa", PNG_1PX)
    with shop.writing() as session:
        update_printed_details(session, PrintedDetails("A4", "", None))
    with shop.reading() as session:
        assert shop_settings(session).logo_png is None


@pytest.mark.parametrize(
    ("details", "field"),
    [(("A5", "", None), "paper_size"), (("A4", "x" * 201, None), "contact_line"),
     (("A4", "", b"GIF89a..."), "logo"), (("A4", "", b"\x89PNG\r\n\x1a\n" + bytes(2_000_001)), "logo")],
)
def test_bad_printed_details_name_the_field_and_change_nothing(shop, details, field):
    with pytest.raises(InvalidInput) as caught, shop.writing() as session:
        update_printed_details(session, PrintedDetails(*details))
    assert field in caught.value.problems
    with shop.reading() as session:
        assert (shop_settings(session).paper_size, shop_settings(session).logo_png) == ("A4", None)
