"""PromptBar under Pilot: sending, new lines, history, busy refusal, the @ picker, attachments."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Static

from mgtui.tui.messages import PromptSubmitted
from mgtui.tui.widgets.path_picker import PathPicker
from mgtui.tui.widgets.prompt_bar import PromptBar

TREE = {
    ".gitignore": "secret.txt\nbuild/\n",
    "secret.txt": "hidden",
    "build/out.bin": "",
    "notes.md": "# Notes\nremember the milk\n",
    "src/app.py": "print('hi')\n",
    "src/util/strings.py": "",
    "mgtui/tui/widgets/prompt_bar.py": "",
}


def make_tree(root: Path) -> Path:
    (root / ".git").mkdir()
    for rel, text in TREE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


class BarApp(App[None]):
    """Only the prompt bar, under a filler, recording what it posts."""

    CSS = "#filler { height: 1fr; }"

    def __init__(self, cwd: Path) -> None:
        super().__init__()
        self.cwd = cwd
        self.submitted: list[PromptSubmitted] = []

    def compose(self) -> ComposeResult:
        yield Static("agents", id="filler")
        yield PromptBar(self.cwd)

    def on_mount(self) -> None:
        bar = self.query_one(PromptBar)
        bar.input.cursor_blink = False  # a blinking cursor would make snapshots timing-dependent
        bar.focus()

    def on_prompt_submitted(self, message: PromptSubmitted) -> None:
        self.submitted.append(message)


async def settle(pilot: Pilot) -> None:
    """Let thread workers (indexing, searching, reading files) finish and the UI catch up."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", "@": "at", "/": "slash", ".": "full_stop"}.get(c, c) for c in text])
    await settle(pilot)


def option_ids(app: App) -> list[str | None]:
    picker = app.query_one(PathPicker)
    return [picker.get_option_at_index(i).id for i in range(picker.option_count)]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path)


async def test_enter_sends_and_clears(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        await type_text(pilot, "what is 2+2")
        await pilot.press("enter")
        await settle(pilot)
        [message] = app.submitted
        assert message.text == message.typed == "what is 2+2"
        assert app.query_one(PromptBar).text == ""
        # An empty prompt sends nothing.
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.submitted) == 1


