"""`mgtui --web`: check where to bind, locate the config, and serve the app to browsers.

Every browser tab runs `python -m mgtui -c CONFIG` of its own under textual-serve, in
this process's working directory (so `@path` completes over the server's files).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from mgtui.cli.hosts import is_loopback
from mgtui.pyproc import module_command, pythonpath_with

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
HOST_ENV = "MGTUI_WEB_HOST"  # a default host from the environment; never enough on its own to expose
INSTALL_HINT = "mgtui --web needs the 'web' extra: pip install 'mgtui[web]'"
EXPOSED_WARNING = (
    "WARNING: mgtui --web is binding to {host}, not to loopback. Anyone who can reach "
    "port {port} gets the app and can run the configured models with your API keys, "
    "and read files under {cwd} through @path. Only requests addressed to {host} (or a loopback "
    "name) are answered: for other machines, pass --host the address or name they use."
)
REFUSED = "Refusing to bind to {host} from ${env}: pass --host {host} explicitly to expose the app."



def host_messages(host: str, port: int, explicit: bool) -> list[str]:
    if is_loopback(host):
        return []
    lines = [EXPOSED_WARNING.format(host=host, port=port, cwd=Path.cwd())]
    if not explicit:
        lines.append(REFUSED.format(host=host, env=HOST_ENV))
    return lines


def app_command(config_path: str, log_root: str | None, theme: str | None) -> str:
    """The shell command textual-serve runs per tab (`exec`: no shell left in between)."""
    argv = module_command("mgtui", "-c", config_path)  # -P: not the working folder on sys.path
    if log_root:
        argv += ["--log-root", str(Path(log_root).resolve())]
    if theme:
        argv += ["--theme", theme]
    return "exec " + shlex.join(argv)


def app_environment() -> None:
    """Make the per-tab command work from a checkout as well as from an installed package."""
    root = str(Path(__file__).resolve().parents[2])
    os.environ["PYTHONPATH"] = pythonpath_with(root, os.environ.get("PYTHONPATH"))


def url_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # all interfaces: show one that works here
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    return f"http://{shown}:{port}"


def terminal_only_option(args: argparse.Namespace) -> str | None:
    """Why an option of the terminal app cannot apply to `--web`, if one was given."""
    if args.question:
        return "a question cannot be given here; type it in the browser."
    if getattr(args, "continue_", False) or getattr(args, "session", None):
        # One session cannot be shared by several tabs.
        return "--continue/--session do not apply; each browser tab starts a new session."
    return None


def serve(args: argparse.Namespace) -> int:
    """Run the web server until Ctrl+C; returns the exit code."""
    if problem := terminal_only_option(args):
        print(f"mgtui --web: {problem}", file=sys.stderr)
        return 2
    host = args.host or os.environ.get(HOST_ENV) or DEFAULT_HOST
    port = DEFAULT_PORT if args.port is None else args.port
    explicit = args.host is not None
    for line in host_messages(host, port, explicit):
        print(line, file=sys.stderr)
    if not (explicit or is_loopback(host)):
        return 2
    try:
        from mgtui.web.browser_server import WebServer  # noqa: PLC0415 - the optional extra
    except ImportError as exc:
        print(f"{INSTALL_HINT}\n({exc})", file=sys.stderr)
        return 2
    from mgtui.config.discovery import find_config  # noqa: PLC0415
    from mgtui.config.loader import ConfigError  # noqa: PLC0415

    try:
        config_path, label = find_config(args.config, Path.cwd())
    except ConfigError as exc:
        print(f"mgtui --web: no usable config:\n{exc}", file=sys.stderr)
        return 2
    app_environment()
    banner = (
        f"mgtui web: serving on {url_for(host, port)}  (each browser tab runs its own session)\n"
        f"config: {label}\nPress Ctrl+C to stop."
    )
    server = WebServer(app_command(str(config_path), args.log_root, args.theme), host, port, banner)
    try:
        server.serve()
    except OSError as exc:  # most often: the port is taken
        print(f"mgtui --web: cannot serve on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # a second Ctrl+C during the clean-up; apps still die with us
        return 130
    return 0
