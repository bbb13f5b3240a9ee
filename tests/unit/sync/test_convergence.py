"""Two tills that edit the same book and exchange bundles in any order, any number of times, end with the same book.

Hypothesis draws the edits (new customers, changed details and phones, stamps, reservations
moved on, consents, erasures) and the exchanges (which till exports, which pending bundle is
imported next, possibly out of order or not yet). At the end every bundle still on its way
is delivered and the tills exchange until they have nothing new for each other.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.errors import RegularsError
from desktop.services import loyalty
from desktop.services.consents import record_consents
from desktop.services.customers import (
    CustomerDetails,
    add_customer,
    get_customer,
    update_customer,
)
from desktop.services.privacy_notice import current_notice
from desktop.services.reservations import (
    NEXT_STATUSES,
    NewReservation,
    add_reservation,
    change_status,
)
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from desktop.sync.tombstones import apply_erasure
from tests.sync_helpers import SYNC_PASSPHRASE, dump, new_till

REGION = "BR"
TILLS = st.integers(0, 1)
PICK = st.integers(0, 1_000)
MOBILE = st.integers(60_000_000, 99_999_999).map(lambda n: f"(11) 9{n:08d}")
WORDS = st.sampled_from(["Lisboa", "Porto", "São Paulo", "Ηράκλειο", "=SUM(A1)", "-1", "line\nbreak", ""])

OPERATION = st.one_of(
    st.tuples(st.just("add"), TILLS, st.sampled_from(["Ana", "João", "Μαρία", "Zé"]), MOBILE),
    st.tuples(st.just("edit"), TILLS, PICK, WORDS, st.lists(MOBILE, max_size=2)),
    st.tuples(st.just("stamp"), TILLS, PICK),
    st.tuples(st.just("reserve"), TILLS, PICK),
    st.tuples(st.just("advance"), TILLS, PICK),
    st.tuples(st.just("consent"), TILLS, PICK, st.booleans()),
    st.tuples(st.just("erase"), TILLS, PICK),
    st.tuples(st.just("export"), TILLS, st.booleans()),
    st.tuples(st.just("import"), TILLS, PICK),
)


def _pick(database, table: str, index: int) -> str | None:
    with database.reading() as session:
        uuids = session.connection().exec_driver_sql(f"SELECT uuid FROM {table} ORDER BY uuid").scalars().all()
    return uuids[index % len(uuids)] if uuids else None


def _apply(database, operation) -> None:
    kind, _till, *args = operation
    with database.writing() as session:
        if kind == "add":
            name, phone = args
            add_customer(session, CustomerDetails(first_name=name, phones=[phone]), REGION, allow_duplicate=True)
            return
        if kind == "advance":
            uuid = _pick(database, "reservations", args[0])
            if uuid is not None:
                reference = session.connection().exec_driver_sql(
                    "SELECT reference, status FROM reservations WHERE uuid = ?", (uuid,)).first()
                if NEXT_STATUSES[reference[1]]:
                    change_status(session, reference[0], NEXT_STATUSES[reference[1]][0], staff="Rita")
            return
        uuid = _pick(database, "customers", args[0])
        if uuid is None:
            return
        customer = get_customer(session, uuid)
        if kind == "edit":
            details = CustomerDetails.of(customer)
            details.city, details.notes = args[1].replace("\n", " "), args[1]
            details.phones = args[2] or details.phones
            update_customer(session, customer.id, details, REGION, allow_duplicate=True)
        elif kind == "stamp":
            loyalty.earn(session, customer.id, "Café")
        elif kind == "reserve":
            add_reservation(session, NewReservation(customer.id, "Bolo", expected_on=date.today() + timedelta(days=2)))
        elif kind == "consent":
            version = current_notice(session).version
            record_consents(session, customer.id, {"sms": args[1]}, notice_version=version, source="counter")
        elif kind == "erase":
            apply_erasure(session, uuid)


def _carry(source, target, folder: Path, name: str, *, full: bool = False) -> None:
    export_bundle(source, folder / name, passphrase=SYNC_PASSPHRASE, full=full)
    import_bundle(target, folder / name, passphrase=SYNC_PASSPHRASE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(OPERATION, min_size=5, max_size=30))
def test_two_tills_converge_whatever_the_edits_and_the_order_of_exchanges(shop_template, operations):
    folder = Path(tempfile.mkdtemp(prefix="regulars-converge-"))
    tills = [new_till(shop_template, folder, "a"), new_till(shop_template, folder, "b")]
    try:
        with tills[0].writing() as session:
            loyalty.add_program(session, loyalty.ProgramSettings("Café", "stamps", 10, "Um café"))
            add_customer(session, CustomerDetails(first_name="Rita", phones=["(11) 98888-7777"]), REGION)
        _carry(tills[0], tills[1], folder, "start.zip")
        pending: list[list[Path]] = [[], []]  # bundles on their way to till 0, to till 1
        for step, operation in enumerate(operations):
            kind, till = operation[0], operation[1]
            if kind == "export":
                path = folder / f"{step}.zip"
                export_bundle(tills[till], path, passphrase=SYNC_PASSPHRASE, full=operation[2])
                pending[1 - till].append(path)
            elif kind == "import":
                if pending[till]:
                    path = pending[till].pop(operation[2] % len(pending[till]))
                    import_bundle(tills[till], path, passphrase=SYNC_PASSPHRASE)
            else:
                try:
                    _apply(tills[till], operation)
                except RegularsError:
                    pass  # refused by the services (editing an erased customer...): nothing written
        for till in (0, 1):
            for path in pending[till]:
                import_bundle(tills[till], path, passphrase=SYNC_PASSPHRASE)
        for round_number in range(3):
            _carry(tills[0], tills[1], folder, f"final-{round_number}-ab.zip")
            _carry(tills[1], tills[0], folder, f"final-{round_number}-ba.zip")
            if dump(tills[0]) == dump(tills[1]):
                break
        assert dump(tills[0]) == dump(tills[1])
    finally:
        for database in tills:
            database.close()
        shutil.rmtree(folder, ignore_errors=True)
