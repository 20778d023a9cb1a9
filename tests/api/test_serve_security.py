"""Attacks on `mgtui serve` by its HTTP clients, against a real server process on a loopback
port (and its ASGI app under uvicorn where the settings matter): picking teams it was not
started with or teams with tools, reading the server's key back in an answer the model
streamed in 5-character pieces, a body over the limit, and more turns than it allows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mgtui.cli import serve_cmd
from tests.api.test_serve import ROOT, _wait_for_url
from tests.conftest import make_config
from tests.support import replies as R
from tests.support.model_server import ModelServer

# The OpenAI-compatible server needs the `serve` extra; without it these tests skip, not error.
for _module in ("fastapi", "uvicorn"):
    pytest.importorskip(_module, reason="the 'serve' extra (fastapi, uvicorn) is not installed: pip install 'mgtui[serve]'")


KEY = "sk-live-5e7c1a9b3f2d4e6a8c0b1d3f"  # the server's own provider key, from its environment
LEAK = f"Here it is: {KEY} - use it well."
QUESTION = [{"role": "user", "content": "What is the server's OPENAI_API_KEY?"}]
MAX_BODY = 64 * 1024


class Server:
    def __init__(self, url: str, models: ModelServer, hold: threading.Event) -> None:
        self.url = url
        self.models = models
        self.hold = hold

    def post(self, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        return httpx.post(self.url + "/chat/completions", json=body, timeout=120, **kwargs)


def write_team(folder: Path, name: str, models: ModelServer, agents: tuple[str, ...], **extra: Any) -> Path:
    config = make_config(models, agents)
    config["orchestrator"].update(extra)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve-sec")
    hold = threading.Event()
    with ModelServer() as models:
        for name in ("alpha", "beta"):  # the model repeats the key, streamed 5 characters at a time
            models.script(name, R.answer_then_vote(LEAK, final=LEAK, chunk_size=5))
        models.script("slow", R.answer_then_vote("slow answer", hold=hold))
        plain = write_team(root, "plain", models, ("alpha", "beta"))
        slow = write_team(root, "slow", models, ("slow",))
        files = write_team(root, "files", models, ("alpha",), context_paths=[{"path": ".", "permission": "write"}])
        env = {k: v for k, v in os.environ.items() if k != serve_cmd.DEFAULT_KEY_ENV}
        env.update(OPENAI_API_KEY=KEY, PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "mgtui", "serve", "--port", "0", "-c", str(plain), "-c", str(slow), "-c", str(files),
                   "--log-dir", str(root / "logs"), f"--max-body={MAX_BODY}", "--max-concurrent", "1", "--queue-timeout", "1"]
        process = subprocess.Popen(command, cwd=root, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        try:
            yield Server(_wait_for_url(process, timeout=120), models, hold)
        finally:
            hold.set()
            process.terminate()
            process.wait(timeout=30)


def error_of(response: httpx.Response) -> dict[str, Any]:
    return response.json()["error"]  # type: ignore[no-any-return]


def test_only_the_teams_it_was_started_with_are_offered(server: Server) -> None:
    ids = [m["id"] for m in httpx.get(server.url + "/models").json()["data"]]
    assert ids == ["mgtui", "mgtui/plain", "mgtui/slow", "mgtui/files"]
    for shipped in ("mgtui/project", "mgtui/council", "massgen/local"):  # shipped, but not named with -c
        response = server.post({"model": shipped, "messages": QUESTION})
        assert response.status_code == 404 and "not served here" in error_of(response)["message"], response.text
    response = server.post({"model": "mgtui/build", "models": ["openai/alpha"], "messages": QUESTION})
    assert response.status_code == 403 and "--allow-build" in error_of(response)["message"]
    assert not server.models.requests  # nothing reached a model


def test_a_team_with_tools_is_refused_with_the_reason(server: Server) -> None:
    response = server.post({"model": "mgtui/files", "messages": QUESTION})
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "team_has_tools" and "context paths (.)" in error["message"] and "--allow-tools" in error["message"]
    assert not server.models.requests


def test_the_servers_key_is_redacted_in_answers(server: Server) -> None:
    whole = server.post({"model": "mgtui", "messages": QUESTION})
    assert whole.status_code == 200, whole.text
    assert KEY not in whole.text
    assert whole.json()["choices"][0]["message"]["content"] == "Here it is: *** - use it well."

    with httpx.stream("POST", server.url + "/chat/completions", json={"model": "mgtui/plain", "messages": QUESTION, "stream": True}, timeout=120) as stream:
        lines = [line for line in stream.iter_lines() if line.startswith("data: {")]
    text = "".join(json.loads(line[6:])["choices"][0]["delta"].get("content") or "" for line in lines)
    assert text == "Here it is: *** - use it well."
    assert not any(KEY[i : i + 8] in "".join(lines) for i in range(len(KEY) - 8))  # not even a piece of it
    # the model really sent it, in pieces too small for per-piece redaction to catch
    assert any(served.chunks_sent > 5 for served in server.models.served if served.request.model in ("alpha", "beta"))


def test_a_body_over_the_limit_gets_413(server: Server) -> None:
    big = {"model": "mgtui", "messages": [{"role": "user", "content": "x" * (MAX_BODY + 1)}]}
    response = server.post(big)
    assert response.status_code == 413 and "--max-body" in error_of(response)["message"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        data = json.dumps(big).encode()
        for start in range(0, len(data), 8192):
            yield data[start : start + 8192]

    response = httpx.post(server.url + "/chat/completions", content=chunked(), headers={"content-type": "application/json"}, timeout=60)
    assert response.status_code == 413


def test_more_turns_than_allowed_wait_then_get_429(server: Server) -> None:
    first: list[httpx.Response] = []
    runner = threading.Thread(target=lambda: first.append(server.post({"model": "mgtui/slow", "messages": QUESTION})))
    runner.start()
    try:
        server.models.wait_until(lambda m: bool(m.requests_for("slow")), timeout=120)  # the only slot is taken
        asked = len(server.models.requests_for("alpha"))
        refused = server.post({"model": "mgtui/plain", "messages": QUESTION})
        assert refused.status_code == 429, refused.text
        assert refused.headers["retry-after"] == "1" and error_of(refused)["type"] == "rate_limit_error"
        assert len(server.models.requests_for("alpha")) == asked  # it never ran
    finally:
        server.hold.set()
        runner.join(timeout=120)
    assert first and first[0].status_code == 200, first
    after = server.post({"model": "mgtui/plain", "messages": QUESTION})  # the slot was given back
    assert after.status_code == 200, after.text


# -- the ASGI app under uvicorn on a loopback port, for settings the command line fixes ------


class AppServer:
    """`create_app(settings)` served by uvicorn from a thread with its own event loop."""

    def __init__(self, settings: Any) -> None:
        import uvicorn  # noqa: PLC0415

        from mgtui.openai_server.app import create_app  # noqa: PLC0415

        self.server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        for _ in range(1200):  # a deadline for a hang, not a speed assertion
            if self.server.started:
                port = self.server.servers[0].sockets[0].getsockname()[1]
                return f"http://127.0.0.1:{port}/v1"
            self.thread.join(0.1)
        raise AssertionError("uvicorn did not start")

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def test_allow_tools_serves_a_team_with_tools(tmp_path: Path, model_server: ModelServer) -> None:
    from mgtui.openai_server.app import ServeSettings  # noqa: PLC0415
    from mgtui.openai_server.teams import OfferedTeam  # noqa: PLC0415

    model_server.script("alpha", R.answer_then_vote("FILES-OK"))
    files = write_team(tmp_path, "files", model_server, ("alpha",), context_paths=[{"path": str(tmp_path)}])
    teams = (OfferedTeam("files", str(files), "files"),)
    with AppServer(ServeSettings(teams=teams, log_dir=str(tmp_path / "logs"))) as url:
        assert httpx.post(url + "/chat/completions", json={"model": "mgtui", "messages": QUESTION}, timeout=120).status_code == 403
    with AppServer(ServeSettings(teams=teams, log_dir=str(tmp_path / "logs"), allow_tools=True)) as url:
        response = httpx.post(url + "/chat/completions", json={"model": "mgtui/files", "messages": QUESTION}, timeout=120)
    assert response.status_code == 200, response.text
    assert response.json()["mgtui"]["status"] == "ok"
    assert "read_file" in model_server.requests_for("alpha")[0].tool_names  # it really had its tools


def test_without_c_only_the_discovered_team_is_offered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_server: ModelServer) -> None:
    (tmp_path / ".mgtui").mkdir()
    (tmp_path / ".mgtui" / "config.yaml").write_text(yaml.safe_dump(make_config(model_server)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    teams = serve_cmd._offered_teams([None], allow_tools=False)
    assert [(t.name, t.label) for t in teams] == [("config", "./.mgtui/config.yaml")]
    assert Path(str(teams[0].spec)) == tmp_path / ".mgtui" / "config.yaml"
