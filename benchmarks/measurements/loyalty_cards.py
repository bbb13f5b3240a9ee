"""Loyalty cards: 1,000 of the shop's customers printed on A4 sheets, a PDF written to disk.

The faces are built from real rows of the synthetic shop (names in Portuguese, Greek and
Dutch); the card codes are made up here, deterministic and shaped like real ones ("R", 7
Crockford base 32 characters, a check character), since issuing real ones would write to
the shop. The details say what the two barcodes cost per card.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from benchmarks.latency import median
from benchmarks.registry import BenchContext, Figure, measurement
from desktop.db.engine import open_shop_file
from desktop.models import Customer
from desktop.printing import code128, qr
from desktop.printing.loyalty_cards import CardFace, render_cards
from desktop.services.shop import shop_settings

CARDS = 1_000
RUNS = 3
STAMPS = 10
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

LOYALTY_CARDS = Figure("loyalty_cards_pdf_s", "1,000 loyalty cards PDF (sheets)", "s", target=3.0)


def made_up_code(number: int) -> str:
    """Shaped like a real code: "R", 7 characters spread over the alphabet by a multiplicative hash, a check."""
    value = (number * 2_654_435_761) % 32**7
    body = "".join(CROCKFORD[(value >> (5 * position)) & 31] for position in range(7))
    return "R" + body + CROCKFORD[sum(CROCKFORD.index(char) for char in body) % 32]


def card_faces(ctx: BenchContext, count: int) -> list[CardFace]:
    database = open_shop_file(ctx.shop.path, ctx.shop.passphrase)
    try:
        with database.reading() as session:
            shop_name = shop_settings(session).name
            rows = session.execute(
                select(Customer.first_name, Customer.last_name).order_by(Customer.id).limit(count)
            ).all()
            names = [" ".join(part for part in (first, last) if part) for first, last in rows]  # as Customer.full_name
    finally:
        database.close()
    faces = []
    for index in range(count):  # a shop smaller than `count` prints its customers more than once
        code = made_up_code(index + 1)
        display = f"{code[:4]}-{code[4:8]}-{code[8]}"
        faces.append(CardFace(shop_name, names[index % len(names)], code, display, STAMPS, "Coffee card"))
    return faces


def render_once(faces: list[CardFace], out: Path) -> float:
    started = time.perf_counter()
    render_cards(faces, out, layout="sheet", paper_size="A4")
    return time.perf_counter() - started


def barcode_costs_ms(faces: list[CardFace]) -> dict[str, float]:
    """Milliseconds per card to encode each barcode into what is drawn (drawing itself not included)."""
    started = time.perf_counter()
    for face in faces:
        qr.dark_rects(qr.qr_matrix(face.code))
    qr_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for face in faces:
        code128.bars(face.code)
    code128_seconds = time.perf_counter() - started
    return {
        "qr_ms_per_card": 1000 * qr_seconds / len(faces),
        "code128_ms_per_card": 1000 * code128_seconds / len(faces),
    }


@measurement("loyalty_cards", LOYALTY_CARDS)
def measure_loyalty_cards(ctx: BenchContext) -> dict[str, float]:
    faces = card_faces(ctx, CARDS)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "cards.pdf"
        render_cards(faces[:10], out)  # fonts registered and modules warm, as in a running app
        runs = [render_once(faces, out) for _ in range(RUNS)]
        size = out.stat().st_size
    ctx.details["loyalty_cards"] = {
        "runs_s": runs,
        "cards": CARDS,
        "pdf_mb": round(size / 1e6, 2),
        **barcode_costs_ms(faces),
    }
    return {LOYALTY_CARDS.key: median(runs)}
