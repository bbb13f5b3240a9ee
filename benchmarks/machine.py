"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def describe_machine() -> dict[str, str | int]:
    conn = sqlcipher.connect(":memory:")
    try:
        cipher_version = conn.execute("PRAGMA cipher_version").fetchone()[0]
        cipher_sqlite = conn.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        conn.close()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpus": usable or 0,
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlcipher": cipher_version,
        "sqlcipher_sqlite": cipher_sqlite,
        "sqlcipher3": _version("sqlcipher3"),
        "sqlalchemy": _version("SQLAlchemy"),
        "phonenumbers": _version("phonenumbers"),
    }
