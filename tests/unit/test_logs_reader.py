"""The tolerant events.jsonl reader: cut-off last lines and garbage are skipped, not fatal."""

from __future__ import annotations

from pathlib import Path

from mgtui.logs.reader import read_events
from tests.support.log_factory import make_session


def _log(tmp_path: Path) -> tuple[Path, list[str]]:
    folder = make_session(tmp_path, turns=1, seed=4)
    return folder, (folder / "events.jsonl").read_text().splitlines(keepends=True)


def test_complete_log_reads_every_line(tmp_path: Path) -> None:
    folder, lines = _log(tmp_path)
    events, report = read_events(folder)
    assert len(events) == len(lines) == report.events
    assert (report.garbage, report.truncated, report.notices) == (0, False, [])
    assert events[0].type == "session_started" and events[-1].type == "turn_finished"


def test_line_cut_off_mid_way_is_skipped_with_a_notice(tmp_path: Path) -> None:
    folder, lines = _log(tmp_path)
    last = lines[-1]
    (folder / "events.jsonl").write_text("".join(lines[:-1]) + last[: len(last) // 2])
    events, report = read_events(folder)
    assert len(events) == len(lines) - 1
    assert report.truncated and report.garbage == 0
    assert any("cut off" in n for n in report.notices)


def test_complete_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    folder, lines = _log(tmp_path)
    (folder / "events.jsonl").write_text("".join(lines).rstrip("\n"))
    events, report = read_events(folder)
    assert len(events) == len(lines) and not report.truncated


def test_garbage_lines_are_counted_and_skipped(tmp_path: Path) -> None:
    folder, lines = _log(tmp_path)
    bad = ["not json at all\n", '{"type": "no_such_event", "ts": "x"}\n', '{"type": "answer"}\n', "[1, 2]\n"]
    mixed = lines[:3] + bad[:2] + lines[3:10] + bad[2:] + ["\n"] + lines[10:]
    (folder / "events.jsonl").write_text("".join(mixed))
    events, report = read_events(folder / "events.jsonl")
    assert len(events) == len(lines)
    assert report.garbage == 4 and report.garbage_lines == [4, 5, 13, 14]
    assert not report.truncated and "skipped 4 unreadable line(s)" in report.notices[0]


def test_missing_log_is_reported_not_raised(tmp_path: Path) -> None:
    events, report = read_events(tmp_path / "nothing-here")
    assert events == [] and report.missing and report.notices
