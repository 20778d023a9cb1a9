"""Each websocket (browser tab) gets an app and an engine process; none outlives its tab or
the server, even a server killed with SIGKILL. Driven with a plain websocket client."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.web_support import WebServerProcess, mgtui_env, page_websocket_url, processes_mentioning

aiohttp = pytest.importorskip("aiohttp", reason="the 'web' extra is not installed: pip install 'mgtui[web]'")
pytest.importorskip("textual_serve", reason="the 'web' extra is not installed: pip install 'mgtui[web]'")

START_TIMEOUT = 120.0  # the app, then its engine (which imports LiteLLM), on 2 busy cores
STOP_TIMEOUT = 30.0


async def wait_for_count(marker: str, count: int, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(found := processes_mentioning(marker)) != count:
        if loop.time() > deadline:
            raise AssertionError(f"expected {count} processes mentioning {marker}, found: {found}")
        await asyncio.sleep(0.1)


def write_config(folder: Path) -> str:
    path = folder / "procs-config.yaml"  # never asked a question: no model server needed
    path.write_text("agents:\n  - {id: a, model: openai/a, api_base: 'http://127.0.0.1:9/v1', api_key: x}\n",
                    encoding="utf-8")
    return str(path)


async def open_tab(client: aiohttp.ClientSession, server: WebServerProcess) -> aiohttp.ClientWebSocketResponse:
    """As the page's own script does: the page's token URL, from the page's origin."""
    url = await asyncio.to_thread(page_websocket_url, server.url)
    return await client.ws_connect(url + "?width=100&height=30", origin=server.url)


async def test_closing_a_tab_ends_its_app_and_engine(tmp_path: Path) -> None:
    marker = write_config(tmp_path)
    server = WebServerProcess(["-c", marker], cwd=tmp_path)
    try:
        await asyncio.to_thread(server.wait_listening)
        async with aiohttp.ClientSession() as client:
            tab = await open_tab(client, server)
            await wait_for_count(marker, 3, START_TIMEOUT)  # server, app, engine
            await tab.close()
            await wait_for_count(marker, 1, STOP_TIMEOUT)  # the server alone
        assert server.interrupt() == 0
    finally:
        server.kill()
    assert processes_mentioning(marker) == []


async def test_a_killed_server_takes_its_apps_with_it(tmp_path: Path) -> None:
    marker = write_config(tmp_path)
    server = WebServerProcess(["-c", marker], cwd=tmp_path)
    try:
        await asyncio.to_thread(server.wait_listening)
        async with aiohttp.ClientSession() as client:
            tab = await open_tab(client, server)
            await wait_for_count(marker, 3, START_TIMEOUT)
            assert not tab.closed  # the tab stays open: its app goes only with the server
            server.process.kill()  # SIGKILL: no clean-up runs in the server
            await asyncio.to_thread(server.process.wait)
            await wait_for_count(marker, 0, STOP_TIMEOUT)
    finally:
        server.kill()


def test_a_taken_port_is_reported_without_a_banner(tmp_path: Path) -> None:
    marker = write_config(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "mgtui", "--web", "--port", str(port), "-c", marker], cwd=tmp_path,
            env=mgtui_env(), capture_output=True, text=True, timeout=60, check=False,
        )
    assert done.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr
    assert "serving on" not in done.stdout
