"""Argument parsing shared by the `mgtui <command>` entry points."""

from __future__ import annotations

import argparse

USAGE_ERROR = 1  # every mgtui command's exit code for bad arguments (argparse's own is 2)


def parse_args(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when argparse stopped: 0 after --help, else
    USAGE_ERROR (argparse has already printed why)."""
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else USAGE_ERROR
