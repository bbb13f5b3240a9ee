"""Child process for test_durability: adds customers until killed, acknowledging each commit.

Usage: python durability_child.py SHOP_FILE TAG (passphrase in REGULARS_PASSPHRASE).
Prints "ready" once the file is open, then "<id> <email>" after each commit returns.
"""

from __future__ import annotations

import itertools
import os
import sys

from desktop.db.engine import open_shop_file
from desktop.services.customers import CustomerDetails, add_customer


def main(path: str, tag: str) -> None:
    database = open_shop_file(path, os.environ["REGULARS_PASSPHRASE"])
    print("ready", flush=True)
    for n in itertools.count():
        email = f"durable.{tag}.{n}@example.com"
        details = CustomerDetails(first_name=f"Durable {tag}", last_name=str(n), email=email)
        with database.writing() as session:
            customer_id = add_customer(session, details, "BR").id
        # Only now, after the commit has returned, is the customer acknowledged.
        print(customer_id, email, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
