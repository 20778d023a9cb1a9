"""Execution traces follow runs (not retries); snapshots keep every answer and expose the latest."""

from __future__ import annotations

import os
from pathlib import Path

from mgtui.engine.events import AgentStarted, TextDelta, ToolCall, ToolResult
from mgtui.tools.traces import TraceBook, fenced, render_trace
from mgtui.tools.workspaces import Workspaces


def test_trace_follows_one_run_through_retries_and_restarts_on_a_new_run() -> None:
    book = TraceBook()
    book.feed(AgentStarted(agent="a", reason="start", round=1))
    book.feed(TextDelta(agent="a", delta="Let me "))
    book.feed(TextDelta(agent="a", delta="look."))
    book.feed(ToolCall(agent="a", call_id="c1", name="read_file", arguments={"path": "x.py"}))
    book.feed(ToolResult(agent="a", call_id="c1", name="read_file", result="y" * 5000, duration_s=0.01))
    book.feed(AgentStarted(agent="a", reason="retry", attempt=2, round=1))
    book.feed(ToolCall(agent="b", call_id="c9", name="list_dir", arguments={}))  # another agent
    run = book.take("a")
    assert [e.kind for e in run.entries] == ["text", "call", "result"]
    assert run.entries[0].text == "Let me look."
    trace = render_trace("agent1.1", run, "The answer.", turn=1)
    assert "## Tool call `read_file` (c1)" in trace and '"path": "x.py"' in trace
    assert "[... 2000 more characters]" in trace  # results are clipped
    assert trace.rstrip().endswith("The answer.\n```")
    book.feed(AgentStarted(agent="a", reason="new answer agent2.1", round=2))
    assert book.take("a").entries == [] and book.take("a").round == 2


def test_fences_cannot_be_broken_out_of() -> None:
    block = fenced("```\n# not a heading\n```")
    assert block.startswith("````\n") and block.endswith("\n````")


async def test_snapshots_keep_each_answer_and_the_latest_is_visible(tmp_path: Path) -> None:
    spaces = Workspaces(tmp_path, {"alpha": "agent1", "beta": "agent2"})
    ws = spaces.workspace("alpha")
    (ws / "draft.md").write_text("v1")
    os.symlink("/etc/hostname", ws / "link")
    assert spaces.latest_for_anon("agent1") is None
    spaces.record_answer("alpha", 1, 1, "# trace 1")
    await spaces.settled()
    (ws / "draft.md").write_text("v2")
    spaces.record_answer("alpha", 1, 2, "# trace 2")
    await spaces.settled()
    first, second = tmp_path / "turn_1" / "alpha" / "snapshot_1", tmp_path / "turn_1" / "alpha" / "snapshot_2"
    assert (first / "draft.md").read_text() == "v1" and (second / "draft.md").read_text() == "v2"
    assert (second / "execution_trace.md").read_text() == "# trace 2"
    assert (tmp_path / "turn_1" / "alpha" / "execution_trace_1.md").read_text() == "# trace 1"
    assert (first / "link").is_symlink()  # copied as a link, so the policy still sees it escape
    assert spaces.latest_for_anon("agent1") == second
    assert spaces.latest_for_anon("agent2") is None and spaces.latest_for_anon("beta") is None
