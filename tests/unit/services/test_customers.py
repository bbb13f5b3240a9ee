"""Adding, changing and reading customers against a real encrypted shop file."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from desktop.db.engine import ShopDatabase
from desktop.errors import DuplicateCustomer, InvalidInput, NotFound
from desktop.services.customers import (
    MAX_PHONES,
    CustomerDetails,
    add_customer,
    get_customer,
    update_customer,
)
from desktop.services.lookup import find_customers
from desktop.services.search_keys import email_key

REGION = "BR"  # the shared template shop's region (tests/conftest.py)
TABLES = ("customers", "customer_phones", "customer_search_keys")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def row_counts(shop: ShopDatabase) -> dict[str, int]:
    with shop.reading() as session:
        return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def add(shop: ShopDatabase, **values) -> int:
    """Adds a customer in its own unit of work and returns the id."""
    with shop.writing() as session:
        return add_customer(session, CustomerDetails(**values), REGION).id


def ids_found(shop: ShopDatabase, query: str) -> list[int]:
    with shop.reading() as session:
        return [m.id for m in find_customers(session, query, REGION, limit=50)]


@pytest.fixture
def ana(shop) -> int:
    return add(
        shop,
        first_name="Ana",
        last_name="Souza",
        phones=["(11) 98765-4321"],
        email="Ana.Souza@Example.com",
    )


# --- adding -------------------------------------------------------------------------------


def test_first_name_and_phone_are_enough(shop):
    with shop.writing() as session:
        customer = add_customer(session, CustomerDetails(first_name="Ana", phones=["(11) 98765-4321"]), REGION)
        customer_id, uuid = customer.id, customer.uuid
    with shop.reading() as session:
        stored = get_customer(session, customer_id)
        assert stored.first_name == "Ana"
        assert stored.last_name == ""
        assert stored.email is None and stored.email_key is None
        assert [p.e164 for p in stored.phones] == ["+5511987654321"]
        assert UUID.match(stored.uuid)
        assert stored.uuid == uuid
        assert stored.created_at is not None and stored.last_seen_at is not None


def test_first_name_and_email_are_enough(shop):
    customer_id = add(shop, first_name="Bia", email="bia@example.com")
    with shop.reading() as session:
        stored = get_customer(session, customer_id)
        assert stored.email == "bia@example.com"
        assert stored.phones == []


def test_a_contact_is_required(shop):
    before = row_counts(shop)
    with pytest.raises(InvalidInput) as caught:
        add(shop, first_name="Ana", last_name="Souza")
    assert caught.value.field == "phone"
    assert "phone number or an email" in str(caught.value)
    assert row_counts(shop) == before


@pytest.mark.parametrize("raw", ["(11) 98765-4321", "+55 11 98765 4321", "011 98765-4321", "11 98765.4321"])
def test_phones_are_stored_in_e164(shop, raw):
    customer_id = add(shop, first_name="Ana", phones=[raw])
    with shop.reading() as session:
        (phone,) = get_customer(session, customer_id).phones
        assert phone.e164 == "+5511987654321"
        assert phone.national_number == "11987654321"
        assert phone.reversed_digits == "12345678911"
        assert phone.position == 0


def test_several_phones_keep_their_order_and_repeats_are_dropped(shop):
    customer_id = add(
        shop,
        first_name="Ana",
        phones=["(11) 98765-4321", "", "+351 912 345 678", "+55 11 98765 4321", "(11) 3456-7890"],
    )
    with shop.reading() as session:
        phones = get_customer(session, customer_id).phones
        assert [p.e164 for p in phones] == ["+5511987654321", "+351912345678", "+551134567890"]
        assert [p.position for p in phones] == [0, 1, 2]


def test_blank_phone_fields_are_skipped_and_problems_name_the_field(shop):
    # Field keys follow the form's phone fields, blanks included.
    with pytest.raises(InvalidInput) as caught:
        add(shop, first_name="Ana", phones=["", "999"])
    assert set(caught.value.problems) == {"phone_2"}
    # A number typed after blank fields is kept, never dropped in silence.
    customer_id = add(shop, first_name="Ana", phones=[""] * MAX_PHONES + ["(11) 98765-4321"])
    with shop.reading() as session:
        assert [p.e164 for p in get_customer(session, customer_id).phones] == ["+5511987654321"]


def test_more_than_max_phones_is_refused(shop):
    before = row_counts(shop)
    phones = [f"(11) 98765-43{n:02d}" for n in range(MAX_PHONES + 1)]
    with pytest.raises(InvalidInput) as caught:
        add(shop, first_name="Ana", phones=phones)
    assert "phone" in caught.value.problems
    assert row_counts(shop) == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Ana.Souza@Example.COM ", "Ana.Souza@example.com"),  # the domain is case-insensitive
        ("jose\u0301@example.com", "josé@example.com"),  # composed (NFC)
        ("ana@EXÄMPLE.com", "ana@exämple.com"),
    ],
)
def test_email_is_normalised(shop, typed, stored):
    customer_id = add(shop, first_name="Ana", email=typed)
    with shop.reading() as session:
        customer = get_customer(session, customer_id)
        assert customer.email == stored
        # The lookup key is the folded email, so any capitalisation finds it.
        assert customer.email_key == email_key(stored) == email_key(stored.upper())
    assert ids_found(shop, typed.strip().upper()) == [customer_id]


def test_text_fields_are_stored_cleaned(shop):
    customer_id = add(
        shop,
        first_name="  Jose\u0301 ",
        last_name=" da Silva ",
        phones=["(11) 98765-4321"],
        notes="  likes rye\r\nno sugar  ",
        country="pt",
        birthday="1980-02-29",
        preferred_payment="pix",
    )
    with shop.reading() as session:
        customer = get_customer(session, customer_id)
        assert (customer.first_name, customer.last_name) == ("José", "da Silva")
        assert customer.notes == "likes rye\nno sugar"
        assert customer.country == "PT"
        assert customer.birthday == date(1980, 2, 29)
        assert customer.preferred_payment == "pix"


# --- duplicates ---------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["+55 11 98765 4321", "011 98765-4321", "11987654321"])
def test_duplicate_phone_names_the_existing_customer_and_writes_nothing(shop, ana, phone):
    before = row_counts(shop)
    with pytest.raises(DuplicateCustomer) as caught:
        add(shop, first_name="Bia", phones=["(21) 99999-0000", phone])
    error = caught.value
    assert error.field == "phone"
    assert [c.id for c in error.existing] == [ana]
    assert error.existing[0].full_name == "Ana Souza"
    assert "Ana Souza" in str(error) and f"#{ana}" in str(error)
    assert row_counts(shop) == before


def test_duplicate_email_ignores_case(shop, ana):
    before = row_counts(shop)
    with pytest.raises(DuplicateCustomer) as caught:
        add(shop, first_name="Bia", email="ANA.SOUZA@example.COM")
    assert caught.value.field == "email"
    assert [c.id for c in caught.value.existing] == [ana]
    assert row_counts(shop) == before


def test_allow_duplicate_adds_a_shared_family_landline(shop):
    landline = "(11) 3456-7890"
    mother = add(shop, first_name="Ana", last_name="Souza", phones=[landline])
    with pytest.raises(DuplicateCustomer):
        add(shop, first_name="Bia", last_name="Souza", phones=[landline])
    with shop.writing() as session:
        daughter = add_customer(
            session, CustomerDetails(first_name="Bia", last_name="Souza", phones=[landline]), REGION,
            allow_duplicate=True,
        ).id
    assert daughter != mother
    assert sorted(ids_found(shop, landline)) == sorted([mother, daughter])
    assert row_counts(shop)["customers"] == 2


def test_a_failed_add_does_not_undo_earlier_work_of_other_units(shop, ana):
    with pytest.raises(DuplicateCustomer):
        add(shop, first_name="Bia", phones=["(11) 98765-4321"])
    with shop.reading() as session:
        assert get_customer(session, ana).first_name == "Ana"


# --- bad input writes nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phones": ["123"]}, "phone"),
        ({"phones": ["(11) 98765-432"]}, "phone"),
        ({"phones": ["00000000000"]}, "phone"),
        ({"phones": ["11 98765-4321 or 4322"]}, "phone"),
        ({"phones": ["(11) 98765-4321", "999"]}, "phone_2"),
        ({"email": "ana@"}, "email"),
        ({"email": "ana@@example.com"}, "email"),
        ({"email": "ana example.com"}, "email"),
        ({"email": "ana@localhost"}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": "A" * 10_000}, "first_name"),
        ({"last_name": "B" * 10_000}, "last_name"),
        ({"notes": "n" * 10_000}, "notes"),
        ({"city": "C" * 10_000}, "city"),
        ({"first_name": "Ana\x00"}, "first_name"),
        ({"last_name": "Sou\x07za"}, "last_name"),
        ({"notes": "bell \x07 in notes"}, "notes"),
        ({"first_name": "Ana\nSouza"}, "first_name"),
        ({"last_name": "\u202eazuoS"}, "last_name"),
        ({"company": "Padaria\u2066 Pão"}, "company"),
        ({"notes": "card 4111 1111 1111 1111, exp 12/29"}, "notes"),
        ({"heard_from": "4111111111111111"}, "heard_from"),
        ({"birthday": "31/12/1980"}, "birthday"),
        ({"birthday": (date.today() + timedelta(days=1)).isoformat()}, "birthday"),
        ({"country": "Brazil"}, "country"),
        ({"preferred_payment": "bitcoin"}, "preferred_payment"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(shop, ana, changes, field):
    before = row_counts(shop)
    details = replace(CustomerDetails(first_name="Bia", last_name="Lima", phones=["(21) 99876-5432"]), **changes)
    with pytest.raises(InvalidInput) as caught:
        with shop.writing() as session:
            add_customer(session, details, REGION)
    error = caught.value
    assert field in error.problems
    assert error.field == next(iter(error.problems))
    assert str(error)  # a message fit to show
    assert row_counts(shop) == before


def test_every_problem_is_reported_at_once(shop):
    before = row_counts(shop)
    details = CustomerDetails(
        first_name="",
        last_name="\u202eevil",
        phones=["123"],
        email="not-an-email",
        notes="4111 1111 1111 1111",
        birthday="yesterday",
    )
    with pytest.raises(InvalidInput) as caught:
        with shop.writing() as session:
            add_customer(session, details, REGION)
    problems = caught.value.problems
    assert set(problems) == {"first_name", "last_name", "phone", "email", "notes", "birthday"}
    described = caught.value.describe({"first_name": "First name"}).splitlines()
    assert len(described) == 6
    assert any(line.startswith("First name: ") for line in described)
    assert any(line.startswith("last name: ") for line in described)
    assert row_counts(shop) == before


def test_a_bad_customer_in_a_unit_of_work_rolls_back_the_good_one(shop):
    """A writing() block is all or nothing: an error leaves the file as it was."""
    before = row_counts(shop)
    with pytest.raises(InvalidInput):
        with shop.writing() as session:
            add_customer(session, CustomerDetails(first_name="Good", phones=["(11) 98765-4321"]), REGION)
            add_customer(session, CustomerDetails(first_name="Bad", phones=["1"]), REGION)
    assert row_counts(shop) == before


# --- reading ------------------------------------------------------------------------------


def test_get_customer_by_id_or_uuid(shop, ana):
    with shop.reading() as session:
        by_id = get_customer(session, ana)
        uuid = by_id.uuid
        assert get_customer(session, str(ana)).id == ana
        assert get_customer(session, f" {uuid} ").id == ana
        assert get_customer(session, uuid.upper()).id == ana


@pytest.mark.parametrize("ref", [999, "999", "00000000-0000-4000-8000-000000000000", "not-a-uuid", "' OR 1=1 --"])
def test_get_unknown_customer(shop, ana, ref):
    with shop.reading() as session:
        with pytest.raises(NotFound) as caught:
            get_customer(session, ref)
    assert str(ref).strip()[:40] in str(caught.value)


# --- updating -----------------------------------------------------------------------------


def test_update_replaces_phones(shop, ana):
    with shop.writing() as session:
        update_customer(
            session,
            ana,
            CustomerDetails(first_name="Ana", last_name="Souza", phones=["(21) 99876-5432", "+351 912 345 678"]),
            REGION,
        )
    with shop.reading() as session:
        customer = get_customer(session, ana)
        assert [p.e164 for p in customer.phones] == ["+5521998765432", "+351912345678"]
        assert customer.email is None
        left = session.execute(text("SELECT e164 FROM customer_phones ORDER BY position")).scalars().all()
        assert left == ["+5521998765432", "+351912345678"]
    assert ids_found(shop, "(11) 98765-4321") == []
    assert ids_found(shop, "4321") == []
    assert ids_found(shop, "(21) 99876-5432") == [ana]
    assert ids_found(shop, "+351 912 345 678") == [ana]


def test_a_renamed_customer_is_found_by_the_new_name_only(shop, ana):
    with shop.reading() as session:
        original = get_customer(session, ana)
        uuid, created = original.uuid, original.created_at
    assert ids_found(shop, "souza") == [ana]
    with shop.writing() as session:
        update_customer(
            session,
            ana,
            CustomerDetails(first_name="Ana", last_name="Pereira", phones=["(11) 98765-4321"]),
            REGION,
        )
    assert ids_found(shop, "souza") == []
    assert ids_found(shop, "ana souza") == []
    assert ids_found(shop, "pereira") == [ana]
    assert ids_found(shop, "ana pereira") == [ana]
    assert ids_found(shop, "pereira ana") == [ana]
    with shop.reading() as session:
        keys = session.execute(text("SELECT key FROM customer_search_keys")).scalars().all()
        assert keys and not any("souza" in key for key in keys)
        customer = get_customer(session, ana)
        assert (customer.id, customer.uuid, customer.created_at) == (ana, uuid, created)
        assert customer.updated_at >= created


def test_update_keeping_own_phone_and_email_is_not_a_duplicate(shop, ana):
    with shop.reading() as session:
        details = CustomerDetails.of(get_customer(session, ana))
    details.city = "São Paulo"
    with shop.writing() as session:
        update_customer(session, ana, details, REGION)
    with shop.reading() as session:
        assert get_customer(session, ana).city == "São Paulo"


def test_update_to_someone_elses_phone_is_refused_and_changes_nothing(shop, ana):
    bia = add(shop, first_name="Bia", phones=["(21) 99876-5432"])
    with pytest.raises(DuplicateCustomer) as caught:
        with shop.writing() as session:
            update_customer(session, bia, CustomerDetails(first_name="Beatriz", phones=["011 98765-4321"]), REGION)
    assert [c.id for c in caught.value.existing] == [ana]
    with shop.reading() as session:
        customer = get_customer(session, bia)
        assert customer.first_name == "Bia"
        assert [p.e164 for p in customer.phones] == ["+5521998765432"]


def test_update_with_bad_input_changes_nothing(shop, ana):
    before = row_counts(shop)
    with pytest.raises(InvalidInput) as caught:
        with shop.writing() as session:
            update_customer(
                session, ana, CustomerDetails(first_name="Ana\x00", phones=["(21) 99876-5432"]), REGION
            )
    assert caught.value.field == "first_name"
    assert row_counts(shop) == before
    with shop.reading() as session:
        customer = get_customer(session, ana)
        assert customer.first_name == "Ana"
        assert [p.e164 for p in customer.phones] == ["+5511987654321"]


def test_update_unknown_customer(shop):
    with pytest.raises(NotFound):
        with shop.writing() as session:
            update_customer(session, 4242, CustomerDetails(first_name="X", phones=["(11) 98765-4321"]), REGION)
    assert row_counts(shop)["customers"] == 0


def test_emails_that_differ_only_by_accents_are_different_mailboxes(shop):
    first = add(shop, first_name="José", email="josé@example.com")
    second = add(shop, first_name="Jose", email="jose@example.com")
    assert first != second
    assert ids_found(shop, "josé@example.com") == [first]
