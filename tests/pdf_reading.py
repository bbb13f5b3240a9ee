"""Reading printed PDFs back the way a person or a scanner would, with tools that share no code with ours.

poppler's command-line tools (pdftotext, pdftoppm, pdfinfo, pdfimages, pdffonts; ./dev test
installs poppler-utils) and zxing-cpp, which decodes barcodes from the 300 dpi raster. Also
the texts marked for the translators, to check that whatever is translated can be found.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

DPI = 300
POPPLER_TOOLS = ("pdftoppm", "pdftotext", "pdfinfo", "pdfimages", "pdffonts")
A4_POINTS = (595.28, 841.89)
LETTER_POINTS = (612.0, 792.0)


def require_poppler() -> None:
    missing = [tool for tool in POPPLER_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: run ./dev test, which installs poppler-utils on Debian/Ubuntu "
            "(elsewhere, install poppler's command-line tools)"
        )


def run(*command: str, stdin: bytes | None = None) -> str:
    result = subprocess.run(command, check=True, capture_output=True, input=stdin)
    return result.stdout.decode("utf-8")


def _source(pdf: Path | bytes) -> tuple[str, bytes | None]:
    """A file to read, or "-" and the PDF's bytes for the tool's standard input."""
    return ("-", pdf) if isinstance(pdf, bytes) else (str(pdf), None)


def pdf_text(pdf: Path | bytes) -> str:
    """The text as pdftotext -layout sees it: columns side by side, as on paper."""
    source, data = _source(pdf)
    return run("pdftotext", "-layout", "-enc", "UTF-8", source, "-", stdin=data)


def flat_text(pdf: Path | bytes) -> str:
    """The text with every run of whitespace as one space, so wrapped sentences read whole."""
    source, data = _source(pdf)
    return " ".join(run("pdftotext", "-enc", "UTF-8", source, "-", stdin=data).split())


def pdf_info(pdf: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in run("pdfinfo", str(pdf)).splitlines() if ":" in line)


def page_count(pdf: Path) -> int:
    return int(pdf_info(pdf)["Pages"])


def page_size_points(pdf: Path) -> tuple[float, float]:
    match = re.match(r"\s*([\d.]+) x ([\d.]+) pts", pdf_info(pdf)["Page size"])
    assert match, pdf_info(pdf)["Page size"]
    return float(match.group(1)), float(match.group(2))


def page_images(pdf: Path, dpi: int = DPI) -> list[Image.Image]:
    prefix = pdf.with_suffix("")
    run("pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix))
    pages = sorted(pdf.parent.glob(f"{prefix.name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [Image.open(page).convert("L") for page in pages]


def code128_texts(pdf: Path) -> list[str]:
    """What every Code 128 symbol on every page decodes to, from the 300 dpi raster."""
    return [
        barcode.text
        for image in page_images(pdf)
        for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    ]


def fonts(pdf: Path) -> list[tuple[str, str]]:
    """(font name without its subset prefix, "yes"/"no" embedded) for every font pdffonts lists."""
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    return [(row.split()[0].split("+")[-1], row.split()[-5]) for row in rows]


def images(pdf: Path) -> list[str]:
    """The type column of pdfimages -list: "image" for a picture, "smask" for its transparency."""
    return [row.split()[2] for row in run("pdfimages", "-list", str(pdf)).splitlines()[2:]]


def word_heights(pdf: Path) -> dict[str, float]:
    """Each word's box height in points, which pdftotext reports as the type size; the smallest per word."""
    heights: dict[str, float] = {}
    for y_min, y_max, word in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<',
                                         run("pdftotext", "-bbox", str(pdf), "-")):
        heights[word] = min(heights.get(word, 1e9), float(y_max) - float(y_min))
    return heights


def marked_texts() -> set[str]:
    """The string literals wrapped in translatable() in desktop/printing."""
    folder = Path(__file__).resolve().parents[1] / "desktop" / "printing"
    found = set()
    for source in folder.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "translatable":
                found.add(ast.literal_eval(node.args[0]))
    return found


def dark_share(pdf: Path, page: int, tmp_path: Path) -> float:
    """The share of a page's pixels (at 50 dpi, in grey) darker than mid-grey: 0 for a blank page."""
    prefix = tmp_path / f"page-{page}"
    run("pdftoppm", "-r", "50", "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix))
    with Image.open(prefix.with_suffix(".png")) as image:
        histogram = image.convert("L").histogram()
    return sum(histogram[:128]) / sum(histogram)
