"""regulars-selftest: the bundled window opens a shop, shows a usable lookup box and finds a customer.

    regulars-selftest SHOP QUERY EXPECTED_NAME      (passphrase in REGULARS_PASSPHRASE)

It starts the app the way `regulars` does (the same QApplication set-up, the real main window on
the unlocked shop, offscreen when QT_QPA_PLATFORM=offscreen), types QUERY into the lookup box and
checks that EXPECTED_NAME is among the results. It prints one JSON line: the wall-clock time at
which the lookup box was usable (``ready_at``, seconds since the epoch, so the caller can measure
from the moment it started the process, the same point the benchmark suite's GUI figure ends at),
what the search found, and the Qt platform. Exit 0 when the customer was found, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(shop: str, query: str, expected: str) -> int:
    from desktop.context import ShopContext
    from desktop.db.engine import open_shop_file
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow

    app = make_application()
    database = open_shop_file(shop, os.environ["REGULARS_PASSPHRASE"])
    window = MainWindow(ShopContext.load(database))
    window.show()
    window.lookup.table.viewport().repaint()
    app.processEvents()
    ready_at = time.time()

    window.lookup.search.setText(query)
    window.lookup.set_query(query)
    app.processEvents()
    model = window.lookup.model
    found = [model.match_at(row).full_name for row in range(min(model.rowCount(), 20))]
    window.close()
    database.close()
    print(json.dumps({"ready_at": ready_at, "found": found, "platform": app.platformName(),
                      "icon": not app.windowIcon().isNull()}, ensure_ascii=False))
    return 0 if any(expected in name for name in found) else 1


if __name__ == "__main__":
    if len(sys.argv) != 4 or "REGULARS_PASSPHRASE" not in os.environ:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(*sys.argv[1:]))
