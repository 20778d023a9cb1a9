"""Helpers for the `mgtui --web` tests: start the server, find its processes, and read the
terminal a browser page shows."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Playwright's own browser download cannot work here: drive Debian's Chromium, offline.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mgtui_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.update(LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_OFFLINE_MODE="true", **extra)
    return env


class WebServerProcess:
    """`python -m mgtui --web ...` in its own session, so SIGINT reaches it alone (as Ctrl+C would)."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / "mgtui-web.log"  # a file, not a pipe nobody drains while the test runs
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mgtui", "--web", "--port", str(self.port), *args],
                cwd=cwd, env=mgtui_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )

    def wait_listening(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mgtui --web exited early:\n{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"mgtui --web did not listen on {self.port}")

    def interrupt(self, timeout: float = 60.0) -> int:
        """Ctrl+C, then the exit code (kills it if it does not stop in time)."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def processes_left(marker: str, timeout: float = 15.0) -> list[str]:
    """The processes still mentioning `marker` after they had `timeout` s to exit: an engine
    whose app is gone sees its stdin close and shuts down by itself, closing its log first."""
    deadline = time.monotonic() + timeout
    while (found := processes_mentioning(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def processes_mentioning(marker: str) -> list[str]:
    """Live (non-zombie) processes whose command line contains `marker`, as "pid cmdline"."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if marker in cmdline and stat[stat.rfind(")") + 2] != "Z":
            found.append(f"{entry.name} {cmdline.strip()}")
    return found


class TerminalView:
    """The screen a page's xterm.js shows, rebuilt with pyte from the same websocket bytes.

    xterm.js draws on a canvas here (textual-serve loads its canvas renderer), so the DOM
    holds no text; the bytes the browser received are what it drew.
    """

    def __init__(self, page: object) -> None:
        import pyte  # noqa: PLC0415 - test-only dependency, checked by the caller

        self.screen = pyte.Screen(80, 24)
        self._stream = pyte.ByteStream(self.screen)
        page.on("websocket", self._attach)  # type: ignore[attr-defined]

    def _attach(self, websocket: object) -> None:
        query = parse_qs(urlsplit(websocket.url).query)  # type: ignore[attr-defined]
        if "width" in query and "height" in query:  # the size the app starts with
            self.screen.resize(int(query["height"][0]), int(query["width"][0]))
        websocket.on("framereceived", self._received)  # type: ignore[attr-defined]
        websocket.on("framesent", self._sent)  # type: ignore[attr-defined]

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):  # text frames are control messages (pong, ...)
            self._stream.feed(payload)

    def _sent(self, payload: str | bytes) -> None:
        if isinstance(payload, str) and payload.startswith('["resize"'):
            size = json.loads(payload)[1]
            self.screen.resize(size["height"], size["width"])

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)


def page_websocket_url(base_url: str) -> str:
    """The websocket URL (with its per-run token) that the server's page hands a browser."""
    page = urllib.request.urlopen(base_url + "/", timeout=30).read().decode()
    found = re.search(r'data-session-websocket-url="([^"]+)"', page)
    assert found, page
    return found.group(1)
