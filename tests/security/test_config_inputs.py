"""Hostile config files: alias bombs, recursive anchors, non-UTF-8 bytes, MassGen shapes.

Each one ends as a config error with file:line, never a traceback, a hang or gigabytes.
"""

from __future__ import annotations

import itertools
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mgtui.cli.config_cmd import main as config_main
from mgtui.config.loader import ConfigError, load_config_file, load_config_text
from mgtui.config.massgen_import import import_massgen

AGENTS = "agents:\n  - id: a\n    model: openai/x\n"


def _bomb(levels: int, width: int = 10) -> str:
    """Billion laughs: each level a list of `width` aliases of the one before."""
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['lol'] * width)}]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n" + AGENTS


def test_an_alias_bomb_is_a_config_error_on_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(5))  # 111,111 nodes once expanded: quick to walk even unguarded
    assert config_main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"error: {path}:5:" in err and "alias bomb" in err, err


def test_the_700_byte_billion_laughs_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(9))
    assert len(path.read_bytes()) < 800

    def cap_memory() -> None:  # an unguarded loader would take gigabytes: fail instead of swapping the machine
        resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))

    done = subprocess.run([str(Path(sys.executable).parent / "mgtui"), "config", "validate", str(path)], capture_output=True, text=True,
                          timeout=120, preexec_fn=cap_memory)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{path}:" in done.stderr and "alias bomb" in done.stderr


def test_merge_keys_within_the_budget_still_work() -> None:
    text = "agents:\n  - &d {id: a0, model: openai/x, temperature: 0.2}\n" + "".join(f"  - {{<<: *d, id: a{i}}}\n" for i in range(1, 12))
    agents = load_config_text(text).config.agents
    assert [a.id for a in agents] == [f"a{i}" for i in range(12)] and {a.temperature for a in agents} == {0.2}


def test_a_recursive_anchor_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        load_config_text("a: &a [*a]\n" + AGENTS, "loop.yaml")
    (issue,) = info.value.issues
    assert issue.line == 1 and "recursive" in issue.message


def test_non_utf8_file_is_a_config_error_with_its_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"agents:\n  - id: a\n    model: openai/caf\xe9\n")
    with pytest.raises(ConfigError) as info:
        load_config_file(path)
    (issue,) = info.value.issues
    assert (issue.line, issue.column) == (3, 22) and "UTF-8" in issue.message
    assert config_main(["validate", str(path)]) == 1
    assert f"error: {path}:3:22: not UTF-8" in capsys.readouterr().err
    assert config_main(["import", str(path)]) == 1  # the MassGen importer says the same
    assert f"{path}:3:22: not UTF-8" in capsys.readouterr().err


def test_massgen_import_refuses_an_alias_bomb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "massgen.yaml"
    path.write_text(_bomb(5))
    assert config_main(["import", str(path)]) == 1
    assert "alias bomb" in capsys.readouterr().err


def test_massgen_mcp_servers_as_a_mapping_are_imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = """agents:
  - id: researcher
    backend:
      type: openai
      model: gpt-4o
      mcp_servers:
        weather:
          type: stdio
          command: npx
          args: [-y, weather-mcp]
        notes:
          type: streamable-http
          url: http://localhost:9000/mcp
        broken: just-a-string
"""
    result = import_massgen(source)
    config = load_config_text(result.yaml_text).config
    assert [(s.name, s.command, s.url) for s in config.agents[0].mcp_servers] == [
        ("weather", "npx", None), ("notes", None, "http://localhost:9000/mcp")]
    assert "agents[0].backend.mcp_servers.broken" in {d.path for d in result.dropped}
    path = tmp_path / "massgen.yaml"
    path.write_text(source)
    assert config_main(["import", str(path)]) == 0  # the CLI crashed with AttributeError on this shape
    assert yaml.safe_load(capsys.readouterr().out)["agents"][0]["mcp_servers"][0]["name"] == "weather"


async def test_hot_reload_of_a_non_utf8_save_is_an_invalid_config_not_a_dead_watcher(tmp_path: Path) -> None:
    import asyncio  # noqa: PLC0415

    from mgtui.config.watcher import ConfigChanged, ConfigInvalid, watch_config  # noqa: PLC0415
    from tests.unit.test_config_reload import _update_after  # noqa: PLC0415 - the retrying helper

    path = tmp_path / "config.yaml"
    path.write_text(AGENTS)
    stop = asyncio.Event()
    updates = watch_config(path, stop_event=stop, debounce_ms=50)
    update = await _update_after(updates, lambda n: path.write_bytes(AGENTS.encode() + f"# caf\xe9 {n}\n".encode("latin-1")))
    assert isinstance(update, ConfigInvalid) and "not UTF-8" in update.error.issues[0].message
    update = await _update_after(updates, lambda n: path.write_text(AGENTS + f"# fixed {n}\n"))
    assert isinstance(update, ConfigChanged)  # still watching
    stop.set()
    await updates.aclose()
