"""YAML -> MgtuiConfig with ${VAR} interpolation and errors that name file, line and key.

Secrets: `${VAR}` values are resolved for the engine but remembered, so that the
redactor can strip them from every log line and the config can be shown as written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mgtui.config.models import MgtuiConfig
from mgtui.config.providers import model_warning
from mgtui.config.suggest import closest, did_you_mean, suggest_key
from mgtui.config.yaml_guard import YamlTooLarge, check_aliases

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass
class ConfigIssue:
    message: str
    path: str = ""  # dotted key path, e.g. agents[1].temperature
    line: int | None = None  # 1-based
    column: int | None = None

    def format(self, file: str) -> str:
        where = file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class ConfigError(Exception):
    """A config that cannot be used. `str()` lists every issue with file:line."""

    def __init__(self, file: str, issues: list[ConfigIssue], warnings: list[ConfigIssue] | None = None) -> None:
        self.file = file
        self.issues = issues
        self.warnings = warnings or []  # found alongside the errors (e.g. unknown providers)
        super().__init__("\n".join(i.format(file) for i in issues))


@dataclass
class LoadedConfig:
    config: MgtuiConfig
    path: str | None  # None for configs built in memory
    secrets: set[str] = field(default_factory=set)  # resolved values of ${VAR} references
    raw: dict[str, Any] = field(default_factory=dict)  # as written (no interpolation)
    warnings: list[ConfigIssue] = field(default_factory=list)  # usable, but probably not what was meant


def _parse(text: str, duplicates: list[ConfigIssue]) -> tuple[Any, dict[tuple[Any, ...], tuple[int, int]]]:
    """YAML text -> (data, key path -> (line, column)), parsing once.

    libyaml (CSafeLoader) is ~10x faster, which matters for validate-as-you-type; on a syntax
    error the pure-Python parser runs again so messages read the same on every install.
    """
    fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return _parse_with(fast, text, duplicates)
    except (yaml.YAMLError, UnicodeEncodeError):  # libyaml cannot even take lone surrogates
        if fast is yaml.SafeLoader:
            raise
        duplicates.clear()
        return _parse_with(yaml.SafeLoader, text, duplicates)


def _parse_with(loader_class: Any, text: str, duplicates: list[ConfigIssue]) -> tuple[Any, dict[tuple[Any, ...], tuple[int, int]]]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, {}
        check_aliases(root)  # before anything walks the graph: alias bombs and cycles
        index = _line_index(root, duplicates)  # before constructing: that flattens merge keys in place
        return loader.construct_document(root), index
    finally:
        loader.dispose()


def _line_index(root: yaml.Node, duplicates: list[ConfigIssue] | None = None) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Map key paths to (line, column) using the YAML node tree; note repeated keys in `duplicates`.

    PyYAML silently keeps the last of two equal keys, which would hide a setting.
    """
    index: dict[tuple[Any, ...], tuple[int, int]] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        index[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value
                key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                first = index.get(path + (key, "__key__"))
                if first is not None and duplicates is not None:
                    duplicates.append(ConfigIssue(f"duplicate key '{key}' (first at line {first[0]})", _format_path(path + (key,)), *key_pos))
                index[path + (key, "__key__")] = key_pos
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    walk(root, ())
    return index


def _format_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def interpolate(value: Any, secrets: set[str], missing: list[tuple[tuple[Any, ...], str]], path: tuple[Any, ...] = ()) -> Any:
    """Replace ${VAR} and ${VAR:-default} in every string; collect missing variables."""
    if isinstance(value, dict):
        return {k: interpolate(v, secrets, missing, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, secrets, missing, path + (i,)) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:

        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in os.environ:
                resolved = os.environ[name]
                if resolved:
                    secrets.add(resolved)
                return resolved
            if default is not None:
                return default
            missing.append((path, name))
            return ""

        return _VAR.sub(sub, value)
    return value


def validation_issues(error: ValidationError, index: dict[tuple[Any, ...], tuple[int, int]]) -> list[ConfigIssue]:
    issues: list[ConfigIssue] = []
    for err in error.errors():
        loc = tuple(err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key '{loc[-1]}'" + did_you_mean(suggest_key(loc[:-1], str(loc[-1])))
            pos = index.get(loc[:-1] + (loc[-1], "__key__")) or index.get(loc)
        else:
            pos = None
            probe = loc
            while probe and pos is None:
                pos = index.get(probe)
                probe = probe[:-1]
            pos = pos or index.get(())
        msg = _friendlier(err, msg)
        issues.append(ConfigIssue(msg, _format_path(loc), *(pos or (None, None))))
    return issues


def _friendlier(err: Any, msg: str) -> str:
    """Reword pydantic's generic messages where a config author needs something more direct."""
    loc, kind = tuple(err["loc"]), err["type"]
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "too_short" and loc == ("agents",):
        return "at least one agent is required"
    if kind == "literal_error" and isinstance(err.get("input"), str):
        choices = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        return f"{msg}{did_you_mean(closest(err['input'], choices))}"
    return msg


def _duplicate_ids(raw: dict[str, Any], index: dict[tuple[Any, ...], tuple[int, int]]) -> list[ConfigIssue]:
    """Repeated agent ids, found in the raw data so they show even when an agent has other errors."""
    agents = raw.get("agents")
    issues: list[ConfigIssue] = []
    first_line: dict[str, int | None] = {}
    for i, agent in enumerate(agents if isinstance(agents, list) else []):
        agent_id = agent.get("id") if isinstance(agent, dict) else None
        if not isinstance(agent_id, str):
            continue
        path = ("agents", i, "id")
        line, column = index.get(path, (None, None))
        if agent_id in first_line:
            where = f" (first at line {first_line[agent_id]})" if first_line[agent_id] else ""
            issues.append(ConfigIssue(f"duplicate agent id '{agent_id}'{where}", _format_path(path), line, column))
        else:
            first_line[agent_id] = line
    return issues


def _model_warnings(data: dict[str, Any], index: dict[tuple[Any, ...], tuple[int, int]]) -> list[ConfigIssue]:
    """Checked on the data, not the model, so warnings come with errors too."""
    agents = data.get("agents")
    issues = []
    for i, agent in enumerate(agents if isinstance(agents, list) else []):
        model = agent.get("model") if isinstance(agent, dict) else None
        warning = model_warning(model) if isinstance(model, str) and model else None
        if warning:
            path = ("agents", i, "model")
            issues.append(ConfigIssue(warning, _format_path(path), *index.get(path, (None, None))))
    return issues


def _parse_or_raise(text: str, file: str, duplicates: list[ConfigIssue]) -> tuple[Any, dict[tuple[Any, ...], tuple[int, int]]]:
    """`_parse`, with every way YAML can fail turned into a ConfigError at file:line."""
    try:
        return _parse(text, duplicates)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        hint = " (check the indentation)" if "<block end>" in problem else ""
        issue = ConfigIssue(f"YAML syntax error: {problem}{hint}")
        if mark is not None:
            issue.line, issue.column = mark.line + 1, mark.column + 1
        raise ConfigError(file, [issue]) from None
    except YamlTooLarge as exc:
        raise ConfigError(file, [ConfigIssue(str(exc), "", exc.line, exc.column)]) from None
    except RecursionError:  # nesting deeper than Python's stack (the alias check covers cycles)
        raise ConfigError(file, [ConfigIssue("the YAML nests too deeply", "", None, None)]) from None


def load_config_text(text: str, file: str = "<config>") -> LoadedConfig:
    """Parse and validate config text; raises ConfigError listing every issue."""
    duplicates: list[ConfigIssue] = []
    raw, index = _parse_or_raise(text, file, duplicates)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(file, [ConfigIssue("the top level must be a mapping with an 'agents' list", "", 1, 1)])
    secrets: set[str] = set()
    missing: list[tuple[tuple[Any, ...], str]] = []
    data = interpolate(raw, secrets, missing)
    issues = duplicates + _duplicate_ids(raw, index) + [
        ConfigIssue(f"environment variable ${{{name}}} is not set", _format_path(path), *index.get(path, (None, None)))
        for path, name in missing
    ]
    warnings = _model_warnings(data, index)
    try:
        config = MgtuiConfig.model_validate(data)
    except ValidationError as exc:
        # The model's own duplicate-id check is less precise than _duplicate_ids: keep ours.
        issues.extend(i for i in validation_issues(exc, index) if not i.message.startswith("duplicate agent id"))
        raise ConfigError(file, _by_position(issues), warnings) from None
    if issues:
        raise ConfigError(file, _by_position(issues), warnings)
    return LoadedConfig(
        config=config,
        path=None if file.startswith("<") else file,
        secrets=secrets,
        raw=raw,
        warnings=warnings,
    )


def _by_position(issues: list[ConfigIssue]) -> list[ConfigIssue]:
    """Issues in file order, so the list reads top to bottom like the file."""
    return sorted(issues, key=lambda i: (i.line is None, i.line or 0, i.column or 0))


def decode_config(data: bytes, file: str) -> str:
    """UTF-8 text of a config file, or a ConfigError naming where the bad bytes are."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise ConfigError(file, [ConfigIssue(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8", "", line, column)]) from None


def load_yaml_data(text: str, file: str = "<config>") -> Any:
    """Plain YAML data (no validation) under the same alias budget, for other YAML inputs
    such as MassGen configs; errors are ConfigError with file:line."""
    return _parse_or_raise(text, file, [])[0]


def load_config_file(path: str | os.PathLike[str]) -> LoadedConfig:
    file = str(path)
    try:
        text = decode_config(Path(path).read_bytes(), file)
    except OSError as exc:
        raise ConfigError(file, [ConfigIssue(f"cannot read config: {exc.strerror or exc}")]) from None
    loaded = load_config_text(text, file)
    loaded.path = file
    return loaded


def config_from_data(data: dict[str, Any] | MgtuiConfig) -> LoadedConfig:
    """A config built in code (Python API, tests). ${VAR} still resolves."""
    if isinstance(data, MgtuiConfig):
        return LoadedConfig(config=data, path=None, raw=data.model_dump(exclude_defaults=True))
    secrets: set[str] = set()
    missing: list[tuple[tuple[Any, ...], str]] = []
    resolved = interpolate(data, secrets, missing)
    issues = [ConfigIssue(f"environment variable ${{{name}}} is not set", _format_path(p)) for p, name in missing]
    try:
        config = MgtuiConfig.model_validate(resolved)
    except ValidationError as exc:
        issues.extend(validation_issues(exc, {}))
    if issues:
        raise ConfigError("<config>", issues)
    return LoadedConfig(config=config, path=None, secrets=secrets, raw=data)
