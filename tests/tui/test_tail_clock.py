"""One clock draws every live tail of the app together; a tail under a dialog waits for it to close."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Static

from mgtui.tui.performance.tail_clock import FLUSH_SECONDS, tail_clock
from mgtui.tui.widgets.live_tail import LiveTail


class CountingTail(LiveTail):
    DEFAULT_CSS = "CountingTail { width: 1fr; }"

    def __init__(self, draws: list[str]) -> None:
        super().__init__()
        self.draws = draws

    def flush(self) -> None:
        self.draws.append(str(self.id))
        super().flush()


class ThreeTails(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.draws: list[str] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            for n in range(3):
                tail = CountingTail(self.draws)
                tail.id = f"t{n}"
                yield tail


class Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("a dialog")


def tails(app: App[None]) -> list[LiveTail]:
    return list(app.query(CountingTail))


async def test_tails_that_got_text_are_drawn_in_one_tick() -> None:
    app = ThreeTails()
    async with app.run_test() as pilot:
        a, b, c = tails(app)
        a.append("one\n")
        await pilot.pause(FLUSH_SECONDS / 3)
        b.append("two\n")  # later, but before the tick: drawn with the first
        assert app.draws == []  # nothing is drawn before the tick
        await pilot.pause(FLUSH_SECONDS * 2)
        assert sorted(app.draws) == ["t0", "t1"]  # c had nothing new
        assert "one" in a.shown_text and "two" in b.shown_text
        app.draws.clear()
        await pilot.pause(FLUSH_SECONDS * 2)
        assert app.draws == []  # no text, no ticks


async def test_a_tail_drawn_directly_is_not_drawn_again_by_the_tick() -> None:
    app = ThreeTails()
    async with app.run_test() as pilot:
        a, _, _ = tails(app)
        a.append("answer arrived\n")
        a.flush()  # e.g. the pane draws it at once when the answer is complete
        app.draws.clear()
        await pilot.pause(FLUSH_SECONDS * 2)
        assert app.draws == []


async def test_under_a_dialog_tails_keep_buffering_and_draw_once_it_closes() -> None:
    app = ThreeTails()
    async with app.run_test() as pilot:
        a, _, _ = tails(app)
        await app.push_screen(Dialog())
        a.append("while the dialog is open\n")
        await pilot.pause(FLUSH_SECONDS * 3)
        assert app.draws == []
        assert "while the dialog" not in a.shown_text  # buffered, not drawn
        assert "while the dialog" in a.text  # and nothing lost
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert app.draws == ["t0"]  # at once, not at the next tick
        assert "while the dialog" in a.shown_text
        await pilot.pause(FLUSH_SECONDS * 2)
        assert app.draws == ["t0"]  # and only once


async def test_one_clock_per_app() -> None:
    app = ThreeTails()
    other = ThreeTails()
    async with app.run_test(), other.run_test():
        assert tail_clock(app) is tail_clock(app)
        assert tail_clock(other) is not tail_clock(app)
