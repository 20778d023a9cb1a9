"""Attacks on `mgtui --web` from other web pages, against a real server process with a real
websocket client: a foreign Origin (any site the user visits), a foreign Host (DNS rebinding),
and a websocket without the page's token are refused with 403 before any upgrade, and no app
process is started for them."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.web.web_support import WebServerProcess, page_websocket_url, processes_mentioning

aiohttp = pytest.importorskip("aiohttp", reason="the 'web' extra is not installed: pip install 'mgtui[web]'")
pytest.importorskip("textual_serve", reason="the 'web' extra is not installed: pip install 'mgtui[web]'")

EVIL = "http://evil.example"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[WebServerProcess]:
    config = tmp_path / "guard-config.yaml"  # never asked a question: no model server needed
    config.write_text("agents:\n  - {id: a, model: openai/a, api_base: 'http://127.0.0.1:9/v1', api_key: x}\n", encoding="utf-8")
    process = WebServerProcess(["-c", str(config)], cwd=tmp_path)
    try:
        await asyncio.to_thread(process.wait_listening)
        yield process
        # nothing was let through: no tab's app was ever started
        assert len(processes_mentioning(str(config))) == 1  # the server alone
        token = (await asyncio.to_thread(page_websocket_url, process.url)).rsplit("/", 1)[1]
        assert process.interrupt() == 0
        assert token not in process.output()  # the access log hides it (logged as <token>)
    finally:
        process.kill()


async def refused(url: str, **kwargs: object) -> int:
    """The status a websocket handshake was answered with (it must not be upgraded)."""
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await client.ws_connect(url, **kwargs)
    return caught.value.status


async def test_a_foreign_origin_cannot_open_the_websocket(server: WebServerProcess) -> None:
    # The attacker's page cannot read our page, but say it guessed the token: Origin still stops it.
    url = await asyncio.to_thread(page_websocket_url, server.url)
    assert await refused(url + "?width=80&height=24", origin=EVIL) == 403
    assert await refused(url, origin=f"http://127.0.0.1:{server.port + 1}") == 403  # another port is another origin
    assert await refused(url) == 403  # no Origin at all: not a page of ours


async def test_a_rebound_host_gets_neither_page_nor_websocket(server: WebServerProcess) -> None:
    # DNS rebinding: evil.example now resolves to 127.0.0.1; the browser sends its own name.
    rebound = f"evil.example:{server.port}"
    request = urllib.request.Request(server.url + "/", headers={"Host": rebound})
    with pytest.raises(urllib.error.HTTPError) as caught:
        await asyncio.to_thread(urllib.request.urlopen, request, timeout=30)
    assert caught.value.code == 403
    assert b"ws/" not in caught.value.read()  # the token was not handed out
    url = await asyncio.to_thread(page_websocket_url, server.url)
    assert await refused(url, origin=f"http://{rebound}", headers={"Host": rebound}) == 403


async def test_the_websocket_needs_the_pages_token(server: WebServerProcess) -> None:
    base = f"ws://127.0.0.1:{server.port}"
    assert await refused(f"{base}/ws?width=80&height=24", origin=server.url) == 403  # textual-serve's own route
    assert await refused(f"{base}/ws/not-the-token", origin=server.url) == 403


def test_which_host_headers_name_the_server() -> None:
    from mgtui.web.guard import allowed_hosts  # noqa: PLC0415

    hosts = allowed_hosts(["::1"], 8000)
    assert {"localhost:8000", "127.0.0.1:8000", "[::1]:8000"} <= hosts
    assert "localhost" not in hosts and "evil.example:8000" not in hosts and "localhost:8001" not in hosts
    assert {"my-box.lan:80", "my-box.lan"} <= allowed_hosts(["My-Box.lan"], 80)  # port 80 is left out by browsers
