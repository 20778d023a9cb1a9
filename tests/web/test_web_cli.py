"""`mgtui --web` without a browser: where it may bind, the install hint, the page it serves."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from mgtui.web.launcher import (
    EXPOSED_WARNING,
    HOST_ENV,
    INSTALL_HINT,
    app_command,
    host_messages,
    is_loopback,
)
from tests.web.web_support import WebServerProcess, free_port, mgtui_env


def run_mgtui(args: list[str], cwd: Path, code: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """`mgtui ARGS` in a fresh interpreter, optionally after running `code` first."""
    script = f"import sys\n{code}\nfrom mgtui.cli import main\nsys.exit(main({args!r}))"
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, env=mgtui_env(**env),
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("my-box.lan", False),
])
def test_which_hosts_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_explicit_outside_host_is_warned_about_but_allowed() -> None:
    lines = host_messages("0.0.0.0", 8000, explicit=True)
    assert len(lines) == 1
    assert "Anyone who can reach port 8000" in lines[0] and "API keys" in lines[0]
    assert host_messages("127.0.0.1", 8000, explicit=False) == []


def test_each_tab_runs_the_app_with_the_servers_options(tmp_path: Path) -> None:
    command = app_command(str(tmp_path / "my config.yaml"), "logs", "mgtui-light")
    assert command.startswith("exec ")  # the shell is replaced: the app leads its process group
    argv = shlex.split(command.removeprefix("exec "))
    assert argv[:4] == [sys.executable, "-P", "-m", "mgtui"]  # -P: not the working folder on sys.path
    assert argv[4:] == ["-c", str(tmp_path / "my config.yaml"), "--log-root", str(Path("logs").resolve()),
                        "--theme", "mgtui-light"]


def test_an_outside_host_not_given_with_host_is_refused_with_the_warning(tmp_path: Path) -> None:
    port = free_port()
    done = run_mgtui(["--web", "--port", str(port)], tmp_path, **{HOST_ENV: "0.0.0.0"})
    assert done.returncode == 2
    assert EXPOSED_WARNING.split("{host}")[0] in done.stderr
    assert "Anyone who can reach port" in done.stderr and "your API keys" in done.stderr
    assert "pass --host 0.0.0.0 explicitly" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_web_extra_gives_one_install_hint(tmp_path: Path) -> None:
    block = "sys.modules['textual_serve'] = None  # what an absent package looks like to import"
    done = run_mgtui(["--web", "--port", str(free_port())], tmp_path, code=block)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == INSTALL_HINT
    assert "pip install 'mgtui[web]'" in INSTALL_HINT
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("extra", "says"), [
    (["what is 2+2?"], "type it in the browser"),
    (["--continue"], "each browser tab starts a new session"),
])
def test_per_terminal_options_are_refused(tmp_path: Path, extra: list[str], says: str) -> None:
    done = run_mgtui(["--web", *extra], tmp_path)
    assert done.returncode == 2
    assert says in done.stderr


def test_parsing_web_options_loads_no_web_or_ui_code(tmp_path: Path) -> None:
    code = ("from mgtui.cli.tui_cmd import build_parser\n"
            "args = build_parser().parse_args(['--web', '--port', '9'])\n"
            "assert args.web and args.port == 9 and args.host is None\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_serve', 'aiohttp')"
            " or m.startswith('mgtui.web.')))")
    done = subprocess.run([sys.executable, "-c", f"import sys\n{code}"], cwd=tmp_path, env=mgtui_env(),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_page_fetches_nothing_from_elsewhere_and_follows_the_host_header(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve", reason="the 'web' extra is not installed: pip install 'mgtui[web]'")
    config = tmp_path / "config.yaml"
    config.write_text("agents:\n  - {id: a, model: openai/a}\n", encoding="utf-8")  # located, not run
    server = WebServerProcess(["-c", str(config)], cwd=tmp_path)
    try:
        server.wait_listening()
        # As a browser that reached the server under another of its names would ask for it.
        request = urllib.request.Request(server.url + "/", headers={"Host": f"localhost:{server.port}"})
        page = urllib.request.urlopen(request, timeout=30).read().decode()
        css = urllib.request.urlopen(server.url + "/static/css/xterm.css", timeout=30).read().decode()
        assert server.interrupt() == 0
    finally:
        server.kill()
    origin = f"localhost:{server.port}"
    assert re.search(rf'data-session-websocket-url="ws://{re.escape(origin)}/ws/[\w-]{{20,}}"', page)
    urls = re.findall(r"""(?:https?|wss?)://[^\s"'<>)]+""", page)
    assert urls and all(url.startswith((f"http://{origin}/static/", f"ws://{origin}/")) for url in urls), urls
    assert "RobotoMono-VariableFont_wght.ttf" in page  # the bundled font, declared by our page
    assert not re.search(r"(@import|url\()\s*['\"]?https?:", css)
