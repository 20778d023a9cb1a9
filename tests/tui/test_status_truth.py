"""The status bar says which config runs and where it came from, and drops stale lines."""

from __future__ import annotations

from pathlib import Path

from mgtui.config.shipped import data_dir
from mgtui.tui.config_label import config_label
from tests.tui.engines import wait_until
from tests.tui.test_main_screen import make_app


def test_config_label_names_built_in_and_local_files(tmp_path: Path) -> None:
    shipped = sorted(data_dir("configs").glob("*.yaml"))[0]
    assert config_label(str(shipped)) == f"@{shipped.stem} · built-in"
    (tmp_path / ".mgtui").mkdir()
    assert config_label(str(tmp_path / ".mgtui" / "config.yaml"), tmp_path) == "./.mgtui/config.yaml"
    assert config_label(None) == ""


async def test_status_shows_the_config_and_clears_a_stale_line() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: screen.control.ready)
        assert screen.team.status.config == config_label("fixture.yaml")
        assert "fixture.yaml" in str(screen.team.status.render())
        screen.team.status.detail = "engine stopped (exit code -9)"
        await screen.action_restart_engine()
        await wait_until(pilot, lambda: screen.control.ready)
        assert screen.team.status.detail == ""
