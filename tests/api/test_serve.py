"""`mgtui serve` as a real subprocess on a loopback port, called with the `openai` client;
the guard (API key, Host header) and the CLI's refusals in-process."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from mgtui.cli import serve_cmd
from mgtui.engine.events import parse_event
from tests.conftest import make_config
from tests.support import replies as R
from tests.support.model_server import ModelServer

# The OpenAI-compatible server needs the `serve` extra; without it these tests skip, not error.
for _module in ("fastapi", "uvicorn"):
    pytest.importorskip(_module, reason="the 'serve' extra (fastapi, uvicorn) is not installed: pip install 'mgtui[serve]'")

ROOT = Path(__file__).resolve().parents[2]
FINAL = "Mars is red because of iron oxide dust covering its surface, which scatters red light. " * 2
HISTORY = [
    {"role": "user", "content": "Earlier: which planet is largest?"},
    {"role": "assistant", "content": "Earlier-answer-jupiter."},
    {"role": "user", "content": "Why is Mars red?"},
]


class Served:
    def __init__(self, url: str, models: ModelServer, logs: Path) -> None:
        self.url = url
        self.models = models
        self.logs = logs
        self.client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0)


def _wait_for_url(process: subprocess.Popen[str], timeout: float) -> str:
    """The URL from the server's 'listening on' line (stderr read in a thread: no blocking forever)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()  # type: ignore[union-attr]
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("mgtui serve did not start:\n" + "".join(seen)) from None
        seen.append(line)
        found = re.search(r"listening on (http://\S+/v1)", line)
        if found:
            return found.group(1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve")
    with ModelServer() as models:
        for name in ("alpha", "beta"):
            models.script(name, R.answer_then_vote(f"{name} says: iron oxide.", final=FINAL))
        models.script("slow", R.answer_then_vote("slow " * 400, chunk_size=1, chunk_delay=0.02))
        config = root / "team.yaml"
        config.write_text(yaml.safe_dump(make_config(models)), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != serve_cmd.DEFAULT_KEY_ENV}
        # plain model strings sent to mgtui/build reach the loopback server through these
        env.update(OPENAI_API_BASE=models.url, OPENAI_API_KEY="sk-test", PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "mgtui", "serve", "--port", "0", "-c", str(config), "--log-dir", str(root / "logs"), "--allow-build"]
        process = subprocess.Popen(command, cwd=root, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        try:
            yield Served(_wait_for_url(process, timeout=120), models, root / "logs")
        finally:
            process.terminate()
            process.wait(timeout=30)


def logged_finish(log_dir: str) -> Any:
    lines = (Path(log_dir) / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(parse_event, lines) if e.type == "turn_finished"][-1]


def test_health_and_models(served: Served) -> None:
    assert httpx.get(served.url.removesuffix("/v1") + "/health").json() == {"status": "ok"}
    ids = [m.id for m in served.client.models.list()]
    assert ids == ["mgtui", "mgtui/team", "mgtui/build"]  # the served team only: no shipped team unless named with -c


def test_chat_completion(served: Served) -> None:
    response = served.client.chat.completions.create(model="mgtui", messages=HISTORY)

    assert response.choices[0].message.content == FINAL.strip()
    details = response.model_extra["mgtui"]
    finished = logged_finish(details["log_dir"])
    assert finished.final_answer == FINAL.strip() and finished.winner == details["winner"]
    team = sum(u["prompt_tokens"] + u["completion_tokens"] for u in finished.usage.values())
    assert response.usage is not None and response.usage.total_tokens == team > 0
    asked = [r for r in served.models.requests if "Why is Mars red?" in str(r.body.get("messages"))]
    assert asked and all("Earlier-answer-jupiter." in str(r.body.get("messages")) for r in asked)


def test_chat_completion_stream(served: Served) -> None:
    stream = served.client.chat.completions.create(model="massgen", messages=HISTORY, stream=True, stream_options={"include_usage": True})
    deltas, finish, usage = [], None, None
    for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            deltas.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
    assert "".join(deltas) == FINAL.strip() and len([d for d in deltas if d]) > 1
    assert finish == "stop" and usage is not None and usage.total_tokens > 0


def test_build_team_from_model_strings(served: Served) -> None:
    response = served.client.chat.completions.create(model="mgtui/build", messages=HISTORY, extra_body={"models": ["openai/beta", "openai/beta"]})
    assert response.choices[0].message.content == FINAL.strip()
    assert response.model_extra["mgtui"]["winner"] in ("beta", "beta-2")


def test_refusals(served: Served) -> None:
    with pytest.raises(openai.PermissionDeniedError, match="not served over HTTP"):
        served.client.chat.completions.create(model="mgtui/path:/etc/passwd", messages=HISTORY)
    with pytest.raises(openai.NotFoundError, match="unknown model"):
        served.client.chat.completions.create(model="gpt-4o", messages=HISTORY)
    with pytest.raises(openai.NotFoundError, match="not served here"):  # a shipped team not named with -c
        served.client.chat.completions.create(model="mgtui/local", messages=HISTORY)
    with pytest.raises(openai.BadRequestError, match="VAR"):
        served.client.chat.completions.create(model="mgtui/build", messages=HISTORY, extra_body={"models": ["openai/${OPENAI_API_KEY}"]})
    with pytest.raises(openai.BadRequestError, match="last message"):
        served.client.chat.completions.create(model="mgtui", messages=HISTORY[:2])
    text = httpx.post(served.url + "/chat/completions", content='{"model": "mgtui"}', headers={"content-type": "text/plain"})
    assert text.status_code == 415


def test_client_leaving_a_stream_cancels_the_turn(served: Served) -> None:
    body = {"model": "mgtui/build", "models": ["openai/slow"], "messages": HISTORY, "stream": True}
    with httpx.stream("POST", served.url + "/chat/completions", json=body, timeout=30) as response:
        lines = response.iter_lines()  # keep it: dropping the iterator closes the connection
        first = next(lines)
        assert first.startswith("data: ") and '"role": "assistant"' in first
        served.models.wait_until(lambda m: bool(m.requests_for("slow")))
    # the server notices the closed connection and cancels the turn; the log records it
    def cancelled_session() -> bool:
        for log in served.logs.glob("*/events.jsonl"):
            events = [parse_event(line) for line in log.read_text(encoding="utf-8").splitlines()]
            if any(e.type == "agent_started" and e.agent == "slow" for e in events):
                return any(e.type == "turn_finished" and e.status == "cancelled" for e in events)
        return False

    def slow_outcomes() -> list[str]:
        return [s.outcome for s in served.models.served if s.request.model == "slow"]

    for _ in range(600):  # a deadline for a hang, not a speed assertion
        if cancelled_session() and slow_outcomes():
            break
        time.sleep(0.1)
    assert cancelled_session()
    assert slow_outcomes() == ["client_closed"]  # the agent's stream was cut, not finished


# -- in-process: the guard and the command line ---------------------------------------------


async def test_api_key_and_host_checks(tmp_path: Path) -> None:
    from mgtui.openai_server.app import ServeSettings, create_app

    app = create_app(ServeSettings(config="@local", api_key="s3cret", log_dir=str(tmp_path)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as client:
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/v1/models")).status_code == 401
        assert (await client.get("/v1/models", headers={"Authorization": "Bearer wrong"})).status_code == 401
        assert (await client.get("/v1/models", headers={"Authorization": "Bearer s3cret"})).status_code == 200
        rebound = await client.get("/v1/models", headers={"Authorization": "Bearer s3cret", "Host": "attacker.example"})
        assert rebound.status_code == 421


def test_remote_binding_needs_flag_and_key(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(serve_cmd.DEFAULT_KEY_ENV, raising=False)
    assert serve_cmd.main(["--host", "0.0.0.0"]) == 1
    assert "--allow-remote" in capsys.readouterr().err
    assert serve_cmd.main(["--host", "0.0.0.0", "--allow-remote"]) == 1
    assert "without an API key" in capsys.readouterr().err
    assert serve_cmd.main(["--api-key-env", "MGTUI_TEST_UNSET_KEY"]) == 1
    assert "not set" in capsys.readouterr().err


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True), ("0.0.0.0", False),
    ("192.168.1.5", False), ("example.com", False)])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert serve_cmd.is_loopback(host) is loopback


def test_missing_extra_gives_install_hint(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = serve_cmd.importlib.util.find_spec
    monkeypatch.setattr(serve_cmd.importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a))
    assert serve_cmd.main([]) == 1
    assert "pip install 'mgtui[serve]'" in capsys.readouterr().err
