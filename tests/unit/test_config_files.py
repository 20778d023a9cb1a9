"""Atomic config writes keep the file's mode and never leave a partial file or a temp file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mgtui.config.files import write_atomic
from mgtui.config.suggest import suggest_key


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("old\n")
    os.chmod(path, 0o600)  # a config with keys in it stays private
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.yaml"]


def test_write_atomic_failure_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "bad \udc80 surrogate")  # fails while writing the temp file
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config.yaml"]


@pytest.mark.parametrize(
    ("where", "key", "expected"),
    [
        ((), "agent", "agents"),
        (("agents", 0), "Temperature", "temperature"),
        (("agents", 0, "mcp_servers", 1), "comand", "command"),
        (("orchestrator", "context_paths", 0), "permissions", "permission"),
        (("hooks", "PreToolUse", 0), "handle", "handler"),
        (("agents", 0), "zzz", None),
        (("agents", 0, "params"), "anything", None),  # free-form mapping: no suggestion
    ],
)
def test_did_you_mean_looks_at_the_right_section(where: tuple[object, ...], key: str, expected: str | None) -> None:
    assert suggest_key(where, key) == expected
