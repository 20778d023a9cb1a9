"""`mgtui --web` in a real browser: headless Debian Chromium driven by Playwright, against the
loopback model server. A question typed into the page, with a file picked through `@`, runs
a whole turn; the final answer copies to the browser's clipboard; a second tab is a session
of its own; Ctrl+C on the server then leaves no app or engine process behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_config
from tests.support.model_server import ModelServer
from tests.support.replies import answer_then_vote
from tests.web.web_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    TerminalView,
    WebServerProcess,
    processes_left,
    processes_mentioning,
)

pytest.importorskip("textual_serve", reason="the 'web' extra is not installed: pip install 'mgtui[web]'")
pytest.importorskip("pyte", reason="pyte (test extra) is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (test extra) is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason="Debian's chromium is not installed (apt-get install -y chromium)"),
]

AGENTS = ("alpha", "beta")
QUESTION = "What is six times seven?"
FINAL = "WEB-FINAL-OK the answer is 42"
NOTES = Path("docs") / "zebra_notes.md"
NOTES_TEXT = "Zebras have 42 stripes in this test."
SESSION_ID = re.compile(r"session (\d{8}-\d{6}-[0-9a-f]{6})")
SCREENSHOT = REPO / "docs" / "screenshots" / "web_final_answer.png"
READY_TIMEOUT = 120.0  # a cold engine imports LiteLLM: seconds on 2 busy cores
TURN_TIMEOUT = 120.0


def wait_for_screen(page: Any, view: TerminalView, predicate: Callable[[str], bool], what: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while not predicate(view.text):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not shown within {timeout:.0f}s; the page showed:\n{view.text}")
        page.wait_for_timeout(100)  # also lets Playwright deliver websocket frames
    return view.text


def open_tab(context: Any, url: str) -> tuple[Any, TerminalView]:
    page = context.new_page()
    view = TerminalView(page)  # before goto, so the app's first bytes are seen
    page.goto(url)
    wait_for_screen(page, view, lambda text: "engine ready" in text, "the engine's ready line", READY_TIMEOUT)
    return page, view


def write_project(server: ModelServer, folder: Path) -> Path:
    """The server's working directory: a config for the loopback server and a file to attach."""
    (folder / NOTES).parent.mkdir(parents=True)
    (folder / NOTES).write_text(NOTES_TEXT, encoding="utf-8")
    for name in AGENTS:
        server.script(name, answer_then_vote(f"{name} says 42.", vote_for="agent1", final=FINAL))
    path = folder / "web-config.yaml"
    path.write_text(json.dumps(make_config(server, AGENTS)), encoding="utf-8")  # JSON is YAML
    return path


def test_browser_tab_answers_a_question_and_ctrl_c_leaves_no_process(model_server: ModelServer, tmp_path: Path) -> None:
    config = write_project(model_server, tmp_path)
    marker = str(config)  # on the command line of the server, every app and every engine
    server = WebServerProcess(["-c", marker], cwd=tmp_path)
    requests: list[str] = []
    try:
        server.wait_listening()
        with sync_api.sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                headless=True, viewport={"width": 1280, "height": 800},
            )
            try:
                context.on("request", lambda request: requests.append(request.url))
                context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
                page, view = open_tab(context, server.url)
                page.focus(".xterm-helper-textarea")  # where xterm.js takes keyboard input
                page.keyboard.type(f"{QUESTION} See @{NOTES.name[:4]}")
                # The @ picker lists the server's working directory.
                wait_for_screen(page, view, lambda text: NOTES.as_posix() in text, "the @ picker", 30)
                page.keyboard.press("Tab")
                wait_for_screen(page, view, lambda text: f"@{NOTES.as_posix()}" in text, "the chosen path", 30)
                page.keyboard.press("Enter")
                wait_for_screen(page, view, lambda text: FINAL in text, "the final answer", TURN_TIMEOUT)
                page.screenshot(path=str(tmp_path / SCREENSHOT.name))
                if os.environ.get("MGTUI_UPDATE_SCREENSHOTS"):  # refresh the README's picture on request only
                    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(tmp_path / SCREENSHOT.name, SCREENSHOT)
                asked = [request.all_text for request in model_server.requests]
                assert any(QUESTION in text and NOTES_TEXT in text for text in asked), "question or attachment lost"
                page.keyboard.press("Control+g")  # copy the final answer: OSC 52 -> the browser's clipboard
                page.wait_for_function("async (want) => (await navigator.clipboard.readText()) === want", arg=FINAL)

                # A second tab is an app and a session of its own.
                other, other_view = open_tab(context, server.url)
                first_id = SESSION_ID.search(view.text)
                second_id = SESSION_ID.search(other_view.text)
                assert first_id and second_id and first_id[1] != second_id[1]
                assert FINAL not in other_view.text
                assert len(processes_mentioning(marker)) == 5, "the server, plus an app and an engine per tab"

                assert server.interrupt() == 0, server.output()
                assert f"serving on {server.url}" in server.output()
                assert "stopping 2 app session(s)" in server.output()
                for tab in (page, other):  # textual-serve's "Session ended." dialog
                    tab.wait_for_function("document.body.classList.contains('-closed')")
            finally:
                context.close()
    finally:
        server.kill()
    assert processes_left(marker) == []
    # The tab's app ran in the server's working directory: its session logged under it.
    assert (tmp_path / ".mgtui" / "logs" / first_id[1] / "events.jsonl").is_file()
    # Everything the page loaded came from the server itself (no CDN fonts or scripts).
    assert requests and all(url.startswith(server.url + "/") for url in requests), requests
