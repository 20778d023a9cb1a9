"""More attacks on `mgtui --web`, against a real server process: a hostile page of another
site framing ours in a real browser (inside a frame our page is same-origin, so its
websocket would pass the Origin check and start an app per frame), and an absolute request
line that names another host than the Host header (our page put that host, with the
token, into its websocket URL)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.web.web_support import CHROMIUM, CHROMIUM_ARGS, WebServerProcess, page_websocket_url, processes_mentioning

pytest.importorskip("textual_serve", reason="the 'web' extra is not installed: pip install 'mgtui[web]'")

CONFIG = "agents:\n  - {id: a, model: openai/a, api_base: 'http://127.0.0.1:9/v1', api_key: x}\n"
FRAMES = 3


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[WebServerProcess, str]]:
    config = tmp_path / "attack-config.yaml"  # never asked a question: no model server needed
    config.write_text(CONFIG, encoding="utf-8")
    process = WebServerProcess(["-c", str(config)], cwd=tmp_path)
    try:
        process.wait_listening()
        yield process, str(config)
        assert process.interrupt() == 0
    finally:
        process.kill()


def raw_request(port: int, request: bytes, head_only: bool = False) -> bytes:
    """The answer to `request` (its head only when the connection stays open)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while (data := sock.recv(65536)) and not (head_only and b"\r\n\r\n" in received + data):
            received += data
    return received + data


def test_an_absolute_request_line_naming_another_host_is_refused(server: tuple[WebServerProcess, str]) -> None:
    process, config = server
    good = f"127.0.0.1:{process.port}"
    page = raw_request(process.port, f"GET http://evil.example:{process.port}/ HTTP/1.1\r\nHost: {good}\r\nConnection: close\r\n\r\n".encode())
    assert page.startswith(b"HTTP/1.1 403"), page[:200]
    assert b"/ws/" not in page and b"evil.example/ws" not in page  # no token, and not towards evil.example
    token = page_websocket_url(process.url).rsplit("/", 1)[1]
    upgrade = raw_request(process.port, (
        f"GET http://evil.example/ws/{token} HTTP/1.1\r\nHost: {good}\r\nOrigin: http://{good}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode(), head_only=True)
    assert upgrade.startswith(b"HTTP/1.1 403"), upgrade[:200]
    assert len(processes_mentioning(config)) == 1  # no app was started


def test_every_answer_forbids_framing_by_other_sites(server: tuple[WebServerProcess, str]) -> None:
    process, _ = server
    for path, host in (("/", f"127.0.0.1:{process.port}"), ("/static/", f"127.0.0.1:{process.port}"), ("/", "evil.example")):
        head = raw_request(process.port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()).split(b"\r\n\r\n")[0].lower()
        assert b"content-security-policy: frame-ancestors 'none'" in head, (path, host, head)
        assert b"x-frame-options: deny" in head, (path, host, head)


class HostilePage(BaseHTTPRequestHandler):
    """Another site (another port is another origin) whose page frames the mgtui page."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        frames = "".join(f'<iframe src="{self.target}/" width="400" height="300"></iframe>' for _ in range(FRAMES))
        body = f"<!doctype html><title>cute cats</title>{frames}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.mark.browser
@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="Debian's chromium is not installed (apt-get install -y chromium)")
def test_a_hostile_page_cannot_frame_the_app(server: tuple[WebServerProcess, str], tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (test extra) is not installed")
    process, config = server
    HostilePage.target = process.url
    hostile = ThreadingHTTPServer(("127.0.0.1", 0), HostilePage)
    threading.Thread(target=hostile.serve_forever, daemon=True).start()
    sockets: list[str] = []
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page()
                page.on("websocket", lambda ws: sockets.append(ws.url))
                page.goto(f"http://127.0.0.1:{hostile.server_address[1]}/", wait_until="load", timeout=60_000)
                frames = [f for f in page.frames if f is not page.main_frame]
                assert len(frames) == FRAMES
                for frame in frames:  # each frame was blocked: it holds no mgtui page
                    assert not frame.evaluate("document.querySelector('[data-session-websocket-url]') !== null")
                page.wait_for_timeout(1000)  # time for a page script that did run to open its websocket
            finally:
                browser.close()
    finally:
        hostile.shutdown()
    assert sockets == []
    assert len(processes_mentioning(config)) == 1  # the server alone: no frame started an app


def test_a_token_from_an_earlier_run_opens_nothing(tmp_path: Path) -> None:
    config = tmp_path / "attack-config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    tokens = []
    for _ in range(2):
        process = WebServerProcess(["-c", str(config)], cwd=tmp_path)
        try:
            process.wait_listening()
            url = page_websocket_url(process.url)
            tokens.append(url.rsplit("/", 1)[1])
            if len(tokens) == 2:  # the second run, asked with the first run's token
                good = f"127.0.0.1:{process.port}"
                answer = raw_request(process.port, (
                    f"GET /ws/{tokens[0]} HTTP/1.1\r\nHost: {good}\r\nOrigin: http://{good}\r\nUpgrade: websocket\r\n"
                    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode(), head_only=True)
                assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
            assert process.interrupt() == 0
        finally:
            process.kill()
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 32


def test_origin_and_host_spellings_that_are_not_this_server_are_refused(server: tuple[WebServerProcess, str]) -> None:
    process, config = server
    port = process.port
    token = page_websocket_url(process.url).rsplit("/", 1)[1]
    good = f"127.0.0.1:{port}"
    variants = [  # (Host, Origin): what a rebinding or foreign page could make a browser send
        (good, "null"), (good, f"http://127.0.0.1.:{port}"), (good, f"http://a@127.0.0.1:{port}"),
        (good, f"http://127.0.0.1.nip.io:{port}"), (good, f"http://{good}/"), (good, f"https://{good}"),
        (f"localhost.:{port}", f"http://localhost.:{port}"), (f"0.0.0.0:{port}", f"http://0.0.0.0:{port}"),
        (f"2130706433:{port}", f"http://2130706433:{port}"), (f"0177.0.0.1:{port}", f"http://0177.0.0.1:{port}"),
        (f"[0:0:0:0:0:0:0:1]:{port}", f"http://[0:0:0:0:0:0:0:1]:{port}"), (f"[::ffff:127.0.0.1]:{port}", f"http://[::ffff:127.0.0.1]:{port}"),
        ("127.0.0.1", "http://127.0.0.1"), (f"evil.example:{port}", f"http://evil.example:{port}"),
    ]
    for host, origin in variants:
        answer = raw_request(port, (
            f"GET /ws/{token} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nX-Forwarded-Host: {good}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode(), head_only=True)
        assert answer.startswith(b"HTTP/1.1 403"), (host, origin, answer[:100])
    for extra in (f"Host: evil.example:{port}\r\nHost: {good}\r\n", f"Host: {good}\r\nHost: evil.example:{port}\r\n"):  # two Hosts
        assert not raw_request(port, f"GET / HTTP/1.1\r\n{extra}Connection: close\r\n\r\n".encode()).startswith(b"HTTP/1.1 200")
    assert len(processes_mentioning(config)) == 1  # no app was started
