"""Builds the one-folder Regulars bundle for the platform it runs on, and with --smoke-test checks it.

    python3 installer/build.py                 # dist/Regulars (Windows, Linux) or dist/Regulars.app (macOS)
    python3 installer/build.py --smoke-test    # build, then run the bundle offscreen (see smoke_test)
    python3 installer/build.py --smoke-test --no-build --cold-start-shop SHOP --query Q --expect NAME

The build runs in its own virtual environment (build/installer-venv), made from this Python and
holding only Regulars, its dependencies and PyInstaller (the `package` extra), so nothing from a
developer's environment slips into the bundle. PyInstaller reads installer/regulars.spec.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop import __version__  # noqa: E402
from installer.smoke import FIRST_NAME, LAST_NAME, PASSPHRASE, check_cli, clean_environment  # noqa: E402

BUILD_ENV = ROOT / "build" / "installer-venv"
WORK = ROOT / "build" / "pyinstaller"
DIST = ROOT / "dist"
BUNDLE = DIST / "Regulars"
LINUX_FILES = (ROOT / "installer" / "linux" / "regulars.desktop", ROOT / "installer" / "linux" / "install.sh",
               ROOT / "desktop" / "resources" / "icons" / "regulars.png")
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
SIZE_TARGET_MB = 250


def build_python() -> Path:
    """The build environment's Python, with Regulars and PyInstaller installed (again, so the build is current)."""
    if not BUILD_ENV.exists():
        venv.EnvBuilder(with_pip=True).create(BUILD_ENV)
    python = BUILD_ENV / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    f"{ROOT}[package]"], check=True, env=clean_environment())
    return python


def build() -> Path:
    python = build_python()
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(WORK), str(ROOT / "installer" / "regulars.spec")],
                   check=True, cwd=WORK, env=clean_environment())  # not ROOT: Regulars comes from the build env
    if sys.platform.startswith("linux"):
        for path in LINUX_FILES:
            shutil.copy2(path, BUNDLE / path.name)
    if sys.platform == "win32" and shutil.which("iscc"):  # Inno Setup: dist/Regulars-VERSION-setup.exe
        subprocess.run(["iscc", f"/DAppVersion={__version__}", str(ROOT / "installer" / "windows" / "regulars.iss")],
                       check=True)
    return BUNDLE


def folder_megabytes(folder: Path) -> float:
    """Bytes on disk of every file in the folder (symbolic links counted once, as links)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total / 1_000_000


def program(bundle: Path, name: str) -> str:
    return str(bundle / f"{name}{EXE_SUFFIX}")


def source_selftest() -> list[str]:
    """The same self-test run from this source tree with this Python: the figure to compare the bundle with."""
    return [sys.executable, str(ROOT / "installer" / "selftest.py")]


def open_window(selftest: list[str], shop: Path, passphrase: str, query: str, expected: str) -> dict:
    """Runs the self-test offscreen; its report plus the cold start measured from before the process began."""
    environment = clean_environment(REGULARS_PASSPHRASE=passphrase, QT_QPA_PLATFORM="offscreen")
    if selftest == source_selftest():
        environment["PYTHONPATH"] = str(ROOT)
    started = time.time()
    result = subprocess.run([*selftest, str(shop), query, expected], env=environment,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"regulars-selftest failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["cold_start_s"] = round(report.pop("ready_at") - started, 3)
    return report


def smoke_test(bundle: Path) -> dict:
    """The bundled command line creates a shop, finds and prints (installer/smoke.py); the window opens on it."""
    with tempfile.TemporaryDirectory(prefix="regulars-smoke-") as folder:
        workdir = Path(folder)
        check_cli([program(bundle, "regulars-cli")], workdir, __version__)
        shown = subprocess.run([program(bundle, "regulars"), "--version"], capture_output=True, text=True,
                               env=clean_environment(), check=True).stdout.strip()
        if shown != f"Regulars {__version__}":
            raise SystemExit(f"regulars --version printed {shown!r}")
        window = open_window([program(bundle, "regulars-selftest")], workdir / "shop.regulars", PASSPHRASE, "5678",
                             LAST_NAME)
    if not window["icon"]:
        raise SystemExit("the bundled app has no window icon")
    return {"window": window, "customer": f"{FIRST_NAME} {LAST_NAME}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke-test", action="store_true", help="run the built bundle offscreen and check it")
    parser.add_argument("--no-build", action="store_true", help="check the bundle already in dist/")
    parser.add_argument("--cold-start-shop", type=Path, help="also time the window's start on this shop")
    parser.add_argument("--passphrase", default=os.environ.get("REGULARS_PASSPHRASE", ""),
                        help="that shop's passphrase (default: REGULARS_PASSPHRASE)")
    parser.add_argument("--query", default="", help="what to type into its lookup box")
    parser.add_argument("--expect", default="", help="a name the lookup must find")
    parser.add_argument("--compare-source", action="store_true",
                        help="time the same window started from this source tree too")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    bundle = BUNDLE if args.no_build else build()
    summary = {"bundle": str(bundle), "size_mb": round(folder_megabytes(bundle), 1), "size_target_mb": SIZE_TARGET_MB,
               "build_s": round(time.perf_counter() - started, 1)}
    if args.smoke_test:
        summary["smoke_test"] = smoke_test(bundle)
    if args.cold_start_shop:
        shop = (args.cold_start_shop, args.passphrase, args.query, args.expect)
        summary["cold_start"] = open_window([program(bundle, "regulars-selftest")], *shop)
        if args.compare_source:
            summary["cold_start_from_source"] = open_window(source_selftest(), *shop)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if summary["size_mb"] <= SIZE_TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
