"""One real app session in its own process, offscreen: how the till feels.

Run as ``python -m benchmarks.gui_session SHOP PASSPHRASE QUERIES_JSON``. It prints one
JSON line: seconds from process start to a usable lookup box (imports, Qt, unlock, the
first list painted), every keystroke's time from key press to the results repainted,
and the process's own peak resident memory after typing and scrolling through the book.
"""

from __future__ import annotations

import json
import os
import sys
import time

STARTED = time.perf_counter()
from benchmarks.memory import peak_rss_mb  # noqa: E402  (after the clock starts: part of the cold start)

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


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])), flush=True)
