"""`mgtui [-c CONFIG] [QUESTION]`: open the full-screen app.

Only argparse and the app's own light modules load before the first frame; the config is
located and the engine process started right after it.
"""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui", description="Multi-agent LLM consensus in your terminal.")
    parser.add_argument("-c", "--config", help="config file or @name of a shipped config (default: discovered)")
    parser.add_argument("--log-root", help="folder for session logs (default: the config's, else ./.mgtui/logs)")
    parser.add_argument("--theme", help="theme name, e.g. mgtui-dark or mgtui-light")
    parser.add_argument("question", nargs="*", help="if given, the first turn starts with this question")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from mgtui.tui.app import MgtuiApp  # noqa: PLC0415 - keep `mgtui --help` instant

    question = " ".join(args.question).strip() or None
    app = MgtuiApp(args.config, question, log_root=args.log_root, theme=args.theme)
    app.run()
    return int(app.return_code or 0)
