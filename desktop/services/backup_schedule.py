"""The daily backup on a till that is not always open: an entry in the system's own scheduler.

Turned on, the system runs ``regulars --db SHOP backup --scheduled`` every hour (and at start-up
when an hour was missed); the command backs up into the backup folder only when the last backup is
24 hours old, so a till switched on for an hour a day still gets its daily backup.

- Linux: a systemd user timer and service in ~/.config/systemd/user, enabled with
  ``systemctl --user`` when systemctl is there (otherwise the files wait for it).
- macOS: a launchd agent in ~/Library/LaunchAgents, loaded with ``launchctl``.
- Windows: a Task Scheduler task made with ``schtasks /Create``.

Nobody is at the till to type the passphrase when the task runs, so turning the schedule on keeps
the passphrase in the operating system's credential store, through the ``keyring`` library: the
Windows Credential Manager (DPAPI), the macOS Keychain, the Secret Service (GNOME Keyring, KWallet)
on Linux. It is never written to a plain file: a copied disk or home folder must not open the
encrypted shop. Where no protected store is available (keyring's fail and null backends, or the
plaintext files of keyrings.alt) turning the schedule on is refused and nothing is written; the
owner keeps Regulars open for its daily backup, or runs ``regulars backup --scheduled`` from a task
that supplies REGULARS_PASSPHRASE itself. Turning the schedule off deletes the kept credential.

An earlier build kept the passphrase in a plain file (``<data>/scheduled-backups/<entry>.passphrase``):
turning the schedule off or on deletes it, and the scheduled run no longer reads it. After a
passphrase change, turn the schedule off and on again.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from desktop.db.engine import ShopDatabase
from desktop.db.unlock import unlock
from desktop.errors import InvalidInput, Problem, translatable
from desktop.paths import user_data_dir
from desktop.services.backups import backup_settings
from desktop.services.permissions import Permission, require_actor

LINUX, MACOS, WINDOWS = "linux", "darwin", "win32"
TOOL_SECONDS = 30


@dataclass(frozen=True)
class SchedulerEntry:
    """What turning the schedule on writes and runs on one platform."""

    name: str  # the unit, agent or task name, one per shop file
    command: list[str]  # what the scheduler runs
    files: dict[Path, str] = field(default_factory=dict)  # written before `enable` runs
    enable: list[list[str]] = field(default_factory=list)
    disable: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleResult:
    entry: SchedulerEntry
    registered: bool  # False: the scheduler's tool is missing or refused; `manual` says what to run
    manual: str = ""


def entry_name(shop: Path) -> str:
    """One name per shop file (several shops on one PC get one entry each); ``shop`` is its full path."""
    digest = hashlib.sha256(str(shop).encode("utf-8")).hexdigest()[:10]
    return f"regulars-backup-{digest}"


# The credential store's entry: one service name for Regulars, one user name (the entry name) per shop file.
CREDENTIAL_SERVICE = "Regulars scheduled backup"
NO_CREDENTIAL_STORE = translatable(
    "This computer has no protected credential store; keep Regulars open for its daily backup, or run "
    "`regulars backup --scheduled` from a task that supplies REGULARS_PASSPHRASE itself."
)
# Backends that keep nothing (keyring's fail and null) or keep it in a file anyone with the disk reads.
UNPROTECTED_BACKENDS = {
    "keyring.backends.fail.Keyring",
    "keyring.backends.null.Keyring",
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.file.EncryptedKeyring",  # asks for its own password on a terminal: no use unattended
    "keyrings.alt.pyfs.PlaintextKeyring",
    "keyrings.alt.pyfs.EncryptedKeyring",
}


def _keyring():
    """The keyring library, imported only when the schedule is looked at: every command would pay its import."""
    import keyring
    import keyring.errors

    return keyring


def legacy_passphrase_path(shop: Path) -> Path:
    """Where an earlier build kept the passphrase in a plain file; only ever deleted now."""
    return user_data_dir() / "scheduled-backups" / f"{entry_name(Path(shop).resolve())}.passphrase"


def _credential_name(shop: Path) -> str:
    return entry_name(Path(shop).resolve())


def _backend_name(backend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def protected_store():
    """The keyring backend that would keep the passphrase, or None when none protects it.

    keyring's chainer writes to its first backend, so that one is the one judged.
    """
    backend = _keyring().get_keyring()
    chained = getattr(backend, "backends", None)
    if chained is not None and _backend_name(backend) == "keyring.backends.chainer.ChainerBackend":
        backend = chained[0] if chained else None
    if backend is None or _backend_name(backend) in UNPROTECTED_BACKENDS or backend.priority <= 0:
        return None
    return backend


def stored_passphrase(shop: Path) -> str | None:
    """The passphrase kept for the scheduled backup of this shop, or None when none is kept (or no store answers)."""
    keyring = _keyring()
    try:
        return keyring.get_password(CREDENTIAL_SERVICE, _credential_name(shop))
    except keyring.errors.KeyringError:
        return None


def left_in_a_plain_file(shop: Path) -> bool:
    """An earlier build's plain passphrase file is still there: the schedule must be turned off and on again."""
    return legacy_passphrase_path(shop).is_file()


def is_on(shop: Path) -> bool:
    return stored_passphrase(shop) is not None or left_in_a_plain_file(shop)


def _keep_passphrase(shop: Path, passphrase: str) -> None:
    keyring = _keyring()
    try:
        keyring.set_password(CREDENTIAL_SERVICE, _credential_name(shop), passphrase)
    except keyring.errors.KeyringError:
        raise InvalidInput({"schedule": Problem(translatable(
            "The system's credential store did not keep the passphrase (is it locked?); nothing was scheduled."
        ))}) from None


