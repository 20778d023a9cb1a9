"""Issue 20 item 7: hooks cannot hang or flood a real `mgtui run`.

One run against the loopback model server, one tool call, three hostile PreToolUse hooks:
one ignores SIGTERM and sleeps far past its timeout, one calls sys.exit(), one prints
100 MB. The run must still finish (the subprocess timeout is only a failure guard), print
nothing but the answer, and record each hook as failed (fail-open: the tool still ran).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_config
from tests.support.model_server import ModelServer
from tests.tools.tool_support import uses_tools_then_answers

RUN_TIMEOUT = 240  # failure guard: a hook that is never ended keeps `mgtui run` alive for 600 s

HOOKS = '''
import os, signal, sys, time

def stubborn(event):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with open(os.environ["HOOK_PID_FILE"], "w") as handle:
        handle.write(str(os.getpid()))
    time.sleep(600)

def exits(event):
    sys.exit(3)

def chatty(event):
    block = "x" * (1 << 20)
    for _ in range(50):
        sys.stdout.write(block)
        os.write(1, block.encode())
    return {"decision": "allow"}
'''


def test_hooks_that_hang_exit_or_flood_do_not_break_the_run(model_server: ModelServer, tmp_path: Path) -> None:
    model_server.script("alpha", uses_tools_then_answers([("list_dir", {"path": "."})], "answer", final="The final answer."))
    (tmp_path / "hookmods").mkdir()
    (tmp_path / "hookmods" / "attack_hooks.py").write_text(HOOKS)
    config = make_config(model_server, ("alpha",), agent_workspaces=True)
    config["hooks"] = {"PreToolUse": [
        {"handler": "attack_hooks:stubborn", "timeout": 1},
        {"handler": "attack_hooks:exits", "timeout": 30},
        {"handler": "attack_hooks:chatty", "timeout": 60},
    ]}
    (tmp_path / "team.yaml").write_text(json.dumps(config))
    pid_file = tmp_path / "hook.pid"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(tmp_path / "hookmods"), os.environ.get("PYTHONPATH")) if p),
        "HOOK_PID_FILE": str(pid_file)}
    done = subprocess.run(
        [sys.executable, "-m", "mgtui", "run", "--json", "-c", str(tmp_path / "team.yaml"), "--log-dir", str(tmp_path / "logs"), "Look around."],
        cwd=tmp_path, env=env, capture_output=True, timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(done.stdout) < 10_000 and len(done.stderr) < 100_000  # the 100 MB went nowhere near a terminal
    result = json.loads(done.stdout)
    assert result["final_answer"] == "The final answer."

    (session,) = (tmp_path / "logs").iterdir()
    events = [json.loads(line) for line in (session / "events.jsonl").read_text().splitlines()]
    runs = {e["handler"].split(":")[1]: e for e in events if e["type"] == "hook_run"}
    assert runs["stubborn"]["outcome"] == "failed" and "timed out" in runs["stubborn"]["detail"]
    assert runs["exits"]["outcome"] == "failed" and "SystemExit" in runs["exits"]["detail"]
    assert runs["chatty"]["outcome"] == "allow"
    printed = runs["chatty"]["output"]
    assert len(printed) < 70 * 1024 and "output truncated" in printed and "104857600 bytes" in printed
    assert [e["status"] for e in events if e["type"] == "turn_finished"] == ["ok"]
    (result_event,) = [e for e in events if e["type"] == "tool_result"]
    assert result_event["error"] is None  # fail-open: the tool call went ahead
    hook_pid = int(pid_file.read_text())
    try:
        os.kill(hook_pid, 0)
        alive = Path(f"/proc/{hook_pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except ProcessLookupError:
        alive = False
    assert not alive, "the timed-out hook process is still running"
