"""`mgtui serve`: the team as an OpenAI-compatible HTTP endpoint (needs the `serve` extra).

Loopback only by default. Any other address needs `--allow-remote` and an API key (read
from the environment variable named by `--api-key-env`) that every /v1 request must send.
Clients get only the teams named with `-c` (default: the discovered one); teams with tools
need `--allow-tools`. Bodies, concurrent turns and the wait for one are bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
from typing import Any

from mgtui.cli.hosts import is_loopback
from mgtui.openai_server.limits import DEFAULT_MAX_BODY, DEFAULT_MAX_CONCURRENT, DEFAULT_QUEUE_TIMEOUT

DEFAULT_KEY_ENV = "MGTUI_API_KEY"
INSTALL_HINT = "mgtui serve needs the 'serve' extra: pip install 'mgtui[serve]'"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui serve", description="Serve the agent team as an OpenAI-compatible endpoint (model 'mgtui').")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; others need --allow-remote)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("-c", "--config", action="append", metavar="TEAM",
        help="a team to serve, as model mgtui/<name>: a config file or @NAME; repeatable, the first is also model 'mgtui' (default: the discovered config)")
    parser.add_argument("--allow-tools", action="store_true",
        help="also serve teams with context paths, agent workspaces, MCP servers, custom tools or hooks (refused with 403 otherwise)")
    parser.add_argument("--allow-build", action="store_true",
        help="let clients build teams from model strings (mgtui/build, mgtui/model:...) with the server's provider keys")
    parser.add_argument("--max-body", type=_size, default=DEFAULT_MAX_BODY, metavar="BYTES",
        help="largest request body (default 4M; K/M suffixes; larger gets 413)")
    parser.add_argument("--max-concurrent", type=_positive_int, default=DEFAULT_MAX_CONCURRENT, metavar="N",
        help=f"turns run at once (default {DEFAULT_MAX_CONCURRENT}); more requests wait")
    parser.add_argument("--queue-timeout", type=float, default=DEFAULT_QUEUE_TIMEOUT, metavar="SECONDS",
        help=f"how long a request waits for a turn before 429 + Retry-After (default {DEFAULT_QUEUE_TIMEOUT:g})")
    parser.add_argument("--api-key-env", default=DEFAULT_KEY_ENV, metavar="VAR",
        help=f"environment variable holding the API key clients must send (default {DEFAULT_KEY_ENV}; required off loopback)")
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host (an API key is then required)")
    parser.add_argument("--log-dir", help="folder for session logs (default ./.mgtui/logs)")
    return parser


def _size(text: str) -> int:
    """`4M`, `512K` or plain bytes."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    text = text.strip().lower()
    scale = units.get(text[-1:], 1)
    try:
        value = int(float(text[:-1] if scale != 1 else text) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (bytes, or with K/M/G)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _api_key(args: argparse.Namespace, loopback: bool) -> tuple[str | None, str | None]:
    """(key, error): off loopback the key is mandatory; on loopback it is used if set."""
    key = os.environ.get(args.api_key_env) or None
    if loopback:
        if args.api_key_env != DEFAULT_KEY_ENV and key is None:
            return None, f"--api-key-env {args.api_key_env}: that environment variable is not set"
        return key, None
    if not args.allow_remote:
        return None, f"refusing to listen on {args.host}: only loopback by default; pass --allow-remote and set an API key in ${args.api_key_env}"
    if key is None:
        return None, f"refusing to listen on {args.host} without an API key: set ${args.api_key_env} (or name another variable with --api-key-env)"
    return key, None


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    loopback = is_loopback(args.host)
    key, problem = _api_key(args, loopback)
    if problem:
        print(f"mgtui serve: {problem}", file=sys.stderr)
        return 1
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1

    from mgtui.cli.setup import SetupError  # noqa: PLC0415 - keeps --help fast

    try:  # fail now on a broken config, not on the first request
        teams = _offered_teams(args.config or [None], args.allow_tools)
    except SetupError as exc:
        print(f"mgtui serve: {exc}", file=sys.stderr)
        return 1
    from mgtui.openai_server.app import ServeSettings, create_app  # noqa: PLC0415

    settings = ServeSettings(
        config=teams[0].spec, config_label=teams[0].label, api_key=key, log_dir=args.log_dir, loopback_only=loopback,
        teams=teams, allow_tools=args.allow_tools, allow_build=args.allow_build,
        max_body=args.max_body, max_concurrent=args.max_concurrent, queue_timeout=max(0.0, args.queue_timeout),
    )
    try:
        return asyncio.run(_serve(create_app(settings), args.host, args.port, key is not None))
    except KeyboardInterrupt:  # uvicorn shuts down cleanly, then re-raises the Ctrl+C it caught
        return 0


def _offered_teams(config_args: list[str | None], allow_tools: bool) -> tuple[Any, ...]:
    """Each `-c` loaded once (errors now, not at the first request), named, and announced."""
    from mgtui.cli.setup import resolve  # noqa: PLC0415
    from mgtui.openai_server.teams import OfferedTeam, team_name, tool_uses  # noqa: PLC0415

    teams: list[OfferedTeam] = []
    for arg in config_args:
        loaded, label = resolve(arg)
        name = team_name(arg if arg is not None else loaded.path, {t.name for t in teams})
        description = f"{label}: {loaded.config.description}" if loaded.config.description else label
        teams.append(OfferedTeam(name, loaded.path or arg, description))
        uses = tool_uses(loaded.config)
        note = "" if not uses else " (uses " + "; ".join(uses) + (")" if allow_tools else "): refused without --allow-tools")
        print(f"mgtui serve: team mgtui/{name}{' (also mgtui)' if len(teams) == 1 else ''}: {label}{note}", file=sys.stderr)
    return tuple(teams)


async def _serve(app: Any, host: str, port: int, with_key: bool) -> int:
    import uvicorn  # noqa: PLC0415

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.05)
    if server.started:
        bound = server.servers[0].sockets[0].getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        auth = "API key required" if with_key else "no API key"
        print(f"mgtui serve: listening on http://{shown}:{bound}/v1 ({auth}; Ctrl+C stops)", file=sys.stderr, flush=True)
    await task
    return 0 if server.started else 1
