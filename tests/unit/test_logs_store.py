"""The session store: listing from the index, from the log without one, and unreadable folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mgtui.logs.store import (
    SessionNotFound,
    latest_session,
    list_sessions,
    read_session_info,
    resolve_session,
)
from tests.support.log_factory import make_session, make_sessions


def test_lists_newest_first_from_the_index(tmp_path: Path) -> None:
    folders = make_sessions(tmp_path, 5, turns=2)
    rows = list_sessions(tmp_path)
    assert [r.path for r in rows] == list(reversed(folders))
    index = json.loads((folders[0] / "session.json").read_text())
    row = next(r for r in rows if r.path == folders[0])
    assert row.source == "index" and row.warning is None
    assert row.first_question == index["turns"][0]["question"]
    assert row.winners == [t["winner"] for t in index["turns"]]
    assert row.models == [a["model"] for a in index["agents"]]
    assert list_sessions(tmp_path, limit=2) == rows[:2]


def test_without_index_the_log_tells_the_same_story(tmp_path: Path) -> None:
    with_index = read_session_info(make_session(tmp_path / "a", turns=3, seed=7))
    without = read_session_info(make_session(tmp_path / "b", turns=3, seed=7, with_index=False))
    assert without.source == "events" and without.warning
    assert (without.id, without.agents, without.first_question) == (with_index.id, with_index.agents, with_index.first_question)
    assert without.updated == with_index.updated and without.status == "ok"


def test_long_log_without_index_reads_head_and_tail(tmp_path: Path) -> None:
    folder = make_session(tmp_path, turns=30, chunks=20, seed=2, with_index=False)
    assert (folder / "events.jsonl").stat().st_size > 200_000
    info = read_session_info(folder)
    assert info.first_question and info.turns[-1].turn == 30 and info.turns[-1].status == "ok"


def test_unreadable_sessions_are_listed_with_a_warning(tmp_path: Path) -> None:
    make_session(tmp_path, seed=1)
    (tmp_path / "20261125-000000-badbad").mkdir()
    (tmp_path / "20261125-000000-badbad" / "events.jsonl").write_bytes(b"\x00\xff garbage\n")
    (tmp_path / "20261125-000001-noevent").mkdir()
    half_index = tmp_path / "20261125-000002-half"
    half_index.mkdir()
    (half_index / "session.json").write_text('{"id": "20261125-0000')
    rows = {r.id: r for r in list_sessions(tmp_path)}
    assert len(rows) == 4
    for bad in ("20261125-000000-badbad", "20261125-000001-noevent", "20261125-000002-half"):
        assert rows[bad].source == "unreadable" and rows[bad].warning and not rows[bad].readable


def test_latest_session_for_a_working_directory(tmp_path: Path) -> None:
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir(), elsewhere.mkdir()
    root = tmp_path / "logs"
    older = make_session(root, seed=1, cwd=str(here))
    newer = make_session(root, seed=5, cwd=str(here))
    make_session(root, seed=9, cwd=str(elsewhere))  # newest overall, but not here
    assert latest_session(here, root).path == newer != older
    assert latest_session(tmp_path / "nowhere", root) is None


def test_resolve_by_id_prefix_and_path(tmp_path: Path) -> None:
    a = make_session(tmp_path, seed=1)
    b = make_session(tmp_path, seed=2)
    assert resolve_session(a.name, tmp_path) == a
    assert resolve_session(b.name[:-3], tmp_path) == b
    assert resolve_session(str(a), tmp_path / "elsewhere") == a
    assert resolve_session(str(a / "events.jsonl"), tmp_path / "elsewhere") == a
    with pytest.raises(SessionNotFound, match="several"):
        resolve_session("2026", tmp_path)
    with pytest.raises(FileNotFoundError, match="no session"):
        resolve_session("19990101", tmp_path)
