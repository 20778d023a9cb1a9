"""`mgtui replay PATH|ID [--speed X]`: replay a recorded session in the full-screen app.

Exit codes: 0 done, 1 usage error or no such session.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from mgtui.cli.args import parse_args


def _speed(text: str) -> float:
    if text.lower() in ("instant", "inf", "max"):
        return math.inf
    value = float(text.rstrip("x×"))
    if not 0.5 <= value <= 20:
        raise argparse.ArgumentTypeError("speed must be between 0.5 and 20, or 'instant'")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui replay", description="Replay a recorded session in the TUI.")
    parser.add_argument("session", nargs="?", help="session id (or prefix) or log folder; default: the latest here")
    parser.add_argument("--speed", type=_speed, default=1.0, help="0.5 to 20 (times the original pace) or 'instant'")
    parser.add_argument("--log-dir", help="folder of session logs (default ./.mgtui/logs)")
    parser.add_argument("--paused", action="store_true", help="start paused (space resumes, n steps)")
    parser.add_argument("--theme", help="theme name, e.g. mgtui-dark or mgtui-light")
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parse_args(parser, argv)
    if isinstance(args, int):
        return args
    from mgtui.logs.store import (  # noqa: PLC0415
        SessionNotFound,
        default_log_root,
        latest_session,
        resolve_session,
    )

    root = Path(args.log_dir) if args.log_dir else default_log_root()
    try:
        if args.session:
            folder = resolve_session(args.session, root)
        elif (info := latest_session(Path.cwd(), root)) is not None:
            folder = info.path
        else:
            raise SessionNotFound(f"no sessions under {root}")
    except SessionNotFound as exc:
        print(f"mgtui: {exc}", file=sys.stderr)
        return 1
    from mgtui.tui.performance.frame_rate import prefer_quick_frames  # noqa: PLC0415

    prefer_quick_frames()
    from mgtui.tui.replay_app import ReplayApp  # noqa: PLC0415 - Textual loads only now

    app = ReplayApp(folder, speed=args.speed, paused=args.paused, theme=args.theme)
    app.run()
    return int(app.return_code or 0)
