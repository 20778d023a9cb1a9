"""`mgtui logs list|summary|analyze`: past sessions from the command line.

Exit codes: 0 done, 1 usage error or no such session, 2 the team gave no analysis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console, Group

from mgtui.cli.args import parse_args
from mgtui.cli.setup import SetupError, resolve
from mgtui.logs.analyze import build_prompt, run_analysis
from mgtui.logs.reader import read_events
from mgtui.logs.store import (
    SessionNotFound,
    default_log_root,
    latest_session,
    list_sessions,
    resolve_session,
)
from mgtui.logs.summary import SessionSummary, apply_costs, summarize
from mgtui.logs.tables import (
    agents_table,
    costs_table,
    ranking_table,
    sessions_table,
    turns_table,
    vote_flow_table,
)
from mgtui.logs.timeline import session_timeline
from mgtui.terminal_text import SafeRenderable, safe, safe_data, safe_json

EXIT_OK, EXIT_USAGE, EXIT_FAILED = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui logs", description="List, summarise and analyse past sessions.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    common.add_argument("--log-dir", help="folder of session logs (default: the config's log_dir, else ./.mgtui/logs)")
    common.add_argument("-c", "--config", help="config file (for its log_dir, and the team that --run asks)")
    sub = parser.add_subparsers(dest="command", required=True)
    lister = sub.add_parser("list", parents=[common], help="past sessions, newest first")
    lister.add_argument("--limit", type=int, default=None, help="show only the newest N")
    for name, text in (("summary", "per-agent numbers, vote flow and timeline"), ("analyze", "an analysis prompt built from the log")):
        cmd = sub.add_parser(name, parents=[common], help=text)
        cmd.add_argument("session", nargs="?", help="session id (or prefix) or log folder; default: the latest here")
        cmd.add_argument("--turn", type=int, action="append", help="only this turn (repeatable)")
    sub.choices["summary"].add_argument("--no-cost", action="store_true", help="skip prices (avoids importing LiteLLM)")
    analyze = sub.choices["analyze"]
    analyze.add_argument("--run", action="store_true", help="ask the configured team and save ANALYSIS.md next to the log")
    analyze.add_argument("-o", "--output", help="also write the prompt to this file")
    return parser


def _log_root(args: argparse.Namespace) -> Path:
    if args.log_dir:
        return Path(args.log_dir)
    try:
        loaded, _ = resolve(args.config)
    except SetupError:
        return default_log_root()
    return default_log_root(loaded.config.orchestrator.log_dir)


def _session_dir(args: argparse.Namespace, root: Path) -> Path:
    if args.session:
        return resolve_session(args.session, root)
    info = latest_session(Path.cwd(), root) or next((r for r in list_sessions(root) if r.readable), None)
    if info is None:
        raise SessionNotFound(f"no sessions under {root}")
    return info.path


def _print(renderable: Any) -> None:
    Console().print(SafeRenderable(renderable))  # a cell missed by `safe_data` still prints no escapes


def _list(args: argparse.Namespace, root: Path) -> int:
    rows = list_sessions(root, limit=args.limit)
    if args.json:
        print(safe_json(json.dumps({"log_dir": str(root), "sessions": [r.to_json() for r in rows]}, ensure_ascii=False)))
    elif rows:
        _print(sessions_table(safe_data(rows)))  # questions come from serve clients, text from models
    else:
        print(f"mgtui: no sessions under {root}", file=sys.stderr)
    return EXIT_OK


def _load_summary(folder: Path, turns: list[int] | None, for_tables: bool = False) -> SessionSummary:
    events, report = read_events(folder)
    for notice in report.notices:
        print(f"mgtui: {safe(notice)}", file=sys.stderr)
    if for_tables:  # model and client text shows its controls, never runs them (and keeps its width)
        events = [type(e).model_validate(safe_data(e.model_dump())) for e in events]
    summary = summarize(events, report.notices)
    if turns:
        summary.turns = [t for t in summary.turns if t.turn in turns]
    return summary


def _summary(args: argparse.Namespace, folder: Path) -> int:
    summary = _load_summary(folder, args.turn, for_tables=not args.json)
    if not args.no_cost and any(s.prompt_tokens or s.completion_tokens for s in summary.totals.values()):
        from mgtui.logs.cost import litellm_cost  # noqa: PLC0415 - imports LiteLLM (seconds): only when prices are wanted

        apply_costs(summary, litellm_cost)
    if args.json:
        data = summary.to_json(detail=False)
        data["path"] = str(folder)
        print(safe_json(json.dumps(data, ensure_ascii=False)))
        return EXIT_OK
    flows = [vote_flow_table(t) for t in summary.turns if t.rounds] + [ranking_table(t) for t in summary.turns if t.state.rankings]
    costs = costs_table(summary, with_cost=not args.no_cost)
    _print(Group(turns_table(summary), agents_table(summary), costs, *flows, session_timeline(summary)))
    return EXIT_OK


def _analyze(args: argparse.Namespace, folder: Path, root: Path) -> int:
    prompt = build_prompt(_load_summary(folder, None), args.turn)
    if args.output:
        Path(args.output).write_text(prompt, encoding="utf-8")
    if not args.run:
        print(safe_json(json.dumps({"path": str(folder), "prompt": prompt}, ensure_ascii=False)) if args.json else safe(prompt))
        return EXIT_OK
    try:
        loaded, source = resolve(args.config)
    except SetupError as exc:
        print(f"mgtui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"config: {source}; asking the team to analyse {folder.name}…", file=sys.stderr)
    try:
        out = asyncio.run(run_analysis(prompt, folder, loaded, root))
    except RuntimeError as exc:
        print(f"mgtui: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps({"path": str(folder), "analysis": str(out)}) if args.json else f"wrote {out}")
    return EXIT_OK


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parse_args(parser, argv)
    if isinstance(args, int):
        return args
    root = _log_root(args)
    if args.command == "list":
        return _list(args, root)
    try:
        folder = _session_dir(args, root)
    except SessionNotFound as exc:
        print(f"mgtui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.command == "summary":
        return _summary(args, folder)
    return _analyze(args, folder, root)
