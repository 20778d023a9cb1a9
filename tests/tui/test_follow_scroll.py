"""Pane bodies follow new content at the bottom, but never pull a reader away from what they scrolled to."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.events import MouseScrollUp
from textual.pilot import Pilot
from textual.widgets import Static

from mgtui.tui.widgets.follow_scroll import FollowScroll


class Body(App[None]):
    def compose(self) -> ComposeResult:
        yield FollowScroll()


async def add_lines(pilot: Pilot, body: FollowScroll, label: str, count: int) -> None:
    for n in range(count):
        await body.mount(Static(f"{label} {n}"))
    await pilot.pause()
    await pilot.pause()


async def test_short_content_stays_at_the_top_and_long_content_follows_the_bottom() -> None:
    app = Body()
    async with app.run_test(size=(40, 10)) as pilot:
        body = app.query_one(FollowScroll)
        await add_lines(pilot, body, "line", 3)
        assert not body.is_anchored and body.scroll_y == 0
        await add_lines(pilot, body, "line", 30)
        assert body.is_anchored and body.scroll_y == body.max_scroll_y > 0


async def test_a_reader_who_scrolled_up_is_not_pulled_down_by_new_content() -> None:
    app = Body()
    async with app.run_test(size=(40, 10)) as pilot:
        body = app.query_one(FollowScroll)
        await add_lines(pilot, body, "line", 30)
        for _ in range(3):
            body.post_message(MouseScrollUp(body, 1, 1, 0, 0, 0, False, False, False))
        await pilot.pause()
        await pilot.pause()
        reading_at = body.scroll_y
        assert reading_at < body.max_scroll_y
        await add_lines(pilot, body, "more", 5)
        assert body.scroll_y == reading_at  # held
        body.scroll_end(animate=False)  # back at the bottom: following again
        await pilot.pause()
        await add_lines(pilot, body, "even more", 5)
        assert body.scroll_y == body.max_scroll_y


async def test_content_that_shrinks_back_leaves_no_gap_above_it() -> None:
    app = Body()
    async with app.run_test(size=(40, 10)) as pilot:
        body = app.query_one(FollowScroll)
        await add_lines(pilot, body, "line", 30)
        await body.remove_children()
        await add_lines(pilot, body, "answer", 2)
        assert not body.is_anchored and body.scroll_y == 0
        assert app.query(Static).first().region.y == body.region.y  # first line at the top
