"""`mgtui serve`: the team as an OpenAI-compatible HTTP endpoint (needs the `serve` extra).

Loopback only by default. Any other address needs `--allow-remote` and an API key (read
from the environment variable named by `--api-key-env`) that every /v1 request must send.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import sys
from typing import Any

from mgtui.cli.hosts import is_loopback

DEFAULT_KEY_ENV = "MGTUI_API_KEY"
INSTALL_HINT = "mgtui serve needs the 'serve' extra: pip install 'mgtui[serve]'"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui serve", description="Serve the agent team as an OpenAI-compatible endpoint (model 'mgtui').")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; others need --allow-remote)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("-c", "--config", help="the team served as model 'mgtui': a config file or @NAME (default: discovery)")
    parser.add_argument("--api-key-env", default=DEFAULT_KEY_ENV, metavar="VAR", help=f"environment variable holding the API key clients must send (default {DEFAULT_KEY_ENV}; required off loopback)")
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host (an API key is then required)")
    parser.add_argument("--log-dir", help="folder for session logs (default ./.mgtui/logs)")
    return parser



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

    from mgtui.cli.setup import SetupError, resolve  # noqa: PLC0415 - keeps --help fast

    try:  # fail now on a broken config, not on the first request
        loaded, label = resolve(args.config)
    except SetupError as exc:
        print(f"mgtui serve: {exc}", file=sys.stderr)
        return 1
    from mgtui.serve.app import ServeSettings, create_app  # noqa: PLC0415

    settings = ServeSettings(config=loaded.path or args.config, config_label=label, api_key=key, log_dir=args.log_dir, loopback_only=loopback)
    try:
        return asyncio.run(_serve(create_app(settings), args.host, args.port, key is not None))
    except KeyboardInterrupt:  # uvicorn shuts down cleanly, then re-raises the Ctrl+C it caught
        return 0


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
