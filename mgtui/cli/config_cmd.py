"""`mgtui config …`: validate, schema, list, init, import, show. Never imports LiteLLM."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from mgtui.config.loader import ConfigError, LoadedConfig, decode_config, load_config_file
from mgtui.terminal_text import safe

SECRET_KEYS = {"api_key"}


def _print_issues(loaded_or_error: LoadedConfig | ConfigError, file: str) -> None:
    """Errors and warnings interleaved in file order, as an editor would list them."""
    errors = loaded_or_error.issues if isinstance(loaded_or_error, ConfigError) else []
    tagged = [("error", i) for i in errors] + [("warning", w) for w in loaded_or_error.warnings]
    tagged.sort(key=lambda t: (t[1].line is None, t[1].line or 0, t[1].column or 0))
    for kind, issue in tagged:
        print(f"{kind}: {safe(issue.format(file))}", file=sys.stderr)  # messages quote the file's values


def _validate(args: argparse.Namespace) -> int:
    from mgtui.config.discovery import find_config

    targets = args.files or [None]
    failed = 0
    for target in targets:
        try:
            path, label = find_config(target, Path.cwd())
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            failed += 1
            continue
        shown = target if target and not target.startswith("@") else label
        try:
            loaded = load_config_file(path)
        except ConfigError as error:
            _print_issues(error, str(path))
            print(f"invalid: {shown} ({len(error.issues)} error{'s' if len(error.issues) != 1 else ''})")
            failed += 1
            continue
        _print_issues(loaded, str(path))
        agents = loaded.config.agents
        print(f"ok: {shown} ({len(agents)} agent{'s' if len(agents) != 1 else ''}: {', '.join(a.id for a in agents)})")
    return 1 if failed else 0


def _schema(args: argparse.Namespace) -> int:
    from mgtui.config.files import write_atomic
    from mgtui.config.schema import config_json_schema_text

    text = config_json_schema_text()
    if args.output:
        write_atomic(Path(args.output), text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _list(_: argparse.Namespace) -> int:
    from mgtui.config.shipped import shipped_configs

    configs = shipped_configs()
    width = max((len(c.name) for c in configs), default=0) + 1
    for config in configs:
        print(f"@{config.name.ljust(width)} {config.description}")
    return 0


def _init(args: argparse.Namespace) -> int:
    from mgtui.config.discovery import PROJECT_CONFIG
    from mgtui.config.files import write_atomic
    from mgtui.config.starter import starter_config

    path = Path(args.path) if args.path else Path.cwd() / PROJECT_CONFIG
    if path.exists() and not args.force:
        print(f"error: {path} exists; use --force to overwrite", file=sys.stderr)
        return 1
    write_atomic(path, starter_config(os.environ))
    print(f"wrote {path}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from mgtui.config.files import write_atomic
    from mgtui.config.massgen_import import import_massgen

    source = Path(args.file)
    try:
        result = import_massgen(decode_config(source.read_bytes(), str(source)), source.name)
    except ConfigError as error:  # broken YAML, not UTF-8, an alias bomb: file:line already in it
        print(f"error: {safe(str(error))}", file=sys.stderr)
        return 1
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"error: {source}: {safe(str(error))}", file=sys.stderr)
        return 1
    if args.output:
        if Path(args.output).exists() and not args.force:
            print(f"error: {args.output} exists; use --force to overwrite", file=sys.stderr)
            return 1
        write_atomic(Path(args.output), result.yaml_text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(result.yaml_text)
    for dropped in result.dropped:
        print(f"not carried over: {safe(dropped.path)}: {safe(dropped.why)}", file=sys.stderr)
    return 0


def _mask(value: Any, key: str = "") -> Any:
    """Hide secrets written literally; ${VAR} references are shown as written."""
    if isinstance(value, dict):
        return {k: _mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if key in SECRET_KEYS and isinstance(value, str) and not value.startswith("${"):
        return "********"
    return value


def _show(args: argparse.Namespace) -> int:
    from mgtui.config.discovery import resolve_config

    try:
        resolved = resolve_config(args.config, Path.cwd())
    except ConfigError as error:
        _print_issues(error, error.file)
        return 1
    print(f"# active config: {resolved.source_label}\n# file: {resolved.path}")
    sys.stdout.write(yaml.safe_dump(_mask(resolved.loaded.raw), sort_keys=False, allow_unicode=True))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mgtui config", description="Validate, list, create and import mgtui configs.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check config files (paths or @NAME); exit 1 if any has errors")
    p.add_argument("files", nargs="*", help="files to check (default: the active config)")
    p.set_defaults(func=_validate)
    p = sub.add_parser("schema", help="print the JSON schema (for yaml-language-server)")
    p.add_argument("-o", "--output", help="write it to this file")
    p.set_defaults(func=_schema)
    p = sub.add_parser("list", help="list the shipped example configs")
    p.set_defaults(func=_list)
    p = sub.add_parser("init", help="write a starter config using the API keys present (else the local model)")
    p.add_argument("path", nargs="?", help="where to write it (default ./.mgtui/config.yaml)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_init)
    p = sub.add_parser("import", help="convert a MassGen YAML config")
    p.add_argument("file")
    p.add_argument("-o", "--output", help="write the result here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(func=_import)
    p = sub.add_parser("show", help="print the active config as written (secrets stay ${VAR})")
    p.add_argument("-c", "--config", help="a config path or @NAME instead of discovery")
    p.set_defaults(func=_show)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
