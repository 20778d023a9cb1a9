"""`mgtui run`: one question, headless. Progress on stderr, the final answer on stdout.

Exit codes: 0 answered, 1 bad config or usage, 2 no live agent left, 3 timeout without
any answer, 130 cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path

from mgtui.cli.args import parse_args
from mgtui.terminal_text import safe, safe_json

EXIT_OK, EXIT_USAGE, EXIT_NO_AGENT, EXIT_TIMEOUT, EXIT_CANCELLED = 0, 1, 2, 3, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui run", description="Answer one question with the agent team, headless.")
    parser.add_argument("question", nargs="*", help="the question (or '-' to read it from stdin)")
    parser.add_argument("-c", "--config", help="config file, or @NAME for a shipped config (default: discovery)")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    parser.add_argument("--log-dir", help="folder for session logs (default ./.mgtui/logs)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--continue", dest="resume_latest", action="store_true", help="add a turn to the latest session here")
    group.add_argument("--session", help="add a turn to the session with this id")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("-v", "--verbose", action="store_true", help="more progress detail (restarts)")
    parser.add_argument("--no-write", action="store_true",
                        help="the presenter's changes to your files are logged as proposals, never written")
    return parser


def _question(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    text = " ".join(args.question).strip()
    if text == "-":
        text = sys.stdin.read().strip()
    if not text:
        parser.error("a question is required")
    return text


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parse_args(parser, argv)
    if isinstance(args, int):
        return args
    try:
        question = _question(args, parser)
    except SystemExit:
        return EXIT_USAGE

    from mgtui.cli.setup import SetupError, open_session  # noqa: PLC0415 - keeps --help fast

    try:
        session, source = open_session(args.config, args.log_dir, args.resume_latest, args.session)
    except SetupError as exc:
        print(f"mgtui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.quiet:
        from mgtui.cli.progress import ProgressPrinter  # noqa: PLC0415

        print(f"config: {source}", file=sys.stderr)
        session.add_sink(ProgressPrinter(verbose=args.verbose))
    session.review_writes = args.no_write  # nobody reviews them here: held means never written
    return asyncio.run(_run(session, question, args.json))


async def _run(session, question: str, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        if interrupted:  # a second Ctrl+C stops waiting for a clean finish
            raise KeyboardInterrupt
        interrupted = True
        print("\nmgtui: cancelling (partial answers are kept in the log)…", file=sys.stderr)
        session.cancel()

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    loop.add_signal_handler(signal.SIGTERM, on_sigint)
    try:
        result = await session.ask(question)
    except Exception as exc:  # e.g. the local model extra is missing: one clear line, no traceback
        from mgtui.cli.setup import describe_startup_error  # noqa: PLC0415

        print(f"mgtui: {safe(describe_startup_error(exc))}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        await session.aclose()
    if as_json:
        data = result.to_dict()
        data.pop("partial", None) if not data.get("partial") else None
        print(safe_json(json.dumps(data, ensure_ascii=False)))
    elif result.final_answer:
        print(safe(result.final_answer))  # model text: never terminal control sequences
        verb = "did not write (--no-write)" if session.review_writes else "wrote"
        for path in result.files_written:
            print(f"mgtui: {verb} {safe(path)}", file=sys.stderr)
    if result.status == "cancelled":
        return EXIT_CANCELLED
    if result.final_answer is not None:
        return EXIT_OK
    if result.status == "timeout":
        return EXIT_TIMEOUT
    if not as_json:
        print(f"mgtui: no answer: {safe(result.error or result.status)}; log: {Path(result.log_dir)}", file=sys.stderr)
        for dropped in result.dropped:
            print(f"mgtui: {safe(dropped['agent'])} dropped: {safe(dropped['reason'])}", file=sys.stderr)
    return EXIT_NO_AGENT
