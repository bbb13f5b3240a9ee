"""Loyalty cards: 1,000 of the shop's customers printed on A4 sheets, a PDF written to disk; and the
same as a user types it, `regulars print cards --all` for 1,000 customers without cards yet (process
start, unlock, issuing the cards and the PDF).

The faces are built from real rows of the synthetic shop (names in Portuguese, Greek and
Dutch); the card codes are made up here, deterministic and shaped like real ones ("R", 7
Crockford base 32 characters, a check character), since issuing real ones would write to
the shop. The details say what the two barcodes cost per card.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from benchmarks.latency import median
from benchmarks.registry import BenchContext, Figure, measurement
from desktop.cli import PASSPHRASE_ENV
from desktop.db.engine import open_shop_file
from desktop.db.key_file import key_file_path
from desktop.models import Customer
from desktop.printing import code128, qr
from desktop.printing.loyalty_cards import CardFace, render_cards
from desktop.services import loyalty
from desktop.services.customers import CustomerDetails, add_customer
from desktop.services.shop import ShopSettings, create_shop, shop_settings

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


PRINT_COMMAND = Figure("print_cards_command_s", "print cards --all, 1,000 new (command)", "s", target=3.0)
COMMAND_PASSPHRASE = "benchmark passphrase, fake data only"


def cardless_shop(ctx: BenchContext, path: Path) -> None:
    """A new shop with a coffee card and CARDS of the synthetic shop's customers, none of them with a card yet."""
    names = [face.customer_name for face in card_faces(ctx, CARDS)]
    database = create_shop(path, COMMAND_PASSPHRASE, ShopSettings(name="Benchmark Bakery", region=ctx.shop.region))
    try:
        with database.writing() as session:
            loyalty.add_program(session, loyalty.ProgramSettings(
                name="Coffee card", kind="stamps", reward_at=STAMPS, reward_description="a free coffee"))
            for number, name in enumerate(names):
                first, _, last = name.partition(" ")
                add_customer(session, CustomerDetails(first_name=first or "Ana", last_name=last,
                                                      email=f"customer{number}@example.com"), ctx.shop.region)
    finally:
        database.close()


def run_print_command(template: Path, folder: Path, run: int) -> float:
    """`regulars print cards --all` on a fresh copy of the template, timed as a user runs it: process start included."""
    shop = folder / f"run-{run}.regulars"
    shutil.copyfile(template, shop)
    shutil.copyfile(key_file_path(template), key_file_path(shop))
    environment = {**os.environ, PASSPHRASE_ENV: COMMAND_PASSPHRASE}
    command = [sys.executable, "-m", "desktop", "--db", str(shop), "print", "cards", "--all",
               "--out", str(folder / f"cards-{run}.pdf")]
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True, capture_output=True, stdin=subprocess.DEVNULL,
                   cwd=Path(__file__).parents[2])  # the checkout: its desktop package, as benchmarks/ itself uses
    return time.perf_counter() - started


@measurement("print_cards_command", PRINT_COMMAND)
def measure_print_command(ctx: BenchContext) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="regulars-cards-bench-") as folder:
        folder = Path(folder)
        template = folder / "template.regulars"
        cardless_shop(ctx, template)
        runs = [run_print_command(template, folder, run) for run in range(RUNS)]
    ctx.details["print_cards_command"] = {"runs_s": [round(s, 3) for s in runs], "cards": CARDS}
    return {PRINT_COMMAND.key: median(runs)}
