"""The scheduler entry that runs the daily backup while Regulars is closed, on each platform."""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest

from desktop.errors import InvalidInput, NotAllowed, WrongPassphrase
from desktop.models import Actor
from desktop.services import backup_schedule
from desktop.services.backups import BackupSettings, update_backup_settings
from tests.conftest import PASSPHRASE
from tests.schedule_helpers import scheduler_home


@pytest.fixture
def backup_folder(shop, tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    with shop.writing() as session:
        update_backup_settings(session, BackupSettings(folder=str(folder)))
    return folder


def test_linux_turn_on_writes_a_user_timer_and_service_and_enables_them(shop, backup_folder, tmp_path, monkeypatch,
                                                                        credential_store):
    place = scheduler_home(monkeypatch, tmp_path, systemctl=True)
    result = backup_schedule.turn_on(shop, PASSPHRASE, platform="linux")

    assert result.registered and result.manual == ""
    name = result.entry.name
    service = (place.units() / f"{name}.service").read_text(encoding="utf-8")
    timer = (place.units() / f"{name}.timer").read_text(encoding="utf-8")
    shop_file = str(Path(shop.path).resolve())
    assert "Type=oneshot" in service
    assert f'ExecStart="{sys.executable}" "-m" "desktop" "--db" "{shop_file}" "backup" "--scheduled"' in service
    assert PASSPHRASE not in service + timer
    for line in ("OnCalendar=hourly", "Persistent=true", "WantedBy=timers.target"):
        assert line in timer
    assert place.calls() == ["--user daemon-reload", f"--user enable --now {name}.timer"]
    assert credential_store.get_password(backup_schedule.CREDENTIAL_SERVICE, name) == PASSPHRASE
    assert backup_schedule.stored_passphrase(shop.path) == PASSPHRASE
    assert backup_schedule.is_on(shop.path)
    assert not any(PASSPHRASE.encode() in path.read_bytes() for path in place.home.rglob("*") if path.is_file())


def test_linux_turn_off_disables_and_deletes_the_units_and_the_kept_passphrase(shop, backup_folder, tmp_path,
                                                                              monkeypatch):
    place = scheduler_home(monkeypatch, tmp_path, systemctl=True)
    name = backup_schedule.turn_on(shop, PASSPHRASE, platform="linux").entry.name
    backup_schedule.turn_off(shop, platform="linux")

    assert list(place.units().iterdir()) == []
    assert backup_schedule.stored_passphrase(shop.path) is None
    assert not backup_schedule.is_on(shop.path)
    assert place.calls()[2:] == [f"--user disable --now {name}.timer", "--user daemon-reload"]


def test_without_systemctl_the_units_are_written_and_the_owner_told_what_to_run(shop, backup_folder, tmp_path,
                                                                               monkeypatch):
    place = scheduler_home(monkeypatch, tmp_path, systemctl=False)
    result = backup_schedule.turn_on(shop, PASSPHRASE, platform="linux")
    assert not result.registered
    assert f"systemctl --user enable --now {result.entry.name}.timer" in result.manual
    assert (place.units() / f"{result.entry.name}.timer").is_file()


def test_a_path_with_spaces_and_percent_signs_survives_systemd_quoting():
    entry = backup_schedule.scheduler_entry(Path("/home/ana/Loja 100% Café/shop.regulars"), "linux",
                                            regulars=["/opt/Regulars/regulars"])
    (service,) = [text for path, text in entry.files.items() if path.suffix == ".service"]
    assert 'ExecStart="/opt/Regulars/regulars" "--db" "/home/ana/Loja 100%% Café/shop.regulars"' in service


def test_a_wrong_passphrase_schedules_nothing(shop, backup_folder, tmp_path, monkeypatch):
    place = scheduler_home(monkeypatch, tmp_path, systemctl=True)
    with pytest.raises(WrongPassphrase):
        backup_schedule.turn_on(shop, "not the passphrase", platform="linux")
    assert not place.units().exists() and place.calls() == []
    assert not backup_schedule.is_on(shop.path)


def test_without_a_backup_folder_there_is_nothing_to_schedule(shop, tmp_path, monkeypatch):
    place = scheduler_home(monkeypatch, tmp_path, systemctl=True)
    with pytest.raises(InvalidInput) as problem:
        backup_schedule.turn_on(shop, PASSPHRASE, platform="linux")
    assert problem.value.field == "schedule"
    assert not place.units().exists() and not backup_schedule.is_on(shop.path)


def test_a_cashier_may_not_schedule_backups(shop, backup_folder, tmp_path, monkeypatch):
    scheduler_home(monkeypatch, tmp_path, systemctl=True)
    shop.acting = Actor(role="cashier", name="Caio", staff_uuid="x")
    with pytest.raises(NotAllowed):
        backup_schedule.turn_on(shop, PASSPHRASE, platform="linux")
    assert not backup_schedule.is_on(shop.path)


def test_macos_gets_a_launch_agent_that_runs_hourly_and_at_login(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    entry = backup_schedule.scheduler_entry(Path("/Users/ana/Regulars/shop.regulars"), "darwin",
                                            regulars=["/Applications/Regulars.app/Contents/MacOS/Regulars"])
    ((plist_path, content),) = entry.files.items()
    assert plist_path == tmp_path / "Library" / "LaunchAgents" / f"{entry.name}.plist"
    agent = plistlib.loads(content.encode("utf-8"))
    assert agent["Label"] == entry.name
    assert agent["ProgramArguments"] == ["/Applications/Regulars.app/Contents/MacOS/Regulars", "--db",
                                         "/Users/ana/Regulars/shop.regulars", "backup", "--scheduled"]
    assert agent["StartInterval"] == 3600 and agent["RunAtLoad"] is True
    assert entry.enable == [["launchctl", "load", "-w", str(plist_path)]]


def test_windows_gets_an_hourly_task_scheduler_command_line():
    shop = r"C:\Users\Ana\AppData\Roaming\Regulars\shop.regulars"
    entry = backup_schedule.scheduler_entry(Path(shop), "win32", regulars=[r"C:\Program Files\Regulars\regulars.exe"])
    assert entry.files == {}
    assert entry.enable == [[
        "schtasks", "/Create", "/F", "/SC", "HOURLY", "/TN", entry.name, "/TR",
        f'"C:\\Program Files\\Regulars\\regulars.exe" --db {Path(shop)} backup --scheduled',
    ]]
    assert entry.disable == [["schtasks", "/Delete", "/F", "/TN", entry.name]]


@pytest.mark.parametrize("unprotected", [keyring.backends.null.Keyring, keyring.backends.fail.Keyring])
def test_without_a_protected_credential_store_the_schedule_is_refused_and_nothing_written(
        shop, backup_folder, tmp_path, monkeypatch, unprotected):
    place = scheduler_home(monkeypatch, tmp_path, systemctl=True)
    keyring.set_keyring(unprotected())
    with pytest.raises(InvalidInput) as problem:
        backup_schedule.turn_on(shop, PASSPHRASE, platform="linux")
    assert problem.value.field == "schedule"
    assert "no protected credential store" in problem.value.problems["schedule"].text()
    assert "REGULARS_PASSPHRASE" in problem.value.problems["schedule"].text()
    assert not place.units().exists() and place.calls() == []
    assert [path for path in place.home.rglob("*") if path.is_file()] == []
    assert not backup_schedule.is_on(shop.path)


def test_a_plaintext_file_backend_is_not_a_protected_store(shop, backup_folder, tmp_path, monkeypatch):
    """keyrings.alt's plaintext file is what the credential store replaces: it is refused like no store."""
    place = scheduler_home(monkeypatch, tmp_path, systemctl=True)

    class PlaintextKeyring(keyring.backends.null.Keyring):
        priority = 1

    PlaintextKeyring.__module__, PlaintextKeyring.__qualname__ = "keyrings.alt.file", "PlaintextKeyring"
    keyring.set_keyring(PlaintextKeyring())
    with pytest.raises(InvalidInput):
        backup_schedule.turn_on(shop, PASSPHRASE, platform="linux")
    assert not place.units().exists()


@pytest.mark.parametrize("turning", ["on", "off"])
def test_the_plain_passphrase_file_of_an_earlier_build_is_deleted_when_the_schedule_is_turned_on_or_off(
        shop, backup_folder, tmp_path, monkeypatch, turning):
    scheduler_home(monkeypatch, tmp_path, systemctl=True)
    legacy = backup_schedule.legacy_passphrase_path(shop.path)
    legacy.parent.mkdir(parents=True)
    legacy.write_text(PASSPHRASE, encoding="utf-8")
    assert backup_schedule.is_on(shop.path)  # shown as on, so that the owner can turn it off
    if turning == "on":
        backup_schedule.turn_on(shop, PASSPHRASE, platform="linux")
    else:
        backup_schedule.turn_off(shop, platform="linux")
    assert not legacy.exists()
    assert backup_schedule.is_on(shop.path) == (turning == "on")
