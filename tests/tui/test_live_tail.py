"""The live tail: a fixed window over streamed text that wraps only what is new."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.events import MouseScrollDown, MouseScrollUp
from textual.pilot import Pilot

from mgtui.tui.widgets.agent_pane import AgentPane
from mgtui.tui.widgets.live_tail import LiveTail, clean_line, wrap_line


class OnePane(App[None]):
    CSS = "AgentPane { height: 14; width: 40; }"

    def compose(self) -> ComposeResult:
        yield AgentPane("alpha", "openai/m")


def visible_rows(tail: LiveTail) -> list[str]:
    """The rows the tail draws, as text (what a user sees in its window)."""
    tail.render_lines(tail.size.region)  # what the compositor calls before render_line
    return [tail.render_line(y).text.rstrip() for y in range(tail.size.height)]


async def stream(pilot: Pilot, tail: LiveTail, lines: range) -> None:
    for n in lines:
        tail.append(f"line {n}\n")
    tail.flush()
    await pilot.pause()


def start_run(app: App[None]) -> tuple[AgentPane, LiveTail]:
    pane = app.query_one(AgentPane)
    pane.start_run("start", 1, 1, False)
    assert pane.tail is not None
    return pane, pane.tail


def wheel(tail: LiveTail, up: bool) -> None:
    kind = MouseScrollUp if up else MouseScrollDown
    tail.post_message(kind(tail, 1, 1, 0, 0, 0, False, False, False))


def test_wrap_line_respects_cell_widths_and_folds_long_words() -> None:
    assert wrap_line("short", 10) == ["short"]
    assert wrap_line("alpha beta gamma delta", 11) == ["alpha beta", "gamma delta"]
    assert wrap_line("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    rows = wrap_line("日本語のテキスト" * 2, 7)  # two cells a character
    assert all(sum(2 for _ in row) <= 7 for row in rows) and "".join(rows) == "日本語のテキスト" * 2


def test_control_characters_never_reach_the_terminal() -> None:
    assert clean_line("\x1b[31mred\x07\tend") == "�[31mred�   end"


async def test_a_full_tail_stops_growing_and_shows_the_newest_rows() -> None:
    app = OnePane()
    async with app.run_test(size=(60, 20)) as pilot:
        pane, tail = start_run(app)
        await stream(pilot, tail, range(3))
        assert tail.size.height == 3 and visible_rows(tail) == ["line 0", "line 1", "line 2"]
        await stream(pilot, tail, range(3, 200))
        window = pane.body.scrollable_content_region.height
        assert tail.size.height == window  # no taller than the pane shows
        assert visible_rows(tail)[-1] == "line 199" and visible_rows(tail)[0] == f"line {200 - window}"
        await stream(pilot, tail, range(200, 205))
        assert tail.size.height == window and visible_rows(tail)[-1] == "line 204"
        assert tail.text == "".join(f"line {n}\n" for n in range(205))  # the record stays whole


async def test_the_wheel_scrolls_back_and_the_view_holds_while_text_arrives() -> None:
    app = OnePane()
    async with app.run_test(size=(60, 20)) as pilot:
        pane, tail = start_run(app)
        await stream(pilot, tail, range(100))
        top = visible_rows(tail)[0]
        wheel(tail, up=True)
        await pilot.pause()
        rows = visible_rows(tail)
        assert rows[0] != top and rows[-1].startswith("▼ 3 newer lines below")
        await stream(pilot, tail, range(100, 110))  # new text must not move what the user reads
        assert visible_rows(tail)[:-1] == rows[:-1]
        assert visible_rows(tail)[-1].startswith("▼ 13 newer lines below")
        for _ in range(10):
            wheel(tail, up=False)
        await pilot.pause()
        assert visible_rows(tail)[-1] == "line 109"  # back at the end: following again
        await stream(pilot, tail, range(110, 112))
        assert visible_rows(tail)[-1] == "line 111"


async def test_clearing_the_tail_redraws_it_empty() -> None:
    app = OnePane()
    async with app.run_test(size=(60, 20)) as pilot:
        pane, tail = start_run(app)
        await stream(pilot, tail, range(50))
        tail.text = ""
        tail.flush()
        await pilot.pause()
        assert not tail.display or tail.has_class("-empty")
        tail.append("fresh\n")
        tail.flush()
        await pilot.pause()
        assert visible_rows(tail) == ["fresh"]


async def test_the_view_holds_when_old_lines_are_pruned_while_scrolled_back() -> None:
    from mgtui.tui.widgets.live_tail import MAX_LINES, PRUNE_STEP

    app = OnePane()
    async with app.run_test(size=(60, 20)) as pilot:
        _pane, tail = start_run(app)
        await stream(pilot, tail, range(MAX_LINES))
        wheel(tail, up=True)
        await pilot.pause()
        reading = visible_rows(tail)[:-1]
        await stream(pilot, tail, range(MAX_LINES, MAX_LINES + PRUNE_STEP + 5))  # prunes the oldest lines
        assert tail.shown_text.startswith("…")
        assert visible_rows(tail)[:-1] == reading
