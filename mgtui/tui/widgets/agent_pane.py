"""One agent's pane: a header (id, model, state, label, tokens) and a bounded stream of blocks.

Blocks: a cheap live tail per run, finished answers as Markdown, tool calls as collapsible
rows, and short notes (restarts, votes, errors). Old blocks are pruned so a long turn
keeps a bounded DOM; the body sticks to the bottom while the user has not scrolled up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Collapsible, Static

from mgtui.tui.widgets.compact_line import CompactLine
from mgtui.tui.widgets.follow_scroll import FollowScroll
from mgtui.tui.widgets.live_tail import LiveTail

if TYPE_CHECKING:
    from mgtui.engine.events import AnyEvent

MAX_BLOCKS = 40  # older blocks are removed; the event log keeps everything
WORKFLOW_TOOLS = frozenset({"new_answer", "vote", "rank"})  # shown as answers/votes, not tool rows
# How an answer/vote came about when the model did not call the tool itself (issue 15).
FALLBACK_MARKS = {"text": "taken from its text", "forced": "after a forced tool choice", "parsed": "read from its text"}
STATE_ICONS = {
    "waiting": "·",
    "thinking": "…",
    "streaming": "▸",
    "answered": "✓",
    "voted": "☑",
    "ranked": "☰",
    "restarted": "↺",
    "presenting": "★",
    "error": "!",
    "dropped": "✗",
    "stopped": "■",
}


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AnswerBlock(Vertical):
    DEFAULT_CSS = """
    AnswerBlock { height: auto; border-left: outer $success; padding-left: 1; margin: 1 0 0 0; }
    AnswerBlock > .answer-label { color: $text-success; text-style: bold; }
    AnswerBlock > Markdown { margin: 0; padding: 0; }
    """

    def __init__(self, label: str, content: str) -> None:
        super().__init__()
        self.label = label
        self.content = content

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown

        yield Static(Text(f"answer {self.label}"), classes="answer-label")
        yield Markdown(self.content)


class ToolRow(Collapsible):
    DEFAULT_CSS = """
    ToolRow { height: auto; border: none; padding: 0; margin: 0; background: transparent; }
    ToolRow > Contents { padding: 0 0 0 2; }
    ToolRow.-error CollapsibleTitle { color: $text-error; }
    """

    def __init__(self, call_id: str, name: str, arguments: Any) -> None:
        self.call_id = call_id
        self.tool_name = name
        self._body = Static(Text(f"arguments: {_short(arguments, 2000)}"))
        # Content, not str: tool arguments are never markup (the stub says str; Textual takes both).
        super().__init__(self._body, title=Content(f"⚙ {name}({_short(arguments, 40)})"), collapsed=True)  # type: ignore[arg-type]

    def set_result(self, result: Any, error: str | None) -> None:
        mark = "✗" if error else "✓"
        self.set_class(bool(error), "-error")
        self.title = Content(f"{mark} {self.tool_name}: {_short(error or result, 48)}")  # type: ignore[assignment]
        self._body.update(Text(f"{self._body.content}\n{'error' if error else 'result'}: {_short(error or result, 4000)}"))


class Note(Static):
    DEFAULT_CSS = """
    Note { height: auto; color: $text-muted; }
    Note.-run { margin-top: 1; }
    Note.-vote { color: $text-accent; margin-top: 1; }
    Note.-error { color: $text-error; }
    Note.-warning { color: $text-warning; }
    Note.-hint { color: $text-primary; text-style: italic; margin-top: 1; }
    """


class AgentPane(Vertical, can_focus=True):
    """Shows one agent: `apply` draws the engine events that name it (the team view routes them)."""

    ALLOW_MAXIMIZE = True
    BINDING_GROUP_TITLE = "Agent pane"
    # The person acts on this agent (`can_act`, given by the team view, says when each key is
    # live; a key that is not live is typed into the prompt instead, see tui/stray_keys.py).
    BINDINGS = [
        Binding("v", "act('vote')", "Vote", id="pane.vote", tooltip="Cast (or move) your vote to this agent's answer"),
        Binding("d", "act('decide')", "Pick", id="pane.decide",
                tooltip="Pick this answer: the coordination ends and this agent presents it"),
        Binding("x", "act('drop')", "Drop", id="pane.drop", tooltip="Drop this agent for the rest of the turn"),
        Binding("r", "act('restart')", "Restart", id="pane.restart", tooltip="Restart this agent's run on the current answers"),
        Binding("y", "act('copy_answer')", "Copy", id="pane.copy",
                tooltip="Copy this agent's latest answer (terminal clipboard and a file)"),
    ]

    @dataclass
    class StateChanged(Message):
        """The state shown in the header changed (narrow tabs show it too)."""

        agent: str
        state: str

    @dataclass
    class Action(Message):
        """The person pressed one of the pane's keys."""

        agent: str
        action: str  # vote, decide, drop, restart, copy_answer
    DEFAULT_CSS = """
    AgentPane {
        border: round $foreground 25%; height: 1fr; min-height: 6;
        border-title-align: left; border-title-color: $text; border-title-style: bold;
    }
    AgentPane:focus, AgentPane:focus-within { border: round $primary; }
    AgentPane > .pane-header { height: 1; padding: 0 1; background: $boost; }
    AgentPane > .pane-body { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    AgentPane > .pane-header.-state-error, AgentPane > .pane-header.-state-dropped { color: $text-error; }
    AgentPane > .pane-header.-state-answered, AgentPane > .pane-header.-state-voted { color: $text-success; }
    AgentPane LiveTail.-thinking { color: $text-muted; text-style: italic; }
    AgentPane .thinking-label { color: $text-muted; text-style: dim italic; }
    AgentPane .fallback-mark { color: $text-warning; }
    /* Large teams: one row per agent; the focused (expanded) one keeps the full pane. */
    AgentPane.-compact { border: none; height: 1; min-height: 1; }
    AgentPane.-compact > .pane-header, AgentPane.-compact > .pane-body { display: none; }
    AgentPane.-compact > CompactLine { display: block; }
    AgentPane.-compact:focus, AgentPane.-compact:focus-within { background: $boost; }
    AgentPane.-compact.-expanded { border: round $primary; height: 14; min-height: 6; background: transparent; }
    AgentPane.-compact.-expanded > .pane-header { display: block; }
    AgentPane.-compact.-expanded > .pane-body { display: block; }
    AgentPane.-compact.-expanded > CompactLine { display: none; }
    """

    state: reactive[str] = reactive("waiting")
    label: reactive[str] = reactive("")
    tokens: reactive[int] = reactive(0)

    def __init__(self, agent_id: str, model: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.agent_id = agent_id
        self.model = model
        self.chars_received = 0  # every streamed character, for benchmarks and tests
        self._tail: LiveTail | None = None
        self._thinking: LiveTail | None = None  # the current run's thinking (dimmed), if any
        self._tools: dict[str, ToolRow] = {}
        self._before_presenting = "answered"
        self.latest_answer = ""  # raw Markdown of the latest answer, for copying
        self._shown_name = agent_id  # blind mode: agentN until the consensus
        self.name_of: Callable[[str], str] = str  # how other agents are named here (blind mode)
        self.can_act: Callable[[str, str], bool] | None = None  # (agent, action) -> is the key live

    def compose(self) -> ComposeResult:
        yield Static(self._header(), classes=f"pane-header -state-{self.state}")
        yield FollowScroll(classes="pane-body")
        line = CompactLine(self.agent_id)
        line.shown_name = self._shown_name
        yield line

    def set_compact(self, on: bool, expanded: bool = False) -> None:
        """Large-team layout: a single row, or (expanded) the full pane."""
        self.set_class(on, "-compact")
        self.set_class(on and expanded, "-expanded")

    def on_focus(self) -> None:
        # Large teams: the pane the user moves to is the one shown in full.
        if self.has_class("-compact") and self.parent is not None:
            for pane in self.parent.query_children(AgentPane):
                pane.set_class(pane is self, "-expanded")

    @property
    def body(self) -> FollowScroll:
        return self.query_one(".pane-body", FollowScroll)

    @property
    def tail(self) -> LiveTail | None:
        return self._tail

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "act" or not parameters:
            return True
        return self.can_act is not None and self.can_act(self.agent_id, str(parameters[0]))

    def action_act(self, action: str) -> None:
        self.post_message(self.Action(self.agent_id, action))

    def hint(self, text: str) -> None:
        """The person's note reached this agent (its next model call carries it)."""
        self.flush_text()  # the call under way keeps streaming above; the note is read by the next one
        self._add(Note(Text(f"✉ you: {text}  (read in its next model call)"), classes="-hint"))

    def on_mount(self) -> None:
        # id and model ride on the border so the header line has room for the live state.
        self.border_title = escape(f"{self.agent_id} · {self.model}")

    def show_name(self, name: str, *, hide_model: bool = False) -> None:
        """Blind mode shows `agentN` only; the real id and model come back at the consensus."""
        self.border_title = escape(name if hide_model else f"{name} · {self.model}")
        self._shown_name = name
        if self.is_mounted:  # large teams' compact row names the agent too
            line = self.query_one(CompactLine)
            line.shown_name = name
            line.flush()

    def _header(self) -> Text:
        header = Text()
        header.append(f"{STATE_ICONS.get(self.state, '?')} {self.state}", style="bold")
        if self.label:
            header.append(f"  {self.label}", style="bold")
        if self.tokens:
            header.append(f"  {self.tokens:,} tok", style="dim")
        return header

    def _refresh_header(self) -> None:
        if self.is_mounted:
            self.query_one(".pane-header", Static).update(self._header())
            self.query_one(CompactLine).set_status(STATE_ICONS.get(self.state, "?"), self.state, self.label, self.tokens)

    def watch_state(self, old: str, new: str) -> None:
        # The class goes on the header only: a class change on the pane itself would restyle
        # every block below it (~90 ms on a long pane, many times per turn).
        if self.is_mounted:
            header = self.query_one(".pane-header", Static)
            header.remove_class(f"-state-{old}")
            header.add_class(f"-state-{new}")
            self.post_message(self.StateChanged(self.agent_id, new))
        self._refresh_header()

    def watch_label(self) -> None:
        self._refresh_header()

    def watch_tokens(self) -> None:
        self._refresh_header()

    def _add(self, block: Widget) -> None:
        body = self.body
        body.mount(block)
        excess = len(body.children) + 1 - MAX_BLOCKS
        if excess > 0:
            body.remove_children(list(body.children[:excess]))

    def _compact_text(self, text: str) -> None:
        if self.has_class("-compact"):
            self.query_one(CompactLine).add_text("\n" + text)

    def clear(self) -> None:
        """Start a new turn: empty body, waiting state (totals stay)."""
        self.flush_text()
        self.query_one(CompactLine).clear_text()
        self.body.remove_children()
        self.body.anchor(False)
        self._tail = None
        self._thinking = None
        self._tools.clear()
        self.state = "waiting"
        self.label = ""
        self.latest_answer = ""

    def apply(self, event: AnyEvent) -> None:
        """Draw one engine event about this agent."""
        from mgtui.engine import events as ev  # noqa: PLC0415 - loaded by then; not before the first frame

        match event:
            case ev.AgentStarted(reason="present"):
                self.present()
            case ev.AgentStarted():
                self.start_run(event.reason, event.attempt, event.round, event.vote_only, event.after_label)
            case ev.TextDelta(phase="reasoning"):
                self.append_thinking(event.delta)
            case ev.TextDelta():
                self.append_text(event.delta)
            case ev.ToolCall():
                self.tool_call(event.call_id, event.name, event.arguments)
            case ev.ToolResult():
                self.tool_result(event.call_id, event.name, event.result, event.error)
            case ev.HookRun() if event.outcome != "allow":  # only hooks that changed something
                detail = f": {event.detail}" if event.detail else ""
                self.note(f"{event.hook} hook {event.outcome} {event.tool}{detail}",
                          "-error" if event.outcome in ("deny", "failed") else "-warning")
            case ev.AnswerPosted():
                self.show_answer(event.label, event.content, event.fallback)
            case ev.VoteCast():
                self.show_vote(self.name_of(event.target), event.label, event.reason, event.fallback)
            case ev.VoteIgnored():
                self.note(f"vote for {event.target} not counted: {event.why}", "-warning")
            case ev.AgentError(kind="human"):  # its stop note just said "■ dropped by the user"
                self.state = "dropped"
            case ev.AgentError():
                self.note(("dropped: " if event.fatal else "error: ") + event.error, "-error")
                self.state = "dropped" if event.fatal else "error"
            case ev.AgentStopped() if event.why and not event.restart:  # a restart has its run line
                self.note(f"■ {event.why}")
            case ev.Usage():
                self.tokens += event.prompt_tokens + event.completion_tokens
            case ev.Ranking():
                self.show_ranking([self.name_of(a) for a in event.order])

    def start_run(self, reason: str, attempt: int, round_: int, vote_only: bool, after_label: str | None = None) -> None:
        from mgtui.engine.events import run_text  # noqa: PLC0415

        self.flush_text()
        self._thinking = None
        if reason != "start" or round_ > 1:
            extra = " · may only vote" if vote_only else ""
            self._add(Note(Text(f"── run {round_}, attempt {attempt}: {run_text(reason, after_label)}{extra}"), classes="-run"))
        self._start_tail()
        self.state = "thinking" if reason in ("start", "next", "retry", "enforce", "rank") else "restarted"

    def vote_cleared(self, by: str) -> None:
        """Another agent's new answer cleared this agent's vote."""
        self.note(f"↺ vote cleared: new answer by {by}", "-warning")
        if self.state == "voted":
            self.state = "answered" if self.label else "waiting"

    def append_thinking(self, delta: str) -> None:
        """Reasoning tokens: a dimmed tail of their own under a "thinking" label."""
        if self._thinking is None:
            self.flush_text()
            self._add(Static(Text("thinking…"), classes="thinking-label"))
            self._thinking = LiveTail(classes="-thinking")
            self._add(self._thinking)
            self._tail = None  # answer text after the thinking starts a tail below it
        self._thinking.append(delta)
        self.chars_received += len(delta)
        if self.state in ("thinking", "restarted", "waiting"):
            self.state = "thinking"

    def append_text(self, delta: str) -> None:
        if self._thinking is not None:
            self.flush_text()
            self._thinking = None
        if self._tail is None:
            self._start_tail()
        assert self._tail is not None
        self._tail.append(delta)
        self.chars_received += len(delta)
        if self.has_class("-compact"):
            self.query_one(CompactLine).add_text(delta)
        if self.state in ("thinking", "restarted", "waiting"):
            self.state = "streaming"

    def _start_tail(self) -> None:
        self._tail = LiveTail()
        self._tail.markdown = self.screen.maximized is self if self.is_attached else False
        self._add(self._tail)

    def present(self) -> None:
        """This agent won and is presenting the final answer (shown in the final view)."""
        self._before_presenting = self.state
        self.state = "presenting"

    def finish_turn(self) -> None:
        """The turn ended: settle states that were still running."""
        self.flush_text()
        if self.state == "presenting":
            self.state = self._before_presenting
        elif self.state in ("thinking", "streaming", "restarted", "error"):  # "error": a retry was pending
            self.state = "stopped"

    def set_live_markdown(self, on: bool) -> None:
        """Render live text as Markdown (affordable for one pane, the maximised one)."""
        for tail in self.query(LiveTail):
            tail.markdown = on
            tail.flush()

    def flush_text(self) -> None:
        for tail in (self._tail, self._thinking):
            if tail is not None and tail.is_mounted:
                tail.flush()

    def tool_call(self, call_id: str, name: str, arguments: Any) -> None:
        if name in WORKFLOW_TOOLS:
            return
        row = ToolRow(call_id, name, arguments)
        self._tools[call_id or name] = row
        self._add(row)

    def tool_result(self, call_id: str, name: str, result: Any, error: str | None) -> None:
        row = self._tools.pop(call_id or name, None)
        if row is not None:
            row.set_result(result, error)
        elif name not in WORKFLOW_TOOLS and error:
            self.note(f"{name}: {error}", "-error")

    def show_answer(self, label: str, content: str, fallback: str | None = None) -> None:
        self.flush_text()
        # The run's streamed text ends with the answer itself (the engine streams the answer
        # while the model writes it): show it once, as Markdown. The log keeps every word.
        streamed = self._tail.text.strip() if self._tail is not None else ""
        if self._tail is not None and streamed and (streamed in content or streamed.endswith(content.strip()[-200:])):
            self._tail.remove()
        self._tail = None
        self._add(AnswerBlock(label, content))
        self.latest_answer = content
        self._mark_fallback("answer", fallback)
        self.label = label
        self.state = "answered"

    def show_vote(self, target: str, label: str, reason: str, fallback: str | None = None) -> None:
        self.flush_text()
        self._tail = None
        self._add(Note(Text(f"☑ voted for {target} ({label}): {reason}"), classes="-vote"))
        self._compact_text(f"☑ voted for {target}: {reason}")
        self._mark_fallback("vote", fallback)
        self.state = "voted"

    def _mark_fallback(self, what: str, fallback: str | None) -> None:
        if fallback:
            how = FALLBACK_MARKS.get(fallback, fallback)
            self._add(Static(Text(f"⚑ {what} {how} (the model did not call the tool)"), classes="fallback-mark"))

    def show_ranking(self, order: list[str]) -> None:
        """Council mode: this agent's ranking of the answers, best first."""
        self.flush_text()
        self._tail = None
        self._add(Note(Text("☰ ranked " + " > ".join(order)), classes="-vote"))
        self._compact_text("☰ ranked " + " > ".join(order))
        self.state = "ranked"

    def note(self, text: str, classes: str = "") -> None:
        self._add(Note(Text(text), classes=classes))
        self._compact_text(text)
