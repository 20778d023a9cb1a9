"""Real-terminal check: run `mgtui` in tmux against the loopback model server, type a
question with `send-keys`, and read the screen with `capture-pane` until the final answer
shows. Exit 0 when it does, 1 on timeout (the last screen is printed), 2 without tmux.

    python benchmarks/tmux_check.py [--agents 3] [--timeout 90] [--keep]

`Tmux` and `loopback_setup` are shared with `benchmarks/tui.py`.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FINAL_MARKER = "FINAL-ANSWER-OK"
FIRST_FRAME_MARKER = "Ask the agents"  # the prompt bar's placeholder


class Tmux:
    """One detached tmux session on a private socket (never touches the user's server)."""

    def __init__(self, width: int = 160, height: int = 48) -> None:
        self.socket = f"mgtui-{uuid.uuid4().hex[:8]}"
        self.name = "main"
        self.width, self.height = width, height

    def _tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check)
        return done.stdout

    def start(self, command: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        env_args = [arg for key, value in (env or {}).items() for arg in ("-e", f"{key}={value}")]
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", self.name, "-x", str(self.width),
                   "-y", str(self.height), "-c", str(cwd), *env_args, command)
        self._tmux("set-option", "-t", self.name, "escape-time", "0")  # Escape must not wait 500 ms

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name, check=False)

    def send(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def pane_pid(self) -> int:
        return int(self._tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())

    def wait_for(self, predicate: Callable[[str], bool], timeout: float, poll: float = 0.0) -> tuple[float, str]:
        """Seconds until predicate(screen) holds; raises TimeoutError with the last screen."""
        start = time.perf_counter()
        screen = ""
        while (elapsed := time.perf_counter() - start) < timeout:
            screen = self.screen()
            if predicate(screen):
                return time.perf_counter() - start, screen
            if poll:
                time.sleep(poll)
        raise TimeoutError(f"not seen after {elapsed:.1f}s; last screen:\n{screen}")

    def kill(self) -> None:
        self._tmux("kill-server", check=False)
        # tmux leaves the dead socket file behind; one per run adds up.
        socket_dir = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}"
        (socket_dir / self.socket).unlink(missing_ok=True)


def loopback_setup(workdir: Path, agents: int, script_for: Callable[[int], object]) -> tuple[object, Path]:
    """Start the loopback model server (a thread in this process) and write a config for it."""
    sys.path.insert(0, str(REPO))
    from tests.support.model_server import ModelServer  # noqa: PLC0415 - needs the repo on sys.path

    server = ModelServer().start()
    lines = ["agents:"]
    for i in range(1, agents + 1):
        server.script(f"m{i}", script_for(i))
        lines += [f"  - id: a{i}", f"    model: openai/m{i}", f"    api_base: {server.url}", "    api_key: loopback"]
    lines += ["orchestrator:", "  turn_timeout_seconds: 600", "  provider_retries: 0"]
    config = workdir / "mgtui.yaml"
    config.write_text("\n".join(lines) + "\n")
    return server, config


def mgtui_command(config: Path, extra: str = "") -> str:
    return f"exec {shlex.quote(sys.executable)} -m mgtui -c {shlex.quote(str(config))} {extra}".strip()


def mgtui_env() -> dict[str, str]:
    return {"PYTHONPATH": str(REPO), "TERM": "xterm-256color", "COLORTERM": "truecolor",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_OFFLINE_MODE": "true"}


def run_check(agents: int, timeout: float, keep: bool) -> int:
    sys.path.insert(0, str(REPO))
    from tests.support.replies import answer_then_vote  # noqa: PLC0415

    workdir = Path(tempfile.mkdtemp(prefix="mgtui-tmux-"))
    server, config = loopback_setup(
        workdir, agents, lambda i: answer_then_vote(f"Answer from agent {i}: 4.", final=f"{FINAL_MARKER} the answer is 4")
    )
    tmux = Tmux(120, 40)
    try:
        tmux.start(mgtui_command(config), workdir, mgtui_env())
        first_frame, _ = tmux.wait_for(lambda s: FIRST_FRAME_MARKER in s, 30, poll=0.02)
        print(f"first frame after {first_frame:.2f}s")
        tmux.send("What is 2+2?", literal=True)
        tmux.wait_for(lambda s: "What is 2+2?" in s, 10, poll=0.02)
        tmux.send("Enter")
        took, screen = tmux.wait_for(lambda s: FINAL_MARKER in s, timeout, poll=0.2)
        print(f"final answer on screen {took:.1f}s after Enter")
        print(screen)
        return 0
    except TimeoutError as error:
        print(f"TIMEOUT: {error}", file=sys.stderr)
        return 1
    finally:
        if not keep:
            tmux.kill()
        server.stop()  # type: ignore[attr-defined]
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept: tmux -L {tmux.socket} attach; files in {workdir}")


TYPED_AFTER_FOCUS = "typed after the focus moved?"


def run_focus_check(timeout: float) -> int:
    """Move the focus off the prompt (Alt+→ to a pane, like a click), keep typing: every key,
    `?` included, must land in the prompt and no help screen may open."""
    sys.path.insert(0, str(REPO))
    from tests.support.replies import answer_then_vote  # noqa: PLC0415

    workdir = Path(tempfile.mkdtemp(prefix="mgtui-tmux-"))
    server, config = loopback_setup(workdir, 2, lambda i: answer_then_vote(f"Answer {i}."))
    tmux = Tmux(120, 40)
    try:
        tmux.start(mgtui_command(config), workdir, mgtui_env())
        tmux.wait_for(lambda s: "a1 · openai/m1" in s and "engine ready" in s, timeout, poll=0.05)
        tmux.send("M-Right")
        # The focus left the prompt once the footer no longer offers the prompt's "Send".
        tmux.wait_for(lambda s: "Send" not in (s.strip().splitlines() or [""])[-1], 5, poll=0.05)
        tmux.send(TYPED_AFTER_FOCUS, literal=True)
        _took, screen = tmux.wait_for(lambda s: TYPED_AFTER_FOCUS in s, 10, poll=0.05)
        if "Keys" in screen.splitlines()[0]:
            print("FAIL: the help screen opened", file=sys.stderr)
            return 1
        print("TYPED-AFTER-FOCUS-OK")
        print(screen)
        return 0
    except TimeoutError as error:
        print(f"TIMEOUT: {error}", file=sys.stderr)
        return 1
    finally:
        tmux.kill()
        server.stop()  # type: ignore[attr-defined]
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds from Enter to the final answer")
    parser.add_argument("--keep", action="store_true", help="leave the tmux session and files for inspection")
    parser.add_argument("--focus-typing", action="store_true",
                        help="instead: move the focus to a pane, type, and check the keys reach the prompt")
    args = parser.parse_args(argv)
    if shutil.which("tmux") is None:
        print("tmux is not installed (apt-get install -y tmux)", file=sys.stderr)
        return 2
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    if args.focus_typing:
        return run_focus_check(args.timeout)
    return run_check(args.agents, args.timeout, args.keep)


if __name__ == "__main__":
    sys.exit(main())
