"""The marketing list and the vCard contacts export, against a real encrypted shop file.

Files written are read back by independent readers: Python's csv module (strict) for the
lists, and a small vCard reader below (unfold, split, unescape) for the contacts.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desktop.errors import InvalidInput, NotFound
from desktop.models import Consent
from desktop.output_files import OutputRefused
from desktop.services import exports
from desktop.services.consents import record_consents
from desktop.services.csv_format import read_csv
from desktop.services.customers import (
    CustomerDetails,
    add_customer,
    get_customer,
    update_customer,
)
from desktop.services.exports import (
    MARKETING_COLUMNS,
    ExportCancelled,
    customers_matching,
    escape_text,
    fold_line,
    marketing_list,
    vcards,
    write_marketing_csv,
    write_vcards,
)
from desktop.services.loyalty import card_for, replace_card

REGION = "BR"
T0 = datetime(2025, 1, 10, 12, 0, 0)


def add(session, **fields) -> int:
    phones = fields.pop("phones", [])
    return add_customer(session, CustomerDetails(phones=phones, **fields), REGION, allow_duplicate=True).id


def consent(session, customer_id: int, channel: str, granted: bool, at: datetime) -> None:
    """A consent row as it might arrive from any source (paper forms are typed in later), at a set time."""
    session.add(
        Consent(
            customer_id=customer_id, channel=channel, granted=granted, notice_version=1, source="paper", recorded_at=at
        )
    )
    session.flush()


def names(rows, first_name_index: int) -> list[str]:
    return [row[first_name_index] for row in rows]


@pytest.fixture
def people(shop) -> dict[str, int]:
    """Customers with every kind of consent history, all with an email, a phone and an address."""
    contact = {
        "email": None,
        "phones": ["(11) 98765-{:04d}"],
        "address_line1": "Rua das Flores, 12",
        "postal_code": "01000-000",
        "city": "São Paulo",
    }
    histories = {
        "Granted": [(True, 0)],
        "Withdrew": [(True, 0), (False, 1)],
        "Regranted": [(False, 0), (True, 1)],
        "Never": [],
        # Typed in from an old paper form after the withdrawal: older by time, newer by row.
        "LatePaper": [(False, 5), (True, 1)],
        # Two answers at the same moment: the later row counts.
        "SameMoment": [(True, 3), (False, 3)],
    }
    ids = {}
    with shop.writing() as session:
        for number, (name, history) in enumerate(histories.items()):
            fields = dict(contact, first_name=name, last_name="Teste", email=f"{name.lower()}@example.com")
            fields["phones"] = [contact["phones"][0].format(number)]
            ids[name] = add(session, **fields)
            for channel in ("email", "sms", "post"):
                for granted, minutes in history:
                    consent(session, ids[name], channel, granted, T0 + timedelta(minutes=minutes))
        # A yes on email only; sms and post never asked.
        ids["EmailOnly"] = add(session, first_name="EmailOnly", email="only@example.com", phones=["(11) 98765-9999"],
                               address_line1="Rua B", city="Santos")
        consent(session, ids["EmailOnly"], "email", True, T0)
    return ids


@pytest.mark.parametrize("channel", ["email", "sms", "post"])
def test_only_customers_whose_newest_answer_is_yes_are_listed(shop, people, channel):
    with shop.reading() as session:
        rows = list(marketing_list(session, channel))
    first_name = MARKETING_COLUMNS[channel].index("first_name")
    expected = ["Granted", "Regranted"] + (["EmailOnly"] if channel == "email" else [])
    assert names(rows, first_name) == expected  # and by customer number


def test_a_yes_recorded_through_the_service_and_then_withdrawn_is_left_out(shop):
    with shop.writing() as session:
        ana = add(session, first_name="Ana", email="ana@example.com")
        record_consents(session, ana, {"email": True}, notice_version=1, source="counter")
        bia = add(session, first_name="Bia", email="bia@example.com")
        record_consents(session, bia, {"email": True}, notice_version=1, source="counter")
        record_consents(session, bia, {"email": False}, notice_version=1, source="counter")
    with shop.reading() as session:
        assert names(marketing_list(session, "email"), 1) == ["Ana"]


def test_a_consenting_customer_without_the_contact_the_channel_needs_is_left_out(shop):
    with shop.writing() as session:
        phone_only = add(session, first_name="PhoneOnly", phones=["(11) 91234-5678"])
        email_only = add(session, first_name="EmailOnly", email="e@example.com")
        for customer_id in (phone_only, email_only):
            for channel in ("email", "sms", "post"):
                consent(session, customer_id, channel, True, T0)
        # A yes to email, and later the email address was removed.
        gone = add(session, first_name="Gone", email="gone@example.com", phones=["(11) 95555-1234"])
        consent(session, gone, "email", True, T0)
        update_customer(session, gone, CustomerDetails(first_name="Gone", phones=["(11) 95555-1234"]), REGION)
    with shop.reading() as session:
        assert names(marketing_list(session, "email"), 1) == ["EmailOnly"]
        assert names(marketing_list(session, "sms"), 1) == ["PhoneOnly"]
        assert list(marketing_list(session, "post")) == []  # nobody has an address


def test_an_unknown_channel_is_refused(shop):
    with pytest.raises(InvalidInput) as caught, shop.reading() as session:
        list(marketing_list(session, "fax"))
    assert caught.value.field == "channel"


@pytest.fixture
def full_customer(shop) -> int:
    with shop.writing() as session:
        customer_id = add(
            session,
            first_name="Γιώργος",
            last_name="da Conceição",
            email="Giorgos@Example.com",
            phones=["+30 691 234 5678", "(11) 3333-4444"],
            company='Padaria "Pão, Café; & Cia"',
            address_line1="Rua Dr. Álvaro, 12, apto 3",
            address_line2="Bloco B; fundos",
            postal_code="01310-100",
            city="São Paulo, Centro",
            state="SP",
            country="BR",
            notes="Likes rye\nPays on Fridays",
        )
        for channel in ("email", "sms", "post"):
            consent(session, customer_id, channel, True, T0)
    return customer_id


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """A folder of its own (tmp_path also holds the shop file)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def read_back(path: Path) -> list[dict[str, str]]:
    """The file through Python's csv module, strictly, defusing apostrophes removed."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    return [{key: value[1:] if value.startswith("'") else value for key, value in row.items()} for row in reader]


def test_email_list_columns_field_for_field(shop, full_customer, tmp_path):
    with shop.writing() as session:
        card_for(session, full_customer)
    out = tmp_path / "email.csv"
    with shop.reading() as session:
        assert write_marketing_csv(session, "email", out) == 1
    assert out.read_bytes().startswith(b"email,first_name,last_name,tags\r\n")
    assert read_back(out) == [
        {
            "email": "Giorgos@example.com",  # as stored: the domain is normalised, the local part kept
            "first_name": "Γιώργος",
            "last_name": "da Conceição",
            "tags": "São Paulo Centro,loyalty",
        }
    ]


def test_sms_list_has_the_first_phone_in_e164_and_no_loyalty_tag_without_an_active_card(shop, full_customer, tmp_path):
    with shop.writing() as session:
        replace_card(session, full_customer)  # active
        replace_card(session, full_customer)  # the first is replaced, the second active
    out = tmp_path / "sms.csv"
    with shop.reading() as session:
        write_marketing_csv(session, "sms", out)
    rows = read_back(out)
    assert rows == [
        {"phone": "+306912345678", "first_name": "Γιώργος", "last_name": "da Conceição",
         "tags": "São Paulo Centro,loyalty"}
    ]
    assert b"'+306912345678" in out.read_bytes()  # defused in the file, a phone number when read
    with shop.writing() as session:
        from desktop.models import LoyaltyCard

        for card in session.query(LoyaltyCard).filter_by(customer_id=full_customer):
            card.status = "replaced"
    with shop.reading() as session:
        assert [row[3] for row in marketing_list(session, "sms")] == ["São Paulo Centro"]


def test_post_list_has_the_whole_address_with_its_commas_and_semicolons(shop, full_customer, tmp_path):
    out = tmp_path / "post.csv"
    with shop.reading() as session:
        write_marketing_csv(session, "post", out, bom=True)
    assert out.read_bytes().startswith(b"\xef\xbb\xbffirst_name,")
    assert read_back(out) == [
        {
            "first_name": "Γιώργος",
            "last_name": "da Conceição",
            "company": 'Padaria "Pão, Café; & Cia"',
            "address_line1": "Rua Dr. Álvaro, 12, apto 3",
            "address_line2": "Bloco B; fundos",
            "postal_code": "01310-100",
            "city": "São Paulo, Centro",
            "state": "SP",
            "country": "BR",
        }
    ]
    header, rows = read_csv(out.read_bytes(), name="post.csv", header=MARKETING_COLUMNS["post"])
    assert rows[0][6] == "São Paulo, Centro"


def test_a_hostile_name_is_defused_in_the_list(shop, tmp_path):
    with shop.writing() as session:
        customer_id = add(session, first_name="=HYPERLINK(\"http://x\",\"y\")", last_name="-1+2", email="h@example.com")
        consent(session, customer_id, "email", True, T0)
    out = tmp_path / "email.csv"
    with shop.reading() as session:
        write_marketing_csv(session, "email", out)
    raw = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline=""), strict=True))
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in raw for cell in row)
    assert read_back(out)[0]["first_name"] == '=HYPERLINK("http://x","y")'
    assert read_back(out)[0]["last_name"] == "-1+2"


def test_the_bom_is_written_only_on_request(shop, people, tmp_path):
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    with shop.reading() as session:
        write_marketing_csv(session, "email", plain)
        write_marketing_csv(session, "email", excel, bom=True)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()


def test_an_empty_list_still_has_its_header(shop, tmp_path):
    out = tmp_path / "empty.csv"
    with shop.reading() as session:
        assert write_marketing_csv(session, "post", out) == 0
    assert read_csv(out.read_bytes(), name="empty.csv", header=MARKETING_COLUMNS["post"])[1] == []


def test_progress_is_reported_and_a_cancel_leaves_no_file(shop, people, out_dir, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    out = out_dir / "email.csv"
    seen = []
    with shop.reading() as session:
        assert write_marketing_csv(session, "email", out, progress=seen.append) == 3
    assert seen[-1] == 3
    out.unlink()
    with pytest.raises(ExportCancelled), shop.reading() as session:
        write_marketing_csv(session, "email", out, cancelled=lambda: True)
    assert list(out_dir.iterdir()) == []


def test_a_failure_half_way_leaves_the_old_file_untouched_and_no_temporary_file(shop, people, out_dir, monkeypatch):
    out = out_dir / "email.csv"
    out.write_text("the old list")

    def broken(session, channel):
        yield ("a@example.com", "A", "B", "")
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(exports, "marketing_list", broken)
    with pytest.raises(RuntimeError), shop.reading() as session:
        write_marketing_csv(session, "email", out, replace=True)
    assert out.read_text() == "the old list"
    assert [p.name for p in out_dir.iterdir()] == ["email.csv"]


def test_a_folder_that_does_not_exist_is_a_clear_error(shop, tmp_path):
    with pytest.raises(OutputRefused) as caught, shop.reading() as session:
        write_marketing_csv(session, "email", tmp_path / "missing" / "x.csv")
    assert "missing" in str(caught.value)


# vCards: an independent reader


def unfold(text: str) -> list[str]:
    """Content lines: CRLF followed by one space or tab continues the previous line (RFC 6350 3.2)."""
    assert "\n" not in text.replace("\r\n", "")  # only CRLF line ends
    return [line for line in re.sub(r"\r\n[ \t]", "", text).split("\r\n") if line]


def split_unescaped(value: str, separator: str) -> list[str]:
    parts, current, index = [], [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            current.append(value[index : index + 2])
            index += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def parse_vcards(text: str) -> list[dict[str, list[tuple[str, str]]]]:
    """Each card as {property name: [(parameters, raw value)]}."""
    cards, card = [], None
    for line in unfold(text):
        name_and_params, _, value = line.partition(":")
        name, _, params = name_and_params.partition(";")
        if line == "BEGIN:VCARD":
            card = {}
        elif line == "END:VCARD":
            cards.append(card)
            card = None
        else:
            card.setdefault(name.upper(), []).append((params, value))
    assert card is None
    return cards


def test_a_vcard_holds_every_contact_field_and_reads_back_exactly(shop, full_customer):
    with shop.reading() as session:
        text = vcards(session, [full_customer])
        customer = get_customer(session, full_customer)
    (card,) = parse_vcards(text)
    assert card["VERSION"] == [("", "4.0")]
    assert card["UID"] == [("", f"urn:uuid:{customer.uuid}")]
    assert unescape(card["FN"][0][1]) == "Γιώργος da Conceição"
    family, given, *rest = [unescape(p) for p in split_unescaped(card["N"][0][1], ";")]
    assert (family, given, rest) == ("da Conceição", "Γιώργος", ["", "", ""])
    assert card["TEL"] == [("TYPE=cell;PREF=1", "+306912345678"), ("TYPE=cell", "+551133334444")]
    assert [unescape(v) for _, v in card["EMAIL"]] == ["Giorgos@example.com"]
    adr = split_unescaped(card["ADR"][0][1], ";")
    assert len(adr) == 7
    street = [unescape(line) for line in split_unescaped(adr[2], ",")]
    assert street == ["Rua Dr. Álvaro, 12, apto 3", "Bloco B; fundos"]
    assert [unescape(p) for p in (adr[0], adr[1], *adr[3:])] == ["", "", "São Paulo, Centro", "SP", "01310-100", "BR"]
    assert unescape(card["ORG"][0][1]) == 'Padaria "Pão, Café; & Cia"'
    assert "NOTE" not in card  # the shop's own remarks stay in the shop unless asked for
    with shop.reading() as session:
        (with_notes,) = parse_vcards(vcards(session, [full_customer], with_notes=True))
    assert unescape(with_notes["NOTE"][0][1]) == "Likes rye\nPays on Fridays"


def test_a_name_with_semicolon_comma_and_backslash_is_escaped(shop):
    with shop.writing() as session:
        customer_id = add(session, first_name="Ana; Maria", last_name="Souza, back\\slash", email="a@example.com")
        text = vcards(session, [customer_id])
    assert "FN:Ana\\; Maria Souza\\, back\\\\slash\r\n" in text
    assert "N:Souza\\, back\\\\slash;Ana\\; Maria;;;\r\n" in text
    (card,) = parse_vcards(text)
    assert [unescape(p) for p in split_unescaped(card["N"][0][1], ";")][:2] == ["Souza, back\\slash", "Ana; Maria"]


def test_lines_are_folded_at_75_octets_without_splitting_a_character(shop):
    with shop.writing() as session:
        customer_id = add(
            session,
            first_name="Παναγιώτης" * 3,
            last_name="Χατζηδημητρίου-Κωνσταντινοπουλος" * 2,
            email="p@example.com",
            company="€" * 100,
            notes="ção " * 300,
        )
        text = vcards(session, [customer_id], with_notes=True)
    data = text.encode("utf-8")
    assert data.endswith(b"END:VCARD\r\n")
    physical = data.split(b"\r\n")
    assert max(len(line) for line in physical) <= 75
    assert len(physical) > 20 and any(len(line) >= 73 for line in physical)  # folded, and near the limit
    for line in physical:
        line.decode("utf-8")  # no line begins or ends inside a character
    (card,) = parse_vcards(text)
    assert unescape(card["ORG"][0][1]) == "€" * 100
    assert unescape(card["NOTE"][0][1]) == ("ção " * 300).strip()


def test_fold_line_boundaries():
    assert fold_line("A" * 75) == b"A" * 75 + b"\r\n"
    assert fold_line("A" * 76) == b"A" * 75 + b"\r\n A\r\n"
    folded = fold_line("é" * 80)  # two octets each: 37 on the first line (74 octets), 37 after the space
    assert [len(line) for line in folded.split(b"\r\n")[:-1]] == [74, 75, 13]
    three_octets = fold_line("x" + "€" * 40)  # 1 + 120 octets: "x" and 24 euros, then the rest
    assert [len(line) for line in three_octets.split(b"\r\n")[:-1]] == [73, 49]
    assert three_octets.replace(b"\r\n ", b"").decode() == "x" + "€" * 40 + "\r\n"


def test_escape_text():
    assert escape_text("a\\b,c;d\ne\r\nf\rg") == "a\\\\b\\,c\\;d\\ne\\nf\\ng"


def test_several_cards_in_the_order_given_each_once(shop, people):
    chosen = [people["Never"], people["Granted"], people["Never"]]
    with shop.reading() as session:
        cards = parse_vcards(vcards(session, chosen))
    assert [unescape(c["FN"][0][1]) for c in cards] == ["Never Teste", "Granted Teste"]


def test_everyone_when_no_selection_is_given_and_consent_does_not_matter(shop, people, monkeypatch):
    monkeypatch.setattr(exports, "VCARD_BATCH", 2)  # several batches
    with shop.reading() as session:
        cards = parse_vcards(vcards(session, None))
    assert len(cards) == len(people)


def test_an_unknown_customer_number_is_not_found_and_no_file_is_written(shop, people, out_dir):
    out = out_dir / "contacts.vcf"
    with pytest.raises(NotFound), shop.reading() as session:
        write_vcards(session, [people["Granted"], 999_999], out)
    assert list(out_dir.iterdir()) == []


def test_write_vcards_writes_utf8_with_crlf(shop, full_customer, tmp_path):
    out = tmp_path / "contacts.vcf"
    with shop.reading() as session:
        assert write_vcards(session, [full_customer], out) == 1
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert "Γιώργος".encode() in data.replace(b"\r\n ", b"")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_customers_matching_a_search(shop, people):
    with shop.reading() as session:
        assert set(customers_matching(session, "teste", REGION)) == {
            people[n] for n in ("Granted", "Withdrew", "Regranted", "Never", "LatePaper", "SameMoment")
        }
        with pytest.raises(InvalidInput):
            customers_matching(session, "teste", REGION, limit=3)
        with pytest.raises(InvalidInput):
            customers_matching(session, "  ", REGION)
        assert customers_matching(session, "nobody-like-this", REGION) == []


def test_the_service_does_not_load_qt():
    import subprocess
    import sys

    code = "import sys, desktop.services.exports; print('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
