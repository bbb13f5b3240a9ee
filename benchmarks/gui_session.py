"""One real app session in its own process, offscreen: how the till feels.

Run as ``python -m benchmarks.gui_session SHOP PASSPHRASE QUERIES_JSON``. It prints one
JSON line: seconds from process start to a usable lookup box (imports, Qt, unlock, the
first list painted), every keystroke's time from key press to the results repainted,
and the process's own peak resident memory after typing and scrolling through the book.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

STARTED = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCROLL_PAGES = 40  # pages of the "recent customers" list pulled in by scrolling


def main(shop: str, passphrase: str, queries_path: str) -> dict:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.context import ShopContext
    from desktop.db.engine import open_shop_file
    from desktop.ui.app import make_application
    from desktop.ui.main_window import MainWindow

    app = make_application()
    database = open_shop_file(shop, passphrase)
    window = MainWindow(ShopContext.load(database))
    window.show()
    search, table = window.lookup.search, window.lookup.table
    table.viewport().repaint()
    app.processEvents()
    ready = time.perf_counter() - STARTED

    with open(queries_path, encoding="utf-8") as handle:
        queries: list[str] = json.load(handle)
    keystrokes: list[float] = []
    for text in queries:
        search.clear()
        app.processEvents()
        for char in text:
            started = time.perf_counter()
            if char.isascii():
                QTest.keyClick(search, char)
            else:  # QTest types ASCII only; insert() fires the same textChanged path
                search.insert(char)
            table.viewport().repaint()
            keystrokes.append(time.perf_counter() - started)
        QTest.keyClick(search, Qt.Key.Key_Down)

    search.clear()
    app.processEvents()
    for _ in range(SCROLL_PAGES):
        if window.lookup.model.canFetchMore():
            window.lookup.model.fetchMore()
        table.scrollToBottom()
        table.viewport().repaint()
    rows_loaded = window.lookup.model.rowCount()
    peak_mb = peak_rss_mb()
    window.close()
    database.close()
    return {
        "cold_start_s": ready,
        "keystrokes_s": keystrokes,
        "rows_loaded_after_scrolling": rows_loaded,
        "peak_rss_mb": peak_mb,
    }


def peak_rss_mb() -> float:
    """This process's own peak resident memory, in MB.

    Not ru_maxrss where /proc tells better: Linux carries ru_maxrss over exec from the
    process that started this one, so under the benchmark suite it is at least the suite's
    own peak so far (a sync import of the 100,000-customer shop made the million-customer
    figure 572 MB where the window itself peaked at 218). VmHWM is this program's alone.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])), flush=True)
