"""Hot reload: the watcher validates each change; PendingConfig applies it at the next turn only."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from mgtui.config.loader import ConfigError, ConfigIssue, LoadedConfig, load_config_text
from mgtui.config.pending import PendingConfig
from mgtui.config.watcher import ConfigChanged, ConfigInvalid, ConfigUpdate, watch_config

SAFETY_TIMEOUT_S = 30  # only stops a broken test from hanging; nothing asserts on time


def _config(agent_id: str) -> str:
    return f"agents:\n  - id: {agent_id}\n    model: openai/gpt-4o-mini\n"


def _loaded(agent_id: str) -> LoadedConfig:
    return load_config_text(_config(agent_id))


# -- PendingConfig: the rule, without any I/O -------------------------------------------------


def test_change_during_a_turn_waits_for_the_next_turn() -> None:
    pending = PendingConfig(_loaded("first"))
    config, applied = pending.begin_turn()  # turn 1 starts
    assert (config.config.agents[0].id, applied) == ("first", False)
    pending.offer(ConfigChanged(_loaded("second")))  # edited mid-turn
    assert pending.current.config.agents[0].id == "first"  # turn 1 keeps its config
    config, applied = pending.begin_turn()  # turn 2
    assert (config.config.agents[0].id, applied) == ("second", True)
    config, applied = pending.begin_turn()  # turn 3: nothing new
    assert (config.config.agents[0].id, applied) == ("second", False)


def test_invalid_edit_keeps_the_last_good_config_and_says_why() -> None:
    pending = PendingConfig(_loaded("first"))
    pending.offer(ConfigChanged(_loaded("second")))
    error = ConfigError("c.yaml", [ConfigIssue("at least one agent is required", "agents", 1, 9)])
    pending.offer(ConfigInvalid(error))
    assert pending.last_error is error
    config, applied = pending.begin_turn()
    assert (config.config.agents[0].id, applied) == ("second", True)  # the last *valid* edit
    pending.offer(ConfigChanged(_loaded("third")))
    assert pending.last_error is None


def test_only_the_newest_valid_change_is_applied() -> None:
    pending = PendingConfig(_loaded("first"))
    for name in ("a", "b", "c"):
        pending.offer(ConfigChanged(_loaded(name)))
    assert pending.begin_turn()[0].config.agents[0].id == "c"


# -- the watcher, on a real file ----------------------------------------------------------------


async def _update_after(updates: AsyncIterator[ConfigUpdate], change: Callable[[int], None]) -> ConfigUpdate:
    """Apply `change` until the watcher reports it (the watch may start after the first write)."""
    waiting = asyncio.ensure_future(anext(updates))
    attempt = 0
    async with asyncio.timeout(SAFETY_TIMEOUT_S):
        while not waiting.done():
            change(attempt)
            attempt += 1
            await asyncio.wait([waiting], timeout=0.3)
    return waiting.result()


async def test_watcher_reports_valid_and_invalid_changes(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(_config("start"))
    stop = asyncio.Event()
    updates = watch_config(path, stop_event=stop, debounce_ms=50)

    update = await _update_after(updates, lambda n: path.write_text(_config(f"edited{n}")))
    assert isinstance(update, ConfigChanged)
    assert update.loaded.config.agents[0].id.startswith("edited")
    assert update.loaded.path == str(path.resolve())

    update = await _update_after(updates, lambda n: path.write_text(f"agents: []\n# {n}\n"))
    assert isinstance(update, ConfigInvalid)
    assert [i.message for i in update.error.issues] == ["at least one agent is required"]

    def save_like_an_editor(n: int) -> None:  # write a temp file, rename it over the config
        tmp = tmp_path / f".config.yaml.{n}.tmp"
        tmp.write_text(_config(f"renamed{n}"))
        os.replace(tmp, path)

    update = await _update_after(updates, save_like_an_editor)
    assert isinstance(update, ConfigChanged)
    assert update.loaded.config.agents[0].id.startswith("renamed")
    stop.set()
    await updates.aclose()


async def test_other_files_in_the_folder_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(_config("start"))
    stop = asyncio.Event()
    updates = watch_config(path, stop_event=stop, debounce_ms=50)

    def touch_neighbour_then_config(n: int) -> None:
        (tmp_path / "other.yaml").write_text(f"agents: []\n# {n}\n")
        if n >= 3:  # give the neighbour writes a head start, then change the config itself
            path.write_text(_config(f"mine{n}"))

    update = await _update_after(updates, touch_neighbour_then_config)
    assert isinstance(update, ConfigChanged)  # never the neighbour's invalid content
    stop.set()
    await updates.aclose()
