"""Log folders are read by `logs list/summary/analyze`, replay, the log browser and `--continue`:
a FIFO, a symlink or a line nested thousands deep in them must not hang or crash any of these.

Before: `mkfifo events.jsonl` (or session.json) in any session folder hung `mgtui logs list`
and every reader of that session for ever; a line of 100 000 `[` made `logs list` die with a
RecursionError traceback; `--continue` appended to whatever a symlinked events.jsonl named.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mgtui.engine.events import TextDelta
from mgtui.engine.logwriter import Redactor, SessionLog
from mgtui.engine.turn_state import fold_log
from mgtui.logs.reader import read_events
from mgtui.logs.store import read_session_info
from mgtui.regular_file import read_regular_bytes

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
HEAD = '{"type":"session_started","session":"s","config":{},"agents":[{"id":"a1","model":"m"}]}\n'


def _session(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    return folder


def _logs(argv: list[str], root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # The timeout only stops a hang from hanging the suite; a reader that blocks on the FIFO never returns.
    return subprocess.run([sys.executable, "-m", "mgtui", "logs", *argv, "--log-dir", str(root)], capture_output=True, text=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


def test_a_fifo_or_a_deep_line_in_the_log_folder_neither_hangs_nor_crashes_the_cli(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    os.mkfifo(_session(root, "20261207-101010-aaaaa1") / "events.jsonl")
    fifo_index = _session(root, "20261207-101010-aaaaa2")
    os.mkfifo(fifo_index / "session.json")
    (fifo_index / "events.jsonl").write_text(HEAD)
    deep = _session(root, "20261207-101010-aaaaa3")
    (deep / "events.jsonl").write_text(HEAD + "[" * 100_000 + "]" * 100_000 + "\n" + '{"a":' * 50_000 + "1" + "}" * 50_000 + "\n")
    listed = _logs(["list"], root)
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stderr and "not a regular file" in listed.stdout
    for session in ("20261207-101010-aaaaa1", "20261207-101010-aaaaa3"):
        for command in (["summary", "--no-cost"], ["analyze"]):
            done = _logs([*command, session], root)
            assert "Traceback" not in done.stderr, done.stderr


def test_readers_refuse_a_fifo_at_once(tmp_path: Path) -> None:
    folder = _session(tmp_path, "s")
    os.mkfifo(folder / "events.jsonl")
    events, report = read_events(folder)
    assert events == [] and report.missing
    assert fold_log(folder / "events.jsonl") == []
    assert "not a regular file" in read_session_info(folder).warning
    with pytest.raises(OSError):
        read_regular_bytes(folder / "events.jsonl")
    with pytest.raises(OSError):  # --continue: the engine's log is not opened for writing either
        SessionLog(folder, Redactor([]))


def test_the_engine_never_appends_through_a_symlinked_log(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    folder = _session(tmp_path, "s")
    (folder / "events.jsonl").symlink_to(victim)
    with pytest.raises(OSError):
        SessionLog(folder, Redactor([])).write(TextDelta(agent="a", delta="x"))
    assert victim.read_text() == "keep me\n"
