"""`mgtui eval DATASET -c TEAM`: does the team beat its best member, on these questions?

Per question: the team's consensus (a normal session under OUT/sessions, replayable),
each member alone, and the members' majority vote. Progress on stderr; the table (or
`--json`) on stdout; OUT holds results.jsonl, report.md and report.svg. Rerunning with the
same --out skips the questions already scored. Exit codes: 0 done, 1 usage or setup
error, 130 interrupted (what finished is kept and reported).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mgtui.cli.args import parse_args

EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mgtui eval",
        description="Measure the team against each member alone and their majority vote.",
        epilog="DATASET: a JSONL file of {\"id\"?, \"question\", \"answer\", \"choices\"?} lines, or @arithmetic "
        "(generated word problems; @arithmetic:1..3 for one difficulty level).",
    )
    parser.add_argument("dataset", help="JSONL file or @arithmetic[:LEVEL]")
    parser.add_argument("-c", "--config", help="team config file, or @NAME for a shipped config (default: discovery)")
    parser.add_argument("--n", type=int, help="number of questions (default: all; @arithmetic: 30)")
    parser.add_argument("--seed", type=int, help="shuffle a file / generate @arithmetic with this seed (@arithmetic default 0)")
    parser.add_argument("--concurrency", type=int, default=2, help="questions at a time (default 2)")
    parser.add_argument("--singles", action=argparse.BooleanOptionalAction, default=True,
                        help="also ask each member alone, and take their majority vote (default: yes)")
    parser.add_argument("--out", help="results folder; reuse it to resume (default: LOG_ROOT/evals/<time>-<suite>)")
    parser.add_argument("--score", choices=("exact", "number", "choice"),
                        help="how answers are read (default: choice with choices, number when all answers are numbers, else exact)")
    parser.add_argument("--log-dir", help="log root (default ./.mgtui/logs or the config's log_dir)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of the table")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def _fail(message: str) -> int:
    print(f"mgtui eval: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parse_args(parser, argv)
    if isinstance(args, int):
        return args
    if args.n is not None and args.n < 1:
        return _fail("--n must be at least 1")
    if args.concurrency < 1:
        return _fail("--concurrency must be at least 1")

    from mgtui.cli.setup import SetupError, resolve  # noqa: PLC0415 - keeps --help fast
    from mgtui.eval import scoring  # noqa: PLC0415
    from mgtui.eval.dataset import DatasetError, load_dataset  # noqa: PLC0415
    from mgtui.eval.store import EvalStoreError, default_out, open_folder  # noqa: PLC0415
    from mgtui.logs.store import default_log_root  # noqa: PLC0415

    try:
        dataset = load_dataset(args.dataset, args.n, args.seed)
    except DatasetError as exc:
        return _fail(str(exc))
    mode = args.score or scoring.auto_mode(dataset.questions)
    if mode == "choice" and (bad := [q.id for q in dataset.questions if not q.choices]):
        return _fail(f"--score choice needs choices; {len(bad)} question(s) have none (first: {bad[0]})")
    try:
        loaded, source = resolve(args.config)
    except SetupError as exc:
        return _fail(str(exc))
    log_root = Path(args.log_dir) if args.log_dir else default_log_root(loaded.config.orchestrator.log_dir)
    out = Path(args.out) if args.out else default_out(log_root, dataset.label)
    seed = args.seed if args.seed is not None or not dataset.label.startswith("@") else 0
    meta: dict[str, Any] = {
        "suite": dataset.label if dataset.label.startswith("@") else Path(dataset.label).name,
        "dataset": dataset.label if dataset.label.startswith("@") else str(Path(dataset.label).resolve()),
        "created": datetime.now(UTC).isoformat(timespec="seconds"), "seed": seed, "score": mode, "config": source, "n": len(dataset.questions),
            "singles": args.singles,
        "team": [{"id": a.id, "model": a.model, "temperature": a.temperature, "system_message": a.system_message}
                 for a in loaded.config.agents],
    }
    try:
        meta = open_folder(out, meta)
    except (EvalStoreError, OSError) as exc:
        return _fail(str(exc))
    return asyncio.run(_run(args, dataset, mode, loaded, out, meta))


async def _run(args: argparse.Namespace, dataset: Any, mode: Any, loaded: Any, out: Path, meta: dict[str, Any]) -> int:
    from mgtui.cli.setup import describe_startup_error  # noqa: PLC0415
    from mgtui.eval.finish import done_questions, write_reports  # noqa: PLC0415
    from mgtui.eval.progress import EvalProgress  # noqa: PLC0415
    from mgtui.eval.runner import EvalPlan, EvalRunner  # noqa: PLC0415
    from mgtui.eval.store import append_question, read_meta, read_results, write_meta  # noqa: PLC0415

    agents = [a.id for a in loaded.config.agents]
    done = done_questions(read_results(out), agents, args.singles)
    todo = [q for q in dataset.questions if q.id not in done]
    progress = EvalProgress(len(dataset.questions), len(dataset.questions) - len(todo), agents if args.singles else [])
    if not args.quiet:
        print(f"mgtui eval: {len(dataset.questions)} question(s) from {dataset.label}, {len(dataset.questions) - len(todo)} "
              f"already scored; scoring: {mode}; team: {', '.join(agents)}; results: {out}", file=sys.stderr)

    def record(records: list[dict[str, Any]]) -> None:
        append_question(out, records)
        if not args.quiet:
            progress.add(records)

    runner = EvalRunner(EvalPlan(loaded, mode, out, args.singles, args.concurrency), record)
    interrupted = False
    if todo:
        loop = asyncio.get_running_loop()
        main_task = asyncio.current_task()

        def on_signal() -> None:
            nonlocal interrupted
            if interrupted and main_task is not None:  # a second Ctrl+C stops waiting
                main_task.cancel()
                return
            interrupted = True
            runner.stop()
            progress.say(f"mgtui eval: stopping; finished questions are kept. Resume with --out {out}")

        # Installed before the (seconds-long) LiteLLM import: an early Ctrl+C is still clean.
        loop.add_signal_handler(signal.SIGINT, on_signal)
        loop.add_signal_handler(signal.SIGTERM, on_signal)
        try:
            try:
                await runner.prepare()
            except Exception as exc:  # e.g. the local extra is missing: one clear line
                return _fail(describe_startup_error(exc))
            if not args.quiet and not runner.stopping:
                progress.start()
            await runner.run(todo)
        except asyncio.CancelledError:
            interrupted = True
        finally:
            progress.finish()
            loop.remove_signal_handler(signal.SIGINT)
            loop.remove_signal_handler(signal.SIGTERM)
    write_meta(out, {**meta, "status": "interrupted" if interrupted else "done"})
    meta = read_meta(out) or meta  # with its `updated` time, for the report
    summary = write_reports(out, meta, [q.id for q in dataset.questions])
    if args.json:
        print(json.dumps({**summary.to_json(), "out": str(out), "interrupted": interrupted}, ensure_ascii=False))
    else:
        from mgtui.eval.report import table  # noqa: PLC0415

        print(table(summary))
        print(f"\nreport: {out / 'report.md'} · chart: {out / 'report.svg'} · team sessions: {out / 'sessions'}")
    return EXIT_INTERRUPTED if interrupted else EXIT_OK