async def test_newline_key_inserts_a_line_break(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        await type_text(pilot, "one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "two")
        assert app.query_one(PromptBar).text == "one\ntwo"
        assert app.submitted == []
        await pilot.press("enter")
        await settle(pilot)
        assert app.submitted[0].typed == "one\ntwo"


async def test_history_up_and_down_keep_the_draft(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        bar = app.query_one(PromptBar)
        for question in ("first", "second"):
            await type_text(pilot, question)
            await pilot.press("enter")
            await settle(pilot)
        await type_text(pilot, "draft")
        await pilot.press("up")
        assert bar.text == "second"
        await pilot.press("up")
        assert bar.text == "first"
        await pilot.press("up")  # stays at the oldest
        assert bar.text == "first"
        await pilot.press("down", "down")
        assert bar.text == "draft"


async def test_up_inside_a_multiline_question_moves_the_cursor(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        bar = app.query_one(PromptBar)
        await type_text(pilot, "old")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "line1")
        await pilot.press("ctrl+j")
        await type_text(pilot, "line2")
        await pilot.press("up")
        assert bar.text == "line1\nline2" and bar.input.cursor_location[0] == 0
        await pilot.press("up")  # now on the first line: history
        assert bar.text == "old"


async def test_busy_refuses_but_keeps_the_text(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        bar = app.query_one(PromptBar)
        bar.busy = True
        bar.steer = False  # a screen that cannot steer the turn (main: Enter sends a hint)
        await type_text(pilot, "next question")
        await pilot.press("enter")
        await settle(pilot)
        assert app.submitted == []
        assert bar.text == "next question"
        notice = bar.query_one("#prompt-notice")
        assert notice.display and "turn is running" in str(notice.render())
        bar.busy = False
        await pilot.pause()
        assert not notice.display
        await pilot.press("enter")
        await settle(pilot)
        assert [m.typed for m in app.submitted] == ["next question"]


async def test_at_opens_the_picker_with_the_top_level(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        assert app.query_one(PromptBar).picker is None  # made at the first '@', not on the first frame
        await type_text(pilot, "look at @")
        picker = app.query_one(PathPicker)
        assert picker.is_open
        # Folders first; .gitignore'd paths and .git are not offered.
        assert option_ids(app) == ["mgtui/", "src/", ".gitignore", "notes.md"]
        await pilot.press("escape")
        assert not picker.is_open
        assert app.query_one(PromptBar).text == "look at @"


async def test_typing_filters_fuzzily(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        await type_text(pilot, "@pbar")
        assert option_ids(app)[0] == "mgtui/tui/widgets/prompt_bar.py"
        await type_text(pilot, "zzz")
        picker = app.query_one(PathPicker)
        assert picker.is_open and picker.get_option_at_index(0).disabled  # "no match"
        # Nothing to choose: Enter sends the text as typed (the attachment is reported missing).
        await pilot.press("enter")
        await settle(pilot)
        assert not picker.is_open
        assert [m.typed for m in app.submitted] == ["@pbarzzz"]
        assert "no such file" in app.submitted[0].notices[0]


async def test_folders_descend_and_files_insert(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        bar = app.query_one(PromptBar)
        await type_text(pilot, "fix @")
        picker = app.query_one(PathPicker)
        await pilot.press("down")  # mgtui/ -> src/
        await pilot.press("enter")
        await settle(pilot)
        assert bar.text == "fix @src/" and picker.is_open
        assert option_ids(app) == ["", "src/util/", "src/app.py"]  # "" is ../ back to the top
        await pilot.press("down", "down", "tab")
        await settle(pilot)
        assert bar.text == "fix @src/app.py " and not picker.is_open
        assert app.submitted == []


async def test_submit_attaches_files_and_write_paths(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        app.query_one(PromptBar).text = "check @notes.md and fix @src/app.py:w"
        await pilot.press("enter")
        await settle(pilot)
        [message] = app.submitted
        assert message.typed == "check @notes.md and fix @src/app.py:w"
        assert 'attached file="notes.md" mode="read-only"' in message.text
        assert "remember the milk" in message.text
        assert message.write_paths == [str((tree / "src/app.py").resolve())]


async def test_binary_attachment_is_refused_with_a_notice(tree: Path) -> None:
    (tree / "blob.bin").write_bytes(b"\0\1\2")
    app = BarApp(tree)
    async with app.run_test() as pilot:
        app.query_one(PromptBar).text = "what is @blob.bin"
        await pilot.press("enter")
        await settle(pilot)
        [message] = app.submitted
        assert message.text == "what is @blob.bin"
        assert message.notices == ["blob.bin: looks like a binary file; not attached"]
        assert any("binary" in str(n.message) for n in app._notifications)


async def test_recalled_question_does_not_open_the_picker(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        app.query_one(PromptBar).text = "see @notes.md"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("up")
        await settle(pilot)
        assert app.query_one(PromptBar).text == "see @notes.md"
        assert not app.query_one(PromptBar).picker_open


def test_snapshot_at_picker_open(snap_compare, tmp_path: Path) -> None:
    app = BarApp(make_tree(tmp_path))

    async def open_picker(pilot: Pilot) -> None:
        await type_text(pilot, "explain @src/")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_picker)


async def test_enter_right_after_fast_typing_sends_everything(tree: Path) -> None:
    """A paste or tmux send-keys queues many keys at once: Enter must not overtake them."""
    app = BarApp(tree)
    async with app.run_test() as pilot:
        for char in "fast question":
            app.post_message(events.Key("space" if char == " " else char, char))
        app.post_message(events.Key("ctrl+j", "\n"))
        app.post_message(events.Key("x", "x"))
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        assert [m.typed for m in app.submitted] == ["fast question\nx"]
        assert app.query_one(PromptBar).text == ""


async def test_w_typed_after_picking_a_file_makes_it_writable(tree: Path) -> None:
    app = BarApp(tree)
    async with app.run_test() as pilot:
        bar = app.query_one(PromptBar)
        await type_text(pilot, "fix @notes")
        for _ in range(100):
            if "notes.md" in option_ids(app):
                break
            await pilot.pause(0.02)
        await pilot.press("tab")
        await settle(pilot)
        picked = bar.text
        assert picked == "fix @notes.md "
        await pilot.press("colon", "w")
        await settle(pilot)
        assert bar.text == "fix @notes.md:w"


async def test_reading_outside_the_working_directory_asks_once(tree: Path, tmp_path_factory) -> None:
    from mgtui.tui.screens.confirm import ConfirmScreen

    outside = tmp_path_factory.mktemp("elsewhere") / "host.txt"
    outside.write_text("far away\n")
    app = BarApp(tree)
    async with app.run_test() as pilot:
        bar = app.query_one(PromptBar)
        bar.text = f"read @{outside}"
        await pilot.press("enter")
        for _ in range(100):
            if isinstance(app.screen, ConfirmScreen):
                break
            await pilot.pause(0.02)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.submitted == [] and bar.text == f"read @{outside}"
        await pilot.press("enter")
        for _ in range(100):
            if isinstance(app.screen, ConfirmScreen):
                break
            await pilot.pause(0.02)
        await pilot.press("y")
        for _ in range(100):
            if app.submitted:
                break
            await pilot.pause(0.02)
        assert "far away" in app.submitted[0].text
        assert app.submitted[0].attachments == [{"path": str(outside), "mode": "read", "bytes": 9}]
        bar.text = f"again @{outside}"  # asked once: the second time it is sent straight away
        await pilot.press("enter")
        for _ in range(100):
            if len(app.submitted) == 2:
                break
            await pilot.pause(0.02)
        assert len(app.submitted) == 2 and not isinstance(app.screen, ConfirmScreen)
