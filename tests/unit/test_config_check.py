"""The app's after-first-frame config check: never raises, always says what is wrong."""

from __future__ import annotations

from pathlib import Path

from mgtui.config.check import check_config


def test_a_usable_config_passes(tmp_path: Path) -> None:
    config = tmp_path / "ok.yaml"
    config.write_text("agents:\n  - id: a\n    model: openai/x\n", encoding="utf-8")
    result = check_config(str(config), tmp_path)
    assert result.path == config and result.problem is None


def test_issues_name_file_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("agents:\n  - id: a\n    modle: openai/x\n", encoding="utf-8")
    result = check_config(str(config), tmp_path)
    assert result.path == config
    assert f"{config}:3:5: agents[0].modle: unknown key 'modle'" in (result.problem or "")


def test_a_missing_file_and_an_unreadable_encoding_are_problems_not_crashes(tmp_path: Path) -> None:
    missing = check_config(str(tmp_path / "nope.yaml"), tmp_path)
    assert missing.path is None and "no such config file" in (missing.problem or "")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("agents:\n  - id: caf\xe9\n    model: openai/x\n".encode("latin-1"))
    result = check_config(str(latin1), tmp_path)
    assert result.path == latin1 and f"{latin1}:2:12: not UTF-8" in (result.problem or "")  # where the bad byte is
