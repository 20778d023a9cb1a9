"""The one event -> message adapter, and widgets fed by it."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from mgtui.config.shipped import data_dir
from mgtui.engine import events as ev
from mgtui.tui import messages as m
from mgtui.tui.themes import load_themes, theme_from_file
from mgtui.tui.widgets.agent_pane import AgentPane, ToolRow

# Smallest valid instance of each event type (required fields only).
REQUIRED: dict[str, dict[str, Any]] = {
    "session_started": {"config": {}, "agents": []},
    "turn_started": {"question": "q", "history_len": 0},
    "agent_started": {"agent": "a"},
    "text": {"agent": "a", "delta": "d"},
    "tool_call": {"agent": "a", "name": "read_file"},
    "tool_result": {"agent": "a", "name": "read_file"},
    "hook_run": {"agent": "a", "hook": "PreToolUse", "handler": "m:f", "tool": "write_file", "outcome": "deny"},
    "answer": {"agent": "a", "label": "agent1.1", "content": "c"},
    "vote": {"agent": "a", "target": "b", "label": "agent2.1"},
    "vote_ignored": {"agent": "a", "target": "b"},
    "votes_reset": {"by": "a"},
    "agent_error": {"agent": "a", "error": "boom"},
    "agent_stopped": {"agent": "a"},
    "usage": {"agent": "a"},
    "consensus": {"winner": "a", "tally": {"a": 1}},
    "ranking": {"agent": "a", "order": ["b", "a"]},
    "final_started": {"agent": "a", "strategy": "winner_present"},
    "final_answer": {"agent": "a", "content": "c"},
    "turn_finished": {"status": "ok"},
    "notice": {"message": "hello"},
    "hint": {"text": "use Celsius", "to": ["alpha"]},
    "writes_proposed": {"files": [{"path": "/p/a.md", "diff": "+x", "bytes": 1, "new": True}]},
    "writes_decided": {"applied": ["/p/a.md"], "rejected": []},
}


def test_every_event_type_is_posted_whole_and_terminal_safe() -> None:
    """No twin classes: the screen gets the parsed event itself, its controls made visible."""
    assert set(REQUIRED) == set(ev.EVENT_TYPES), "a new event type needs a smallest instance here"
    posted: list[object] = []

    class Target:
        def post_message(self, message: object) -> bool:
            posted.append(message)
            return True

    for kind, fields in REQUIRED.items():
        event = ev.parse_event({"type": kind, "turn": 3, **fields})
        assert m.post_event(Target(), event)  # type: ignore[arg-type]
        message = posted[-1]
        assert isinstance(message, m.EngineEvent) and type(message.event) is type(event) and message.event.turn == 3
    m.post_event(Target(), ev.VoteCast(agent="a", target="b", label="agent2.1", reason="ok\x1b]52;c;AAAA\x07"))  # type: ignore[arg-type]
    assert "\x1b" not in posted[-1].event.reason  # type: ignore[attr-defined]


def test_old_free_text_reasons_read_as_typed_fields() -> None:
    old = ev.parse_event({"type": "agent_started", "agent": "a", "reason": "new answer agent2.1"})
    assert (old.reason, old.after_label) == ("restart", "agent2.1")  # type: ignore[attr-defined]
    assert ev.parse_event({"type": "agent_started", "agent": "a", "reason": "next round"}).reason == "next"  # type: ignore[attr-defined]
    assert ev.parse_event({"type": "agent_stopped", "agent": "a", "why": "restarted: next round"}).restart  # type: ignore[attr-defined]
    assert not ev.parse_event({"type": "agent_stopped", "agent": "a", "why": "consensus reached"}).restart  # type: ignore[attr-defined]


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield AgentPane("alpha", "openai/[bold]alpha")


async def test_tool_calls_are_collapsible_rows_and_markup_is_inert() -> None:
    app = PaneApp()
    async with app.run_test() as pilot:
        pane = app.query_one(AgentPane)
        pane.start_run("start", 1, 1, False)
        pane.append_text("[red]not markup[/red] ")
        pane.tool_call("c1", "read_file", {"path": "[b]x.py"})
        pane.tool_call("c2", "vote", {"agent_id": "agent1"})  # workflow tools are not rows
        pane.tool_result("c1", "read_file", "print('[hi]')", None)
        await pilot.pause()
        pane.flush_text()
        await pilot.pause()
        rows = list(pane.query(ToolRow))
        assert len(rows) == 1 and rows[0].collapsed
        assert "✓ read_file" in str(rows[0].title)
        assert pane.tail is not None and pane.tail.render_line(0).text.startswith("[red]not markup[/red]")


def test_shipped_themes_load_as_textual_themes() -> None:
    themes = {t.name: t for t in load_themes([data_dir("themes")])}
    assert {"mgtui-dark", "mgtui-light"} <= set(themes)
    assert themes["mgtui-dark"].dark and not themes["mgtui-light"].dark
    for path in data_dir("themes").glob("*.toml"):
        assert theme_from_file(path).primary


def test_a_broken_theme_file_is_skipped(tmp_path) -> None:
    (tmp_path / "bad.toml").write_text("name = 'bad'\nnot valid toml [", encoding="utf-8")
    (tmp_path / "ok.toml").write_text("name = 'ok'\nprimary = '#336699'\n", encoding="utf-8")
    assert [t.name for t in load_themes([tmp_path])] == ["ok"]


async def test_old_blocks_are_pruned_and_the_tail_is_bounded() -> None:
    from mgtui.tui.widgets.agent_pane import MAX_BLOCKS
    from mgtui.tui.widgets.live_tail import MAX_LINES, PRUNE_STEP

    app = PaneApp()
    async with app.run_test() as pilot:
        pane = app.query_one(AgentPane)
        for round_ in range(1, MAX_BLOCKS + 10):
            pane.start_run("next", 1, round_, False)
            pane.append_text(f"round {round_}\n" * 2000)
        await pilot.pause()
        pane.flush_text()
        await pilot.pause()
        assert len(pane.body.children) <= MAX_BLOCKS
        assert pane.chars_received == sum(len(f"round {r}\n") * 2000 for r in range(1, MAX_BLOCKS + 10))
        tail = pane.tail
        assert tail is not None and tail.text == f"round {MAX_BLOCKS + 9}\n" * 2000  # the record is whole
        shown = tail.shown_text.splitlines()
        assert shown[0] == "…" and len(shown) <= MAX_LINES + PRUNE_STEP + 2  # what is drawn is bounded
        assert tail.row_count <= MAX_LINES + PRUNE_STEP + 1


async def test_the_pane_reads_typed_run_fields_not_text() -> None:
    """A restart says which answer caused it (after_label); a stop before a restart adds no note,
    other stops do (`restart`, not the wording of `why`)."""
    from mgtui.tui.widgets.agent_pane import Note

    app = PaneApp()
    async with app.run_test() as pilot:
        pane = app.query_one(AgentPane)
        pane.apply(ev.AgentStarted(agent="alpha"))
        pane.apply(ev.AgentStopped(agent="alpha", why="superseded", restart=True))
        pane.apply(ev.AgentStarted(agent="alpha", round=2, reason="restart", after_label="agent2.1"))
        pane.apply(ev.AgentStopped(agent="alpha", why="restarted, yet the turn ended", restart=False))
        await pilot.pause()
        notes = [str(n.content) for n in pane.query(Note)]
        assert notes == ["── run 2, attempt 1: new answer agent2.1", "■ restarted, yet the turn ended"]
        assert pane.state == "restarted"
