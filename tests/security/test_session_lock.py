"""Issue 20 item 11: two `mgtui run --continue` on one session take turns, they do not collide.

Both real processes resume the same session while the loopback model server holds the first
turn's final answer; the second must say it waits, then run as the next turn with the
first one's answer in its history. Nothing is overwritten.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import make_config
from tests.support import replies as R
from tests.support.model_server import ModelServer

RUN_TIMEOUT = 300  # failure guard only: cold LiteLLM imports on a loaded 2-core machine
QUESTIONS = ("Q-A", "Q-B")


def question_of(request: R.RecordedRequest) -> str:
    text = request.last_user_text
    return next((q for q in QUESTIONS if q in text), "first")


def scripted(gate: threading.Event) -> R.ScriptFn:
    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        question = question_of(request)
        if not request.tools:  # the final presentation: held until the test saw the other process wait
            return R.text(f"final for {question}", hold=gate if question != "first" else None)
        if request.vote_enum:
            return R.vote(request.vote_enum[0])
        return R.new_answer(f"answer for {question}")

    return policy


def mgtui_run(cwd: Path, config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "mgtui", "run", "-c", str(config), "--log-dir", str(cwd / "logs"), *args],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def collect(stream, into: list[str]) -> threading.Thread:  # type: ignore[no-untyped-def]
    thread = threading.Thread(target=lambda: into.extend(iter(stream.readline, "")), daemon=True)
    thread.start()
    return thread


def test_two_continues_on_one_session_become_turns_2_and_3(model_server: ModelServer, tmp_path: Path) -> None:
    gate = threading.Event()
    model_server.script("alpha", scripted(gate))
    config = tmp_path / "team.yaml"
    config.write_text(json.dumps(make_config(model_server, ("alpha",))))
    first = subprocess.run([sys.executable, "-m", "mgtui", "run", "-c", str(config), "--log-dir", str(tmp_path / "logs"), "first"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert first.returncode == 0, first.stderr
    (session,) = (tmp_path / "logs").iterdir()

    procs = [mgtui_run(tmp_path, config, "--continue", q) for q in QUESTIONS]
    outs: list[list[str]] = [[], []]
    errs: list[list[str]] = [[], []]
    readers = [collect(p.stdout, outs[i]) for i, p in enumerate(procs)] + [collect(p.stderr, errs[i]) for i, p in enumerate(procs)]
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while not any("session busy" in line for lines in errs for line in lines) and time.monotonic() < deadline:
            if all(p.poll() is not None for p in procs):
                break
            time.sleep(0.1)
    finally:
        gate.set()  # let the held turn finish whatever happened
        for p in procs:
            p.wait(timeout=RUN_TIMEOUT)
        for thread in readers:
            thread.join(timeout=10)
    assert [p.returncode for p in procs] == [0, 0], errs
    waited = [i for i in (0, 1) if any("session busy, waiting" in line for line in errs[i])]
    assert len(waited) == 1, errs  # exactly one of them waited, and said so on stderr
    assert sorted("".join(o).strip() for o in outs) == ["final for Q-A", "final for Q-B"]

    events = [json.loads(line) for line in (session / "events.jsonl").read_text().splitlines()]
    started = [(e["turn"], e["question"]) for e in events if e["type"] == "turn_started"]
    assert [turn for turn, _ in started] == [1, 2, 3]
    second, third = started[1][1], started[2][1]
    assert {second, third} == set(QUESTIONS)
    assert [e["turn"] for e in events if e["type"] == "turn_finished"] == [1, 2, 3]  # one after the other
    assert (session / "turn_2" / "final.md").read_text() == f"final for {second}"
    assert (session / "turn_3" / "final.md").read_text() == f"final for {third}"
    index = json.loads((session / "session.json").read_text())
    assert [(t["turn"], t["question"]) for t in index["turns"]] == started
    # The waiting process caught up: turn 3's agent saw turn 2 in its history.
    turn3 = [r for r in model_server.requests if question_of(r) == third]
    assert turn3 and all(f"final for {second}" in r.all_text for r in turn3)


async def test_the_engine_service_tells_the_ui_it_waits_for_the_session(model_server: ModelServer, tmp_path: Path) -> None:
    """Another process holds the session's turn lock: the service says so (busy, waiting) and
    runs the question once the lock is free."""
    import asyncio

    from mgtui.engine.turn_lock import TurnLock
    from tests.support.replies import answer_then_vote
    from tests.tui.test_engine_service import LINE_TIMEOUT, ROOT

    model_server.script("alpha", answer_then_vote("alpha: 4"))
    config = tmp_path / "team.yaml"
    config.write_text(json.dumps(make_config(model_server, ("alpha",))))
    session_dir = tmp_path / "logs" / "20261125-120000-abcdef"
    session_dir.mkdir(parents=True)
    other = TurnLock(session_dir)  # stands in for another process's running turn
    await other.acquire(1, lambda _m: None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mgtui.engine.service", "--config", str(config), "--session-dir", str(session_dir),
        cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None

    async def next_of(kind: str) -> dict:  # type: ignore[type-arg]
        while True:
            raw = await asyncio.wait_for(process.stdout.readline(), LINE_TIMEOUT)
            assert raw, f"the service exited before {kind}"
            line = json.loads(raw)
            if line.get("type") == kind:
                return line  # type: ignore[no-any-return]

    try:
        await next_of("service_ready")
        process.stdin.write(b'{"cmd": "ask", "question": "2+2?"}\n')
        busy = await next_of("busy")
        assert busy["waiting"] is True and "session busy" in busy["message"]
        assert not (session_dir / "events.jsonl").exists()  # nothing written while the other turn runs
        other.release()
        finished = await next_of("turn_finished")
        assert finished["status"] == "ok" and finished["turn"] == 1
    finally:
        other.release()
        process.stdin.write(b'{"cmd": "shutdown"}\n')
        await asyncio.wait_for(process.wait(), LINE_TIMEOUT)
