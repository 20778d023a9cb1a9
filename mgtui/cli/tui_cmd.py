"""`mgtui [-c CONFIG] [QUESTION]`: open the full-screen app.

Only argparse and the app's own light modules load before the first frame; the config is
located and checked, and the engine process started, right after it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mgtui.tui.app import MgtuiApp

DEFAULT_LOG_ROOT = Path(".mgtui") / "logs"  # the engine's default (mgtui.engine.session)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui", description="Multi-agent LLM consensus in your terminal.")
    parser.add_argument("-c", "--config", help="config file or @name of a shipped config (default: discovered)")
    parser.add_argument("--log-dir", "--log-root", dest="log_root", help="folder for session logs (default: the config's, else ./.mgtui/logs)")
    parser.add_argument("--theme", help="theme name, e.g. mgtui-dark or mgtui-light")
    parser.add_argument("--help-app", action="help", help="show this help and exit")
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument("--continue", dest="continue_", action="store_true", help="continue the latest session")
    resume.add_argument("--session", metavar="ID", help="continue this session (an id under the log root, or a folder)")
    parser.add_argument("question", nargs="*", help="if given, the first turn starts with this question")
    web = parser.add_argument_group("browser", "serve the same app to web browsers (needs the 'web' extra)")
    web.add_argument("--web", action="store_true", help="serve the app over HTTP; each browser tab gets its own session")
    web.add_argument("--host", help="address to bind (default 127.0.0.1; anything else warns and must be given here)")
    web.add_argument("--port", type=int, help="port to serve on (default 8000)")
    return parser


def session_to_resume(log_root: Path, session: str | None, latest: bool) -> Path | None:
    """The session folder to continue; raises SystemExit with a message when there is none."""
    if session:
        folder = Path(session) if Path(session).is_dir() else log_root / session
        if not (folder / "events.jsonl").is_file():
            raise SystemExit(f"mgtui: no session {session!r} under {log_root}")
        return folder
    if latest:
        found = sorted(p.parent for p in log_root.glob("*/events.jsonl"))
        if not found:
            raise SystemExit(f"mgtui: no session to continue under {log_root}")
        return found[-1]  # ids start with a timestamp, so the last is the newest
    return None


def exit_code(app: MgtuiApp) -> int:
    """The app's exit code; a config still unusable at exit is reported in the shell (and is an error)."""
    if app.config_problem:
        print(f"mgtui: the config cannot be used:\n{app.config_problem}", file=sys.stderr)
        return 1
    return int(app.return_code or 0)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.web:
        from mgtui.web.launcher import serve

        return serve(args)
    resume = session_to_resume(Path(args.log_root) if args.log_root else DEFAULT_LOG_ROOT, args.session, args.continue_)
    from mgtui.tui.performance.frame_rate import prefer_quick_frames  # noqa: PLC0415

    prefer_quick_frames()
    from mgtui.tui.app import MgtuiApp

    question = " ".join(args.question).strip() or None
    # The config is located and validated after the first frame (in a thread): a broken one is
    # shown in the app with its file:line issues, to edit or quit (then printed here too).
    app = MgtuiApp(args.config, question, log_root=args.log_root, theme=args.theme,
                   session_dir=str(resume) if resume else None, tune_gc=True)
    app.run()
    return exit_code(app)
