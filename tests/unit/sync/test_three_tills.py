"""Three tills (three real shop files) with clocks skewed by up to two days either way make random
edits and exchange bundles in random orders and numbers. Afterwards, once each has imported the
others' last bundles:

- they converge: the same book on every till;
- no edit is lost except one that lost to a concurrent edit of the same field (an edit made
  without having seen it), and each of those is in a conflicts list;
- a phone number added and never removed is there; one removed (by a till that had seen it) is not;
- an erased customer stays erased.

Every edited value is unique, so "the till saw this edit" is exact: its value was the field's
value on the editing till just before its own edit.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import RegularsError
from desktop.models.base import utc_now
from desktop.services.customers import CustomerDetails, add_customer, change_customer, get_customer
from desktop.services.erasure import erase_customer
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.conftest import REGION
from tests.sync_helpers import SYNC_PASSPHRASE, dump, new_till

TILLS, CUSTOMERS = 3, 2
FIELDS = ("city", "notes", "last_name")
HOURS = st.integers(-48, 48)
TILL = st.integers(0, TILLS - 1)
CUSTOMER = st.integers(0, CUSTOMERS - 1)
OPERATION = st.one_of(
    st.tuples(st.just("edit"), TILL, CUSTOMER, st.sampled_from(FIELDS)),
    st.tuples(st.just("add phone"), TILL, CUSTOMER),
    st.tuples(st.just("remove phone"), TILL, CUSTOMER, st.integers(0, 3)),
    st.tuples(st.just("erase"), TILL, CUSTOMER),
    st.tuples(st.just("export"), TILL, st.booleans()),
    st.tuples(st.just("import"), TILL, st.integers(0, 5)),
)


def _phone(step: int, customer: int, till: int) -> tuple[str, str]:
    """A number no other operation uses: as typed, and in E.164."""
    first, second = 1000 + step, 1000 + customer * 10 + till
    return f"(11) 9{first:04d}-{second:04d}", f"+55119{first:04d}{second:04d}"


def _write(database, work) -> bool:
    try:
        with database.writing() as session:
            work(session)
        return True
    except RegularsError:  # refused by the services (an erased customer...): nothing written
        return False


def _field(database, uuid: str, name: str) -> str:
    with database.reading() as session:
        return getattr(get_customer(session, uuid), name)


def _phones(database, uuid: str) -> list[str]:
    with database.reading() as session:
        return [phone.e164 for phone in get_customer(session, uuid).phones]


def _sql(database, query: str) -> list[tuple]:
    with database.reading() as session:
        return session.connection().exec_driver_sql(query).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(skews=st.lists(HOURS, min_size=TILLS, max_size=TILLS), operations=st.lists(OPERATION, max_size=14))
def test_three_skewed_tills_converge_and_lose_only_listed_concurrent_edits(shop_template, skews, operations):
    folder = Path(tempfile.mkdtemp(prefix="regulars-three-"))
    tills = [new_till(shop_template, folder, f"till-{index}") for index in range(TILLS)]
    for till, hours in zip(tills, skews):
        till.clock = lambda hours=hours: utc_now() + timedelta(hours=hours)

    def carry(source: int, target: int, path: Path) -> None:
        import_bundle(tills[target], path, passphrase=SYNC_PASSPHRASE, accept_clock_ahead=True)

    try:
        uuids = []
        with tills[0].writing() as session:
            for index in range(CUSTOMERS):
                typed, _e164 = _phone(0, index, 0)
                uuids.append(add_customer(session, CustomerDetails(first_name=f"C{index}", phones=[typed]),
                                          REGION).uuid)
        start = folder / "start.zip"
        export_bundle(tills[0], start, passphrase=SYNC_PASSPHRASE, full=True)
        for target in range(1, TILLS):
            carry(0, target, start)

        edits = []  # (customer, field, value, value it replaced on its till)
        added, removed, erased = set(), set(), set()
        pending: list[list[Path]] = [[] for _ in range(TILLS)]
        for step, operation in enumerate(operations, start=1):
            kind, till = operation[0], operation[1]
            database = tills[till]
            if kind == "edit":
                customer, name = uuids[operation[2]], operation[3]
                value, before = f"{name}-{step}", _field(database, customer, name)
                if _write(database, lambda s: change_customer(s, customer, REGION, changes={name: value})):
                    edits.append((customer, name, value, before))
            elif kind == "add phone":
                customer = uuids[operation[2]]
                typed, e164 = _phone(step, operation[2], till)
                if _write(database, lambda s: change_customer(s, customer, REGION, add_phones=[typed])):
                    added.add((customer, e164))
            elif kind == "remove phone":
                customer = uuids[operation[2]]
                held = _phones(database, customer)
                if len(held) > 1:  # a customer keeps a phone (they have no email)
                    e164 = held[operation[3] % len(held)]
                    if _write(database, lambda s: change_customer(s, customer, REGION, remove_phones=[e164])):
                        removed.add((customer, e164))
            elif kind == "erase":
                customer = uuids[operation[2]]
                if _write(database, lambda s: erase_customer(s, customer)):
                    erased.add(customer)
            elif kind == "export":
                path = folder / f"{step}.zip"
                export_bundle(database, path, passphrase=SYNC_PASSPHRASE, full=operation[2])
                for other in range(TILLS):
                    if other != till:
                        pending[other].append(path)
            elif pending[till]:
                carry(-1, till, pending[till].pop(operation[2] % len(pending[till])))

        # Each till exports everything it holds; then each imports the others' (in a different order).
        finals = []
        for index, database in enumerate(tills):
            finals.append(folder / f"final-{index}.zip")
            export_bundle(database, finals[-1], passphrase=SYNC_PASSPHRASE, full=True)
        for index in range(TILLS):
            for other in sorted(range(TILLS), key=lambda o: (o - index) % TILLS, reverse=True):
                if other != index:
                    carry(other, index, finals[other])

        books = [dump(database) for database in tills]
        assert books[0] == books[1] == books[2]

        listed = {(record, field, value) for database in tills for record, field, mine, theirs in
                  _sql(database, "SELECT record_uuid, field, mine, theirs FROM sync_conflicts")
                  for value in (mine, theirs)}
        for customer, name, value, _before in edits:
            if customer in erased:
                continue
            seen_later = any(other[:2] == (customer, name) and other[3] == value for other in edits)
            if _field(tills[0], customer, name) != value and not seen_later:
                assert (customer, name, value) in listed, f"{name}={value!r} was lost without a conflict"
        for customer, e164 in added:
            if customer not in erased:
                assert (e164 in _phones(tills[0], customer)) == ((customer, e164) not in removed)
        for customer in erased:
            assert _field(tills[0], customer, "first_name") == ""
    finally:
        for database in tills:
            database.close()
        shutil.rmtree(folder, ignore_errors=True)
