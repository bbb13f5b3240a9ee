"""Demo data: the rows written in bulk are the rows the services would write, and the same seed gives the same book."""

from __future__ import annotations

import phonenumbers
import pytest

from desktop.services import loyalty
from desktop.services.customers import get_customer
from desktop.services.demo import add_demo_cards, add_demo_customers, add_demo_history
from desktop.services.lookup import find_customers
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.conftest import REGION
from tests.sync_helpers import SYNC_PASSPHRASE, dump, new_till

CUSTOMERS = 2_000


@pytest.fixture
def demo_shop(shop):
    with shop.writing() as session:
        add_demo_customers(session, REGION, CUSTOMERS, seed=3)
        shop.cards = add_demo_cards(session)
        history = add_demo_history(session, seed=3)
    shop.history = history
    return shop


def _rows(database, sql: str) -> list[tuple]:
    with database.reading() as session:
        return session.connection().exec_driver_sql(sql).all()


def test_history_comes_in_the_shares_asked_for(demo_shop):
    history = demo_shop.history
    assert 0.5 * CUSTOMERS < history.loyalty_entries < 1.5 * CUSTOMERS  # a quarter collect, ~3 entries each
    assert 0.1 * CUSTOMERS < history.consents < 0.5 * CUSTOMERS
    assert 0 < history.calls < 0.1 * CUSTOMERS
    counted = _rows(demo_shop, "SELECT (SELECT count(*) FROM loyalty_entries), (SELECT count(*) FROM consents),"
                               " (SELECT count(*) FROM phone_calls)")[0]
    assert counted == (history.loyalty_entries, history.consents, history.calls)


def test_the_book_reads_back_through_the_services(demo_shop):
    with demo_shop.reading() as session:
        customer = get_customer(session, 1)
        assert customer.created_at <= customer.last_seen_at
        for phone in customer.phones:
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164))
        assert find_customers(session, customer.phones[0].e164, REGION)[0].id == 1
        assert 1 in [match.id for match in find_customers(session, customer.email or customer.phones[0].e164, REGION)]
        collectors = [row[0] for row in _rows(demo_shop, "SELECT DISTINCT customer_id FROM loyalty_entries")]
        for customer_id in collectors[:200]:
            assert all(balance.balance >= 0 for balance in loyalty.balances(session, customer_id))
    redeemed = _rows(demo_shop, "SELECT count(*) FROM loyalty_entries WHERE kind = 'redeem'")[0][0]
    assert redeemed > 0
    code, owner = _rows(demo_shop, "SELECT code, customer_id FROM loyalty_cards ORDER BY id DESC LIMIT 1")[0]
    with demo_shop.reading() as session:
        assert [match.id for match in find_customers(session, code, REGION)] == [owner]
    outside = _rows(
        demo_shop,
        "SELECT count(*) FROM loyalty_entries e JOIN customers c ON c.id = e.customer_id"
        " WHERE e.created_at < c.created_at OR e.created_at > c.last_seen_at",
    )[0][0]
    assert outside == 0


def test_every_customer_gets_one_card_and_a_second_call_issues_none(demo_shop):
    assert demo_shop.cards == CUSTOMERS
    assert _rows(demo_shop, "SELECT count(DISTINCT customer_id), count(*) FROM loyalty_cards") == [(CUSTOMERS, CUSTOMERS)]
    with demo_shop.writing() as session:
        assert add_demo_cards(session) == 0
        loyalty.replace_card(session, 5)  # a lost card: the customer already has the new one
        assert add_demo_cards(session) == 0
        session.connection().exec_driver_sql(
            "UPDATE loyalty_cards SET status = 'replaced' WHERE customer_id = 7")  # none active (a damaged file)
        assert add_demo_cards(session) == 1
    assert _rows(demo_shop, "SELECT count(*) FROM loyalty_cards WHERE customer_id = 7 AND status = 'active'") == [(1,)]


def test_a_new_till_takes_the_whole_demo_book_without_rejecting_a_row(demo_shop, shop_template, tmp_path):
    """The sync import checks every row as the services would: the bulk rows pass those checks."""
    export_bundle(demo_shop, tmp_path / "everything.zip", passphrase=SYNC_PASSPHRASE, full=True)
    till = new_till(shop_template, tmp_path, "till")
    try:
        report = import_bundle(till, tmp_path / "everything.zip", passphrase=SYNC_PASSPHRASE)
        assert report.total("rejected") == 0 and report.rejected == []
        assert report.counts("loyalty_entries").added == demo_shop.history.loyalty_entries
        assert dump(till) == dump(demo_shop)
    finally:
        till.close()


def test_the_same_seed_gives_the_same_book(shop, demo_shop, shop_template, tmp_path):
    other = new_till(shop_template, tmp_path, "other")
    try:
        with other.writing() as session:
            add_demo_customers(session, REGION, CUSTOMERS, seed=3)
            add_demo_history(session, seed=3)
        what = ("SELECT first_name, last_name, email, birthday, city FROM customers ORDER BY id",
                "SELECT customer_id, e164 FROM customer_phones ORDER BY id",
                "SELECT customer_id, kind, amount, purchase_cents FROM loyalty_entries ORDER BY id",
                "SELECT customer_id, channel, granted FROM consents ORDER BY id",
                "SELECT customer_id, caller_e164, reason FROM phone_calls ORDER BY id")
        for sql in what:
            assert _rows(other, sql) == _rows(demo_shop, sql)
    finally:
        other.close()
