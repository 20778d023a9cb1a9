"""Attachments as what they are: the log keeps the question as typed and lists the files apart;
`mgtui logs list` (session.json) shows chips, never the `<attached …>` text."""

from __future__ import annotations

import json
from pathlib import Path

from mgtui.question_text import with_chips
from mgtui.tui.attachments import resolve_prompt
from tests.engine.scenario_support import new_session, read_log
from tests.support import replies as R
from tests.support.model_server import ModelServer


async def test_turn_started_keeps_the_typed_question_and_lists_attachments(model_server: ModelServer, agent_config,
                                                                          tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("the secret body\n")
    resolved = resolve_prompt("Explain @notes.txt please", tmp_path)
    attachments = [{"path": a.path, "mode": "read", "bytes": a.size} for a in resolved.attachments]
    model_server.set_default(R.answer_then_vote("It is a note."))
    session = new_session(agent_config(["alpha"]), tmp_path / "logs")
    try:
        result = await session.ask(resolved.question, typed="Explain @notes.txt please", attachments=attachments)
    finally:
        session.close()
    log = read_log(result)
    started = log.one("turn_started")
    assert started.question == "Explain @notes.txt please"
    assert started.attachments == [{"path": "notes.txt", "mode": "read", "bytes": 16}]
    assert "the secret body" in model_server.requests[0].all_text  # the agents still get the file
    index = json.loads((Path(result.log_dir) / "session.json").read_text())
    assert index["turns"][0]["question"] == "Explain @notes.txt please  ⟨notes.txt · 16 B⟩"
    assert "<attached" not in index["turns"][0]["question"]


def test_writing_outside_the_working_directory_is_refused(tmp_path: Path) -> None:
    cwd, elsewhere = tmp_path / "cwd", tmp_path / "elsewhere"
    cwd.mkdir()
    elsewhere.mkdir()
    (elsewhere / "f.txt").write_text("x")
    resolved = resolve_prompt(f"edit @{elsewhere / 'f.txt'}:w", cwd)
    assert resolved.write_paths == []
    assert [a.writable for a in resolved.attachments] == [False] and resolved.attachments[0].outside
    assert any("writing outside the working directory is refused" in n for n in resolved.notices)


def test_chips_say_mode_and_size() -> None:
    chips = with_chips("Fix it\nmore", [{"path": "src/", "mode": "write", "bytes": 0}, {"path": "a.py", "mode": "read", "bytes": 2048}])
    assert chips == "Fix it …  ⟨src/ ✎⟩ ⟨a.py · 2.0 kB⟩"
