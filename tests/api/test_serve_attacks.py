"""More attacks on `mgtui serve` by hostile HTTP clients, against its ASGI app under uvicorn on
a loopback port: Host headers a URL parser reads as loopback, bodies shaped to raise inside
the server, bodies sent slowly on many connections (slowloris), and API documentation
answered without the API key."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_serve_security import QUESTION, AppServer, write_team
from tests.support import replies as R
from tests.support.model_server import ModelServer

# The OpenAI-compatible server needs the `serve` extra; without it these tests skip, not error.
for _module in ("fastapi", "uvicorn"):
    pytest.importorskip(_module, reason="the 'serve' extra (fastapi, uvicorn) is not installed: pip install 'mgtui[serve]'")


@pytest.fixture
def served(tmp_path: Path, model_server: ModelServer) -> Iterator[tuple[str, ModelServer]]:
    from mgtui.openai_server.app import ServeSettings  # noqa: PLC0415
    from mgtui.openai_server.teams import OfferedTeam  # noqa: PLC0415

    model_server.script("alpha", R.answer_then_vote("PLAIN-OK"))
    team = write_team(tmp_path, "plain", model_server, ("alpha",))
    settings = ServeSettings(teams=(OfferedTeam("plain", str(team), "plain"),), log_dir=str(tmp_path / "logs"),
                             max_concurrent=1, queue_timeout=0.5, body_timeout=2.0, api_key="k-0123456789")
    with AppServer(settings) as url:
        yield url, model_server


AUTH = {"Authorization": "Bearer k-0123456789"}


def post_raw(url: str, content: bytes) -> httpx.Response:
    return httpx.post(url + "/chat/completions", content=content, headers={"content-type": "application/json", **AUTH}, timeout=60)


def test_host_headers_a_url_parser_reads_as_loopback_are_refused(served: tuple[str, ModelServer]) -> None:
    url, _ = served
    for host in ("evil.example@127.0.0.1", "localhost#@evil.example", "localhost/.evil.example", "127.0.0.1:80@evil.example"):
        response = httpx.get(url + "/models", headers={"Host": host, **AUTH}, timeout=30)
        assert response.status_code == 421, (host, response.status_code)
    assert httpx.get(url + "/models", headers=AUTH, timeout=30).status_code == 200  # a real loopback Host still works


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000 + b"]" * 100_000,  # the JSON decoder recurses per level
        b'{"model": "mgtui", "messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        json.dumps({"model": "mgtui", "messages": "What is 2+2?"}).encode(),
        json.dumps({"model": "mgtui", "messages": ["What is 2+2?"]}).encode(),
        json.dumps({"model": "mgtui", "messages": [{"role": "user", "content": 5}]}).encode(),
        json.dumps({"model": "mgtui", "messages": QUESTION, "stream": True, "stream_options": "yes"}).encode(),
    ],
    ids=["depth-bomb", "depth-bomb-in-messages", "messages-string", "messages-of-strings", "content-number", "stream-options-string"],
)
def test_malformed_bodies_get_a_400_with_the_reason_not_a_500(served: tuple[str, ModelServer], content: bytes) -> None:
    url, models = served
    response = post_raw(url, content)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"]
    assert not models.requests  # nothing ran


def _slow_sender(url: str, declared: int) -> socket.socket:
    """A connection that declares a body and sends one byte of it, then nothing."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Authorization: {AUTH['Authorization']}\r\nContent-Length: {declared}\r\n\r\n[")
    sock.sendall(head.encode())
    return sock


def _answer(sock: socket.socket) -> bytes:
    received = b""
    while b"\r\n\r\n" not in received:
        data = sock.recv(4096)  # the socket's timeout bounds a hang
        if not data:
            break
        received += data
    return received


def test_slow_bodies_are_bounded_in_number_and_time(served: tuple[str, ModelServer]) -> None:
    from mgtui.openai_server.limits import READERS_PER_SLOT  # noqa: PLC0415

    url, _ = served
    slow = [_slow_sender(url, 1_000_000) for _ in range(READERS_PER_SLOT)]  # max_concurrent=1
    try:
        # every body reader is held by a slow sender: a further request is told to come back
        busy = httpx.post(url + "/chat/completions", json={"model": "mgtui", "messages": QUESTION}, headers=AUTH, timeout=60)
        assert busy.status_code == 429, busy.text
        assert busy.headers["retry-after"] == "1"
        # ...and the slow senders are cut off after the body timeout instead of holding on forever
        for sock in slow:
            assert _answer(sock).startswith(b"HTTP/1.1 408"), "a slow body kept its reader"
    finally:
        for sock in slow:
            sock.close()
    after = httpx.post(url + "/chat/completions", json={"model": "mgtui", "messages": QUESTION}, headers=AUTH, timeout=120)
    assert after.status_code == 200, after.text
    assert after.json()["choices"][0]["message"]["content"] == "PLAIN-OK"


def test_no_api_documentation_is_served_without_the_key(served: tuple[str, ModelServer]) -> None:
    base = served[0].rsplit("/v1", 1)[0]
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        response = httpx.get(base + path, timeout=30)
        assert response.status_code == 404, (path, response.status_code)


def test_the_api_key_is_checked_on_every_v1_route(served: tuple[str, ModelServer]) -> None:
    url, models = served
    body: dict[str, Any] = {"model": "mgtui", "messages": QUESTION}
    for headers in ({}, {"Authorization": "Bearer k-012345678"}, {"Authorization": "Basic k-0123456789"}, {"Authorization": "Bearer"}):
        assert httpx.post(url + "/chat/completions", json=body, headers=headers, timeout=30).status_code == 401
        assert httpx.get(url + "/models", headers=headers, timeout=30).status_code == 401
    assert not models.requests
