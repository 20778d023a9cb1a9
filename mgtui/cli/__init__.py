"""`mgtui` entry point: dispatches to a sub-command module without importing heavy code.

`mgtui --help` and `mgtui --version` import nothing but argparse: LiteLLM takes seconds
to import and Textual a good fraction of one.
"""

from __future__ import annotations

import sys
from importlib import import_module

# sub-command -> (module under mgtui.cli, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run_cmd", "answer one question headless: progress on stderr, the final answer on stdout"),
    "config": ("config_cmd", "validate, list, show the schema of, create or import configs"),
    "logs": ("logs_cmd", "list, summarise and analyse past sessions"),
    "replay": ("replay_cmd", "replay a recorded session in the TUI"),
    "serve": ("serve_cmd", "serve the team as an OpenAI-compatible HTTP endpoint"),
    "eval": ("eval_cmd", "measure the team against each member alone and their majority vote"),
}

USAGE = """usage: mgtui [-c CONFIG] [--continue | --session ID] [--web] [QUESTION]
       mgtui COMMAND [ARGS]   (COMMAND --help for details)

Multi-agent LLM consensus: several agents answer in parallel, see each other's answers,
vote, and the most-voted agent presents the final answer.

commands:
{commands}

With no command, mgtui opens the full-screen app (`mgtui --help-app` for its options).
"""


def _usage() -> str:
    width = max(len(n) for n in COMMANDS)
    lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items())
    return USAGE.format(commands=lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(_usage())
        return 0
    if args and args[0] in ("-V", "--version"):
        from mgtui import __version__

        print(f"mgtui {__version__}")
        return 0
    if args and args[0] in COMMANDS:
        module = import_module(f"mgtui.cli.{COMMANDS[args[0]][0]}")
        return int(module.main(args[1:]) or 0)
    module = import_module("mgtui.cli.tui_cmd")
    return int(module.main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