def _forget_passphrase(shop: Path) -> None:
    keyring = _keyring()
    try:
        keyring.delete_password(CREDENTIAL_SERVICE, _credential_name(shop))
    except keyring.errors.KeyringError:  # PasswordDeleteError is one
        pass  # nothing kept, or no store: nothing to delete
    legacy_passphrase_path(shop).unlink(missing_ok=True)


def regulars_command() -> list[str]:
    """How the scheduler starts this Regulars: the bundled program itself, or this Python with the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "desktop"]


def backup_command(shop: Path, regulars: list[str]) -> list[str]:
    return [*regulars, "--db", str(shop), "backup", "--scheduled"]


def scheduler_entry(shop: Path, platform: str = sys.platform, regulars: list[str] | None = None) -> SchedulerEntry:
    """The entry for the shop file at ``shop`` (a full path, as the platform writes it)."""
    name, command = entry_name(shop), backup_command(shop, regulars or regulars_command())
    if platform == WINDOWS:
        return windows_entry(name, command)
    if platform == MACOS:
        return macos_entry(name, command)
    return linux_entry(name, command, shop)


def systemd_quote(argument: str) -> str:
    """One ExecStart argument: double-quoted, with systemd's specifiers (%) and escapes doubled."""
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def linux_entry(name: str, command: list[str], shop: Path) -> SchedulerEntry:
    folder = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"
    description = f"Regulars: daily backup of {shop}".replace("%", "%%")
    service = (
        "[Unit]\n"
        f"Description={description}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={' '.join(systemd_quote(argument) for argument in command)}\n"
    )
    timer = (
        "[Unit]\n"
        f"Description={description}\n\n"
        "[Timer]\n"
        "OnCalendar=hourly\n"
        "Persistent=true\n"
        "RandomizedDelaySec=5min\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    systemctl = ["systemctl", "--user"]
    return SchedulerEntry(
        name=name,
        command=command,
        files={folder / f"{name}.service": service, folder / f"{name}.timer": timer},
        enable=[[*systemctl, "daemon-reload"], [*systemctl, "enable", "--now", f"{name}.timer"]],
        disable=[[*systemctl, "disable", "--now", f"{name}.timer"]],
    )


def macos_entry(name: str, command: list[str]) -> SchedulerEntry:
    label = f"org.regulars.{name}"
    plist = Path.home() / "Library" / "LaunchAgents" / f"{label}.plist"
    content = plistlib.dumps(
        {"Label": label, "ProgramArguments": command, "StartInterval": 3600, "RunAtLoad": True,
         "ProcessType": "Background"}
    ).decode("utf-8")
    return SchedulerEntry(
        name=label,
        command=command,
        files={plist: content},
        enable=[["launchctl", "load", "-w", str(plist)]],
        disable=[["launchctl", "unload", "-w", str(plist)]],
    )


def windows_entry(name: str, command: list[str]) -> SchedulerEntry:
    task = f"Regulars\\{name}"
    return SchedulerEntry(
        name=task,
        command=command,
        enable=[["schtasks", "/Create", "/F", "/SC", "HOURLY", "/TN", task, "/TR", subprocess.list2cmdline(command)]],
        disable=[["schtasks", "/Delete", "/F", "/TN", task]],
    )


def _run_all(commands: list[list[str]]) -> bool:
    """Runs the scheduler's tool; False when it is not installed or refuses (nothing raised)."""
    for command in commands:
        if shutil.which(command[0]) is None:
            return False
        try:
            result = subprocess.run(command, capture_output=True, timeout=TOOL_SECONDS)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if result.returncode != 0:
            return False
    return True


def turn_on(database: ShopDatabase, passphrase: str, platform: str = sys.platform) -> ScheduleResult:
    """Keeps the passphrase for the task, writes the scheduler's entry and registers it.

    Only who may back up may do this; WrongPassphrase if the passphrase does not open this shop,
    InvalidInput ("schedule") when no backup folder is set (the task would have nowhere to write) or
    when this computer has no protected credential store to keep the passphrase in.
    """
    require_actor(database.acting, Permission.BACKUP)
    with database.reading() as session:
        folder = backup_settings(session).folder
    if not folder:
        raise InvalidInput({"schedule": Problem(translatable(
            "Choose the backup folder first: the scheduled backup writes there."))})
    if protected_store() is None:
        raise InvalidInput({"schedule": Problem(NO_CREDENTIAL_STORE)})
    unlock(database.path, passphrase)  # the scheduled task must be able to open the shop with it
    shop = Path(database.path).resolve()
    entry = scheduler_entry(shop, platform)
    _keep_passphrase(shop, passphrase)
    legacy_passphrase_path(shop).unlink(missing_ok=True)
    for path, content in entry.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    registered = _run_all(entry.enable)
    manual = "" if registered else "\n".join(subprocess.list2cmdline(command) for command in entry.enable)
    return ScheduleResult(entry=entry, registered=registered, manual=manual)


def turn_off(database: ShopDatabase, platform: str = sys.platform) -> ScheduleResult:
    """Unregisters the entry, deletes its files and the kept passphrase (whatever of them exists)."""
    require_actor(database.acting, Permission.BACKUP)
    shop = Path(database.path).resolve()
    entry = scheduler_entry(shop, platform)
    registered_before = any(path.exists() for path in entry.files) or platform == WINDOWS
    unregistered = _run_all(entry.disable) if registered_before else True
    for path in entry.files:
        path.unlink(missing_ok=True)
    if platform == LINUX:
        _run_all(entry.enable[:1])  # daemon-reload: systemd forgets the removed units
    _forget_passphrase(shop)
    manual = "" if unregistered else "\n".join(subprocess.list2cmdline(command) for command in entry.disable)
    return ScheduleResult(entry=entry, registered=False, manual=manual)
