from __future__ import annotations

from desktop.ui import crash


def test_crash_log_keeps_where_not_what(tmp_path, monkeypatch):
    monkeypatch.setattr(crash, "crash_log_dir", lambda: tmp_path)
    try:
        raise ValueError("Maria Zyxwvu +5511987654321 maria@example.com")
    except ValueError as exc:
        path = crash.write_crash_log(type(exc), exc, exc.__traceback__)
    text = path.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text
    assert "test_crash_log_keeps_where_not_what" in text
    for secret in ("Zyxwvu", "5511987654321", "maria@example.com"):
        assert secret not in text
