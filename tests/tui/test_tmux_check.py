"""The real-terminal check (benchmarks/tmux_check.py) as a test: mgtui in tmux, a question
typed with send-keys, the final answer read back with capture-pane."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "tmux_check.py"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install -y tmux)")
def test_mgtui_answers_in_a_real_terminal() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--timeout", "150"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "FINAL-ANSWER-OK the answer is 4" in done.stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install -y tmux)")
def test_typing_after_the_focus_moved_reaches_the_prompt_in_a_real_terminal() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--focus-typing", "--timeout", "90"], capture_output=True,
                          text=True, timeout=200, check=False)
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert "TYPED-AFTER-FOCUS-OK" in done.stdout
