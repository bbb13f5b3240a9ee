"""The `calls` commands, run in-process through main() against a real shop file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.cli.helpers import customers, ok, ok_json, refused

TODAY = date.today()
SOON = (TODAY + timedelta(days=2)).isoformat()
RECORD_KEYS = {
    "id", "called_at", "customer_id", "customer_name", "phone", "phone_display", "reason", "notes", "follow_up_on",
    "follow_up_done_at", "staff",
}


# --- helpers ------------------------------------------------------------------------------


def calls(cli, db: Path, *args: str) -> list[dict]:
    records = ok_json(cli, db, "calls", "list", *args, "--json")
    assert all(set(r) == RECORD_KEYS for r in records)
    return records


def customer_count(cli, db: Path) -> int:
    return len(customers(cli, db))


def log(cli, db: Path, *args: str) -> dict:
    record = ok_json(cli, db, "calls", "log", *args, "--json")
    assert set(record) == RECORD_KEYS | {"new_customer"}
    return record


# --- log ----------------------------------------------------------------------------------


def test_a_known_number_finds_the_customer(cli, shop_path, ana):
    out = ok(cli, shop_path, "calls", "log", "--reason", "question", "--phone", "11 98765 4321",
             "--notes", "Tem pão sem glúten?", "--follow-up", SOON, "--staff", "Rita")
    assert out.splitlines() == [
        "Logged call #1: Question from Ana Conceição (customer #1), (11) 98765-4321.",
        f"Follow up on {SOON}.",
    ]
    [record] = calls(cli, shop_path)
    assert record == {
        "id": 1, "called_at": record["called_at"], "customer_id": 1, "customer_name": "Ana Conceição",
        "phone": "+5511987654321", "phone_display": "(11) 98765-4321", "reason": "Question",
        "notes": "Tem pão sem glúten?", "follow_up_on": SOON, "follow_up_done_at": None, "staff": "Rita",
    }


def test_a_new_caller_with_a_name_becomes_a_customer(cli, shop_path, ana):
    record = log(cli, shop_path, "--reason", "Order", "--phone", "+30 691 234 5678", "--name", "Νίκος Ιωάννου",
                 "--heard-from", "social MEDIA")
    assert (record["customer_id"], record["customer_name"], record["new_customer"]) == (2, "Νίκος Ιωάννου", True)
    assert (record["phone"], record["phone_display"]) == ("+306912345678", "+30 691 234 5678")
    shown = ok_json(cli, shop_path, "customers", "show", "2", "--json")
    assert (shown["first_name"], shown["last_name"], shown["heard_from"]) == ("Νίκος", "Ιωάννου", "Social media")


def test_a_second_call_from_a_new_caller_is_theirs(cli, shop_path):
    first = log(cli, shop_path, "--reason", "Order", "--phone", "(21) 99876-1234", "--name", "Zé Ninguém")
    second = log(cli, shop_path, "--reason", "Complaint", "--phone", "21998761234", "--name", "Zé Ninguém")
    assert first["new_customer"] is True and second["new_customer"] is False
    assert second["customer_id"] == first["customer_id"]
    assert customer_count(cli, shop_path) == 1


def test_a_caller_without_a_name_or_number(cli, shop_path):
    out = ok(cli, shop_path, "calls", "log", "--reason", "Other")
    assert out.strip() == "Logged call #1: Other from a caller who left no name."
    assert customer_count(cli, shop_path) == 0


def test_customer_option_wins_over_the_number(cli, shop_path, ana):
    ok(cli, shop_path, "customers", "add", "--first-name", "Bruno", "--phone", "(21) 99876-1234")
    record = log(cli, shop_path, "--reason", "Order", "--customer", ana["uuid"], "--phone", "(21) 99876-1234")
    assert (record["customer_id"], record["phone"], record["new_customer"]) == (1, "+5521998761234", False)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--reason", "Gossip"], "--reason: Choose a reason: Question, Complaint, Order, Other."),
        (["--reason", " "], "--reason: Choose a reason: "),
        (["--reason", "Order", "--follow-up", "2026-02-30"], "--follow-up: Write the date as YYYY-MM-DD"),
        (["--reason", "Order", "--follow-up", (TODAY - timedelta(days=1)).isoformat()],
         "--follow-up: The follow-up date has passed"),
        (["--reason", "Order", "--phone", "12"], "--phone: "),
        (["--reason", "Order", "--name", "Zé"], "--phone: Enter the caller's number to add them as a customer."),
        (["--reason", "Order", "--customer", "77"], "No customer 77."),
        (["--reason", "Order", "--notes", "cartão 4111 1111 1111 1111"], "--notes: Looks like a payment card"),
    ],
)
def test_log_refuses_bad_input(cli, shop_path, ana, args, says):
    assert says in refused(cli, shop_path, "calls", "log", *args)
    assert calls(cli, shop_path) == []
    assert customer_count(cli, shop_path) == 1


# --- list and done ------------------------------------------------------------------------


def test_lists_and_follow_ups(cli, shop_path, ana):
    log(cli, shop_path, "--reason", "Question", "--customer", "1", "--follow-up", SOON)
    log(cli, shop_path, "--reason", "Order", "--phone", "+30 691 234 5678", "--name", "Παναγιώτα Χατζηγεωργίου",
        "--follow-up", TODAY.isoformat())
    log(cli, shop_path, "--reason", "Complaint", "--customer", "1")

    assert [c["id"] for c in calls(cli, shop_path)] == [3, 2, 1]  # newest first
    assert [c["id"] for c in calls(cli, shop_path, "--limit", "1")] == [3]
    assert [c["id"] for c in calls(cli, shop_path, "--customer", "1")] == [3, 1]
    assert [c["id"] for c in calls(cli, shop_path, "--follow-ups")] == [2, 1]  # earliest date first
    assert [c["id"] for c in calls(cli, shop_path, "--follow-ups", "--customer", "1")] == [1]

    lines = ok(cli, shop_path, "calls", "list").splitlines()
    assert lines[0].split() == ["#", "Called", "Reason", "Caller", "Phone", "Follow", "up"]
    assert lines[2].split()[3:] == ["Order", "Παναγιώτα", "Χατζηγεωργί…", "+30", "691", "234", "5678",
                                    TODAY.isoformat()]  # a long name is cut to fit
    assert all(len(line) <= 100 for line in lines)

    out = ok(cli, shop_path, "calls", "done", "2")
    assert out.strip() == "Follow-up of call #2 done."
    assert [c["id"] for c in calls(cli, shop_path, "--follow-ups")] == [1]
    done = ok_json(cli, shop_path, "calls", "done", "2", "--json")  # again: nothing changes
    assert done["follow_up_done_at"] is not None
    assert "was already done" in ok(cli, shop_path, "calls", "done", "2")
    assert [c["follow_up_done_at"] for c in calls(cli, shop_path) if c["id"] == 2] == [done["follow_up_done_at"]]
    assert "done " + TODAY.isoformat()[:4] in ok(cli, shop_path, "calls", "list").splitlines()[2]


def test_done_refusals(cli, shop_path, ana):
    log(cli, shop_path, "--reason", "Question", "--customer", "1")
    assert "follow-up: This call has no follow-up to complete." in refused(cli, shop_path, "calls", "done", "1")
    assert "No call 9." in refused(cli, shop_path, "calls", "done", "9")
    assert calls(cli, shop_path)[0]["follow_up_done_at"] is None


def test_empty_lists_and_a_bad_limit(cli, shop_path):
    for more, says in (([], "No calls logged."), (["--follow-ups"], "No follow-ups to do.")):
        status, out, err = cli(shop_path, "calls", "list", *more)
        assert (status, out) == (0, "") and says in err
    assert "--limit must be at least 1." in refused(cli, shop_path, "calls", "list", "--limit", "0")
