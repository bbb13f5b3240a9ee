"""One app window per shop file: a second instance gets a clear message, not a race."""

from __future__ import annotations

import os
from pathlib import Path

from desktop.errors import ShopFileInUse, translatable

if os.name == "nt":  # pragma: no cover - exercised on Windows tills
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


class InstanceLock:
    """Held for as long as the app has the shop file open. Holds no personal data."""

    def __init__(self, shop_path: Path) -> None:
        self.path = Path(str(shop_path) + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            raise ShopFileInUse(
                translatable("Regulars is already open on this shop file ({path}). Use that window, or close it first."),
                path=str(self.path)[: -len(".lock")],
            )
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
