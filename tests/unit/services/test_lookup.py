"""Finding a customer at the till from whatever the cashier typed, on a real shop file."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from desktop.db.engine import ShopDatabase
from desktop.services.customers import CustomerDetails, add_customer, record_visit
from desktop.services.demo import add_demo_customers
from desktop.services.lookup import find_customers

REGION = "BR"  # the shared template shop's region (tests/conftest.py)


def add(shop: ShopDatabase, first_name: str, last_name: str = "", *phones: str, email: str = "", **more) -> int:
    with shop.writing() as session:
        details = CustomerDetails(first_name=first_name, last_name=last_name, phones=list(phones), email=email, **more)
        return add_customer(session, details, REGION, allow_duplicate=True).id


def find(shop: ShopDatabase, query: str, **kwargs):
    with shop.reading() as session:
        return find_customers(session, query, REGION, **kwargs)


def ids(shop: ShopDatabase, query: str, **kwargs) -> list[int]:
    return [m.id for m in find(shop, query, **kwargs)]


@pytest.fixture
def book(shop) -> dict[str, int]:
    """A small customer book; keys are short handles used by the tests."""
    return {
        "joao": add(shop, "João", "da Silva", "(11) 98765-4321", email="joao.silva@example.com"),
        "maria": add(shop, "Maria", "Souza", "(21) 99876-1234", email="maria.souza@example.org"),
        "giorgos": add(shop, "Γιώργος", "Παπαδόπουλος", "+30 694 123 4567"),
        "ines": add(shop, "Inês", "Conceição", "+351 912 345 678", email="ines@example.pt"),
        "bakery": add(shop, "Pedro", "Alves", "(11) 3456-7890", company="Padaria Pão Quente"),
    }


# --- phones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["(11) 98765-4321", "+55 11 98765 4321", "011 98765-4321", "11987654321", "+5511987654321", "11 98765.4321",
     " (11)  98765 - 4321 "],
)
def test_exact_phone_in_any_format(shop, book, query):
    matches = find(shop, query)
    assert matches[0].id == book["joao"]
    assert matches[0].matched_by == "phone"
    assert matches[0].phone == "+5511987654321"
    assert matches[0].phone_display == "(11) 98765-4321"
    assert {m.id for m in matches} == {book["joao"]}


def test_foreign_phone_exactly(shop, book):
    matches = find(shop, "+351 912 345 678")
    assert [m.id for m in matches] == [book["ines"]]
    assert matches[0].phone_display == "+351 912 345 678"


@pytest.mark.parametrize("query", ["4321", "54321", "765-4321", "8765 4321", "98765-4321"])
def test_last_digits_of_a_phone(shop, book, query):
    matches = find(shop, query)
    assert [m.id for m in matches] == [book["joao"]]
    assert matches[0].matched_by == "phone_end"


def test_fewer_than_four_digits_is_not_a_phone_search(shop, book):
    assert ids(shop, "321") == []
    assert ids(shop, "21") == []


@pytest.mark.parametrize("query", ["119876", "(11) 9876", "(11) 98765-43", "+55 11 9876", "011 98765", "0 11 987"])
def test_start_of_a_national_number_while_typing(shop, book, query):
    matches = find(shop, query)
    assert [m.id for m in matches] == [book["joao"]]
    assert matches[0].matched_by == "phone_start"


def test_typing_a_number_narrows_down(shop, book):
    # "(11)" is São Paulo: both the mobile and the landline start with it.
    assert sorted(ids(shop, "(11) 9876")) == [book["joao"]]
    assert sorted(ids(shop, "(11) 3456")) == [book["bakery"]]
    both = add(shop, "Zeca", "", "(11) 98760-0000")
    assert sorted(ids(shop, "(11) 9876")) == sorted([book["joao"], both])


def test_exact_phone_comes_before_phone_endings(shop):
    joao = add(shop, "João", "", "(11) 91234-5678")
    # A German number whose national digits end with João's whole number.
    hans = add(shop, "Hans", "", "+49 211 912345678")
    with shop.writing() as session:
        record_visit(session, hans)  # more recent, yet not the better match
    matches = find(shop, "(11) 91234-5678")
    assert [(m.id, m.matched_by) for m in matches] == [(joao, "phone"), (hans, "phone_end")]


def test_exact_phone_shared_by_two_customers_lists_most_recently_seen_first(shop):
    ana = add(shop, "Ana", "", "(11) 3456-7890")
    bia = add(shop, "Bia", "", "(11) 3456-7890")
    with shop.writing() as session:
        record_visit(session, ana)
    assert ids(shop, "(11) 3456-7890") == [ana, bia]
    with shop.writing() as session:
        record_visit(session, bia)
    assert ids(shop, "(11) 3456-7890") == [bia, ana]


def test_a_second_phone_is_found_too(shop):
    ana = add(shop, "Ana", "", "(11) 98765-4321", "+351 912 345 678")
    assert ids(shop, "912 345 678") == [ana]
    assert ids(shop, "+351 912 345 678") == [ana]
    # The results list shows the first phone.
    assert find(shop, "+351 912 345 678")[0].phone == "+5511987654321"


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["joao", "João", "JOÃO", "jo", "Joao da Silva", "silva", "SILVA", "da sil",
                                   "silva joao", "da silva joão"])
def test_name_prefix_ignores_case_and_accents_and_word_order(shop, book, query):
    matches = find(shop, query)
    assert [m.id for m in matches] == [book["joao"]]
    assert matches[0].matched_by == "name"


@pytest.mark.parametrize("query", ["παπαδοπουλος", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "Παπαδόπουλος", "παπα", "γιωργος", "Γιώργος Π",
                                   "παπαδοπουλος γιωργος"])
def test_greek_names(shop, book, query):
    assert ids(shop, query) == [book["giorgos"]]


@pytest.mark.parametrize("query", ["ines", "INÊS", "conceicao", "Conceição Inês"])
def test_portuguese_accents(shop, book, query):
    assert ids(shop, query) == [book["ines"]]


def test_company_name(shop, book):
    assert ids(shop, "pao quente") == [book["bakery"]]
    assert ids(shop, "Padaria") == [book["bakery"]]


def test_a_name_is_not_found_from_the_middle_of_a_word(shop, book):
    assert ids(shop, "ilva") == []
    assert ids(shop, "oao") == []


def test_unknown_name_finds_nobody(shop, book):
    assert ids(shop, "Zacarias") == []


# --- email --------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["joao.silva@example.com", "JOAO.SILVA@EXAMPLE.COM", "joao.silva@", "joao.silva@ex",
                                   "joao.sil"])
def test_email_exact_and_prefix(shop, book, query):
    matches = find(shop, query)
    assert [m.id for m in matches] == [book["joao"]]
    assert matches[0].matched_by == "email"
    assert matches[0].email == "joao.silva@example.com"


def test_email_domain_alone_is_not_a_prefix(shop, book):
    assert ids(shop, "@example.com") == []


# --- recent customers and paging ----------------------------------------------------------


def test_empty_query_lists_most_recently_seen_first(shop, book):
    added_order = list(book.values())
    assert ids(shop, "") == added_order[::-1]
    assert ids(shop, "   ") == added_order[::-1]
    assert {m.matched_by for m in find(shop, "")} == {"recent"}
    with shop.writing() as session:
        record_visit(session, book["maria"])
    listed = ids(shop, "")
    assert listed[0] == book["maria"]
    assert sorted(listed) == sorted(added_order)


def test_recent_list_pages_with_offset(shop):
    people = [add(shop, f"Cliente{n}", "", f"(11) 98765-{n:04d}") for n in range(7)]
    with shop.writing() as session:
        record_visit(session, people[3])
    everyone = ids(shop, "", limit=50)
    assert everyone[0] == people[3]
    assert sorted(everyone) == sorted(people)
    pages = [ids(shop, "", limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    assert [i for page in pages for i in page] == everyone


def test_limit_is_respected_for_every_kind_of_match(shop):
    for n in range(12):
        add(shop, f"Souza{n:02d}", "Souza", f"(11) 98765-{n:04d}", email=f"souza{n}@example.com")
    for query in ("", "souza", "SOU", "souza0", "98765", "0000", "(11) 98765", "souza1@"):
        assert len(find(shop, query, limit=5)) <= 5, query
    assert len(find(shop, "souza", limit=5)) == 5
    assert len(find(shop, "", limit=5)) == 5
    assert len(find(shop, "(11) 98765", limit=5)) == 5
    assert len(find(shop, "souza", limit=50)) == 12


def test_limit_counts_people_not_keys(shop):
    """One person can hold several keys in one prefix range ("santos sara" and "sara santos"
    for "s"): a page must still be full, and paging must reach every match exactly once."""
    people = [
        add(shop, "Sandra", "Lima", "(11) 98765-0001"),
        add(shop, "Sara", "Santos", "(11) 98765-0002"),
        add(shop, "Sérgio", "Souza", "(11) 98765-0003"),
        add(shop, "Silvia", "Silva", "(11) 98765-0004"),
    ]
    add(shop, "Ana", "Lima", "(11) 98765-0005")  # no word starts with "s"
    assert len(find(shop, "s", limit=3)) == 3
    assert sorted(ids(shop, "s", limit=50)) == sorted(people)
    pages = [ids(shop, "s", limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [len(page) for page in pages] == [2, 2, 0]
    assert sorted(i for page in pages for i in page) == sorted(people)


def test_limit_counts_people_not_phones(shop):
    # Two phones of one customer both end in 4321.
    ana = add(shop, "Ana", "", "(11) 98765-4321", "(11) 3333-4321")
    bia = add(shop, "Bia", "", "(21) 99999-4321")
    assert sorted(ids(shop, "4321", limit=2)) == sorted([ana, bia])


def test_query_is_bounded(shop, book):
    assert ids(shop, "j" * 100_000) == []
    assert ids(shop, "4" * 100_000) == []


# --- queries that look like SQL -----------------------------------------------------------


@pytest.fixture
def tricky(shop, book) -> dict[str, int]:
    return {
        "injection": add(shop, "' OR 1=1 --", "", "(31) 99876-0001"),
        "percent": add(shop, "Loja", "100%", "(31) 99876-0002"),
        "leading_percent": add(shop, "Cliente", "%VIP", "(31) 99876-0003"),
        "underscore": add(shop, "_Under", "Score", "(31) 99876-0004"),
        "quote": add(shop, "Ana", "D'Ávila", "(31) 99876-0005"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("' OR 1=1 --", {"injection"}),
        ("' or 1=1", {"injection"}),
        ("1=1", {"injection"}),
        ("%", {"leading_percent"}),
        ("%vip", {"leading_percent"}),
        ("100%", {"percent"}),
        ("_", {"underscore"}),
        ("_under", {"underscore"}),
        ("d'avila", {"quote"}),
        ("'", {"injection"}),
        ("a%", set()),
        ("%a%", set()),
        ("_na", set()),
        ("j_ao", set()),
        ("' OR '1'='1", set()),
        ('"; DROP TABLE customers; --', set()),
        ("*", set()),
        ("\\", set()),
    ],
)
def test_sql_looking_queries_match_only_literal_names(shop, book, tricky, query, expected):
    found = set(ids(shop, query, limit=50))
    assert found == {tricky[name] for name in expected}
    assert not found & set(book.values()), "an ordinary customer matched a wildcard"
    with shop.reading() as session:
        assert session.execute(text("SELECT count(*) FROM customers")).scalar_one() == len(book) + len(tricky)


# --- index use ----------------------------------------------------------------------------


@contextmanager
def captured_selects(shop: ShopDatabase):
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(shop.engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(shop.engine, "before_cursor_execute", capture)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("4321", "ix_customer_phones_reversed"),
        ("87654321", "ix_customer_phones_reversed"),
        ("(11) 9876", "ix_customer_phones_national"),
        ("(11) 98765-4321", "ix_customer_phones_e164"),
        ("joao", "PRIMARY KEY"),
        ("silva jo", "PRIMARY KEY"),
        ("παπαδ", "PRIMARY KEY"),
        ("maria.souza@", "ix_customers_email_key"),
    ],
)
def test_lookups_are_index_ranges_not_scans(shop, book, query, index):
    with shop.writing() as session:
        add_demo_customers(session, REGION, 300, seed=7)  # no ANALYZE: the app never runs it
    with captured_selects(shop) as statements:
        with shop.reading() as session:
            assert find_customers(session, query, REGION)
    assert statements
    plans = []
    with shop.reading() as session:
        for statement, parameters in statements:
            rows = session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append([row[-1] for row in rows])
    steps = [step for plan in plans for step in plan]
    assert any(step.startswith("SEARCH") and index in step for step in steps), plans
    table_steps = [s for s in steps if s.startswith(("SCAN", "SEARCH"))]
    assert table_steps
    assert all(s.startswith("SEARCH") for s in table_steps), plans


# --- odd input ----------------------------------------------------------------------------


def test_phone_typed_with_other_scripts_digits(shop, book):
    arabic_indic = "٤٣٢١"  # 4321
    full_width = "４３２１"
    assert ids(shop, arabic_indic) == [book["joao"]]
    assert ids(shop, full_width) == [book["joao"]]


def test_lone_surrogates_are_dropped_not_an_error(shop, book):
    assert ids(shop, "joao\udcff") == [book["joao"]]
    assert ids(shop, "\udcff") == ids(shop, "")


@pytest.mark.parametrize(
    ("typed", "fields"),
    [
        ("", {}),
        ("(31) 99999-0000", {"phone": "(31) 99999-0000"}),
        ("+30 694 123 4567", {"phone": "+30 694 123 4567"}),
        ("ana@example.org", {"email": "ana@example.org"}),
        ("Ana Maria Costa", {"first_name": "Ana", "last_name": "Maria Costa"}),
        ("Zé", {"first_name": "Zé", "last_name": ""}),
    ],
)
def test_new_customer_fields_from_what_was_typed(typed, fields):
    from desktop.services.lookup import new_customer_fields

    assert new_customer_fields(typed) == fields
