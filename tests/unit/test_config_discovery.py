"""Which config is active: --config | @NAME | ./.mgtui/config.yaml | user dir | @local."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgtui.config.discovery import find_config, resolve_config, user_config_path
from mgtui.config.loader import ConfigError
from mgtui.config.shipped import data_dir


def _write(path: Path, agent_id: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"agents:\n  - id: {agent_id}\n    model: openai/gpt-4o-mini\n")
    return path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A project dir, a user config dir (via XDG_CONFIG_HOME), and an explicit file."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    cwd = tmp_path / "project"
    cwd.mkdir()
    return {
        "cwd": cwd,
        "explicit": _write(cwd / "team.yaml", "explicit"),
        "project": cwd / ".mgtui" / "config.yaml",
        "user": tmp_path / "xdg" / "mgtui" / "config.yaml",
    }


def test_user_config_dir_follows_platform_conventions(places: dict[str, Path]) -> None:
    assert user_config_path() == places["user"]


def test_order_is_explicit_then_project_then_user_then_default(places: dict[str, Path]) -> None:
    cwd = places["cwd"]
    _write(places["project"], "project")
    _write(places["user"], "user")

    resolved = resolve_config("team.yaml", cwd)
    assert (resolved.path, resolved.source_label) == (places["explicit"], "--config team.yaml")
    assert resolved.loaded.config.agents[0].id == "explicit"

    resolved = resolve_config(None, cwd)
    assert (resolved.path, resolved.source_label) == (places["project"], "./.mgtui/config.yaml")
    assert resolved.loaded.config.agents[0].id == "project"

    places["project"].unlink()
    resolved = resolve_config(None, cwd)
    assert (resolved.path, resolved.source_label) == (places["user"], f"{places['user']} (user config)")
    assert resolved.loaded.config.agents[0].id == "user"

    places["user"].unlink()
    path, label = find_config(None, cwd)
    assert (path, label) == (data_dir("configs") / "local.yaml", "@local (built-in default)")


def test_at_name_picks_a_shipped_config(places: dict[str, Path]) -> None:
    _write(places["project"], "project")  # an explicit @NAME beats the project file
    resolved = resolve_config("@cloud", places["cwd"])
    assert (resolved.path, resolved.source_label) == (data_dir("configs") / "cloud.yaml", "@cloud (shipped)")
    assert find_config("@cloud.yaml", places["cwd"])[0] == resolved.path


def test_unknown_at_name_lists_the_shipped_ones(places: dict[str, Path]) -> None:
    with pytest.raises(ConfigError) as caught:
        find_config("@clod", places["cwd"])
    message = caught.value.issues[0].message
    assert message.startswith("no shipped config named '@clod' (did you mean 'cloud'?); shipped: ")
    assert "@council" in message


def test_missing_explicit_file_is_an_error_not_a_fallback(places: dict[str, Path]) -> None:
    _write(places["project"], "project")
    with pytest.raises(ConfigError) as caught:
        resolve_config("nope.yaml", places["cwd"])
    assert str(caught.value) == "nope.yaml: no such config file"


def test_an_invalid_project_config_is_reported_not_skipped(places: dict[str, Path]) -> None:
    places["project"].parent.mkdir()
    places["project"].write_text("agents: []\n")
    with pytest.raises(ConfigError) as caught:
        resolve_config(None, places["cwd"])
    assert caught.value.file == str(places["project"])
