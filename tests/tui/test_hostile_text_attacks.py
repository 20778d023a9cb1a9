"""Attack round on issues 15-17: escape sequences and markup in model text that the app shows
(reasoning, rank reasons, vote reasons, errors, the writes dialog's file names and diffs) are
drawn as text; no control character reaches the terminal."""

from __future__ import annotations

from textual.pilot import Pilot

from mgtui.engine.events import AgentError, Ranking, TextDelta, VoteCast, WritesProposed
from mgtui.tui import messages as m
from mgtui.tui.screens.writes_review import WritesReviewScreen
from tests.tui.engines import settle, wait_until
from tests.tui.test_main_screen import ask, make_app

ESCAPES = "\x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\x9b2J\x1b]0;pwned\x07"
MARKUP = "[bold red]loud[/] [@click=app.quit]quit[/]"
HOSTILE = f"{MARKUP} {ESCAPES} tail"
FORBIDDEN = ("\x1b", "\x07", "\x9b")


def drawn_text(pilot: Pilot) -> str:
    """Every row every visible widget of the current screen draws (what the compositor sends)."""
    rows: list[str] = []
    for widget in pilot.app.screen.walk_children(with_self=True):
        if widget.display and widget.size.area:
            rows += [strip.text for strip in widget.render_lines(widget.size.region)]
    return "\n".join(rows)


async def test_escapes_in_reasoning_reasons_and_errors_are_never_drawn_raw() -> None:
    app = make_app("council_one_turn.jsonl")
    async with app.run_test(size=(200, 50)) as pilot:
        await ask(pilot)
        await wait_until(pilot, lambda: not pilot.app.screen.team.running)
        screen = pilot.app.screen
        for event in (
            TextDelta(turn=1, agent="skeptic", delta=f"thinking {HOSTILE}\n", phase="reasoning"),
            TextDelta(turn=1, agent="skeptic", delta=f"answer {HOSTILE}\n"),
            Ranking(turn=1, agent="pragmatist", order=["skeptic", "pragmatist", "scholar"], reasons={"skeptic": HOSTILE}),
            VoteCast(turn=1, agent="scholar", target="skeptic", label="agent1.1", reason=HOSTILE, fallback="parsed"),
            AgentError(turn=1, agent="scholar", error=f"HTTP 500: {HOSTILE}", fatal=True, kind="provider"),
        ):
            m.post_event(screen, event)
        await settle(pilot)
        text = drawn_text(pilot)
        assert "tail" in text  # the hostile text is shown ...
        for char in FORBIDDEN:  # ... as text
            assert char not in text, repr(char)
        assert app.is_running  # [@click=app.quit] was not an action


async def test_escapes_in_the_writes_dialog_file_names_and_diffs_are_never_drawn_raw() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ask(pilot)
        await wait_until(pilot, lambda: not pilot.app.screen.team.running)
        files = [{"path": f"/work/project/{MARKUP}{ESCAPES}.md", "bytes": 10, "new": True,
                  "diff": f"--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+{HOSTILE}\n"}]
        m.post_event(pilot.app.screen, WritesProposed(turn=1, files=files))
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, WritesReviewScreen))
        await settle(pilot)
        text = drawn_text(pilot)
        assert "tail" in text and "loud" in text
        for char in FORBIDDEN:
            assert char not in text, repr(char)


async def test_file_names_and_notices_in_toasts_are_text_not_markup() -> None:
    """`Widget.notify` passes markup=True to the app: a file the presenter wrote named `x[/b].md`
    (or a notice from a replayed log) was parsed as markup in the toast: a MarkupError (the app
    crashed) or live styles, links and `@click` actions."""
    from mgtui.engine.events import SessionNotice, WritesDecided

    app = make_app()
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        await ask(pilot)
        await wait_until(pilot, lambda: not pilot.app.screen.team.running)
        screen = pilot.app.screen
        m.post_event(screen, WritesDecided(turn=1, applied=["/work/project/x[/b].md", f"/work/project/{MARKUP}.md"]))
        m.post_event(screen, SessionNotice(turn=1, level="warning", message=f"notice [/i] {MARKUP}"))
        await settle(pilot)
        toasts = [n.message for n in pilot.app._notifications]
        assert any("x[/b].md" in t for t in toasts) and any("notice [/i]" in t for t in toasts)
        assert all(not n.markup for n in pilot.app._notifications)
        await wait_until(pilot, lambda: len(pilot.app.screen.query("Toast")) >= 2)  # the toast rack shows them
        shown = " ".join(str(toast.render()) for toast in pilot.app.screen.query("Toast"))
        assert "x[/b].md" in shown and "[bold red]loud[/]" in shown and "notice [/i]" in shown
        assert app.is_running
