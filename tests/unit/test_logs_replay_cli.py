"""`mgtui replay` argument handling (the app itself is tested in tests/tui/test_replay.py)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pytest

from mgtui.cli import replay_cmd


def test_speed_parsing() -> None:
    assert replay_cmd._speed("2") == 2.0 and replay_cmd._speed("0.5x") == 0.5 and replay_cmd._speed("20×") == 20.0
    assert math.isinf(replay_cmd._speed("instant"))
    for bad in ("0.1", "25"):
        with pytest.raises(argparse.ArgumentTypeError):
            replay_cmd._speed(bad)


def test_unknown_session_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert replay_cmd.main(["nope", "--log-dir", str(tmp_path)]) == 1
    assert "no session 'nope'" in capsys.readouterr().err


def test_bad_speed_is_a_usage_error(tmp_path: Path) -> None:
    assert replay_cmd.main(["x", "--speed", "100", "--log-dir", str(tmp_path)]) == 1
