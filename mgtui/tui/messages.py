"""The messages the UI handles: engine events as they are, and news about the engine process.

An engine event is posted whole (`EngineEvent`): the event classes in `mgtui/engine/events.py`
are the one contract, so a new field reaches the widget that draws it without a copy here.
They are imported lazily so the first frame does not wait for pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from mgtui.engine.events import AnyEvent


@dataclass
class EngineEvent(Message):
    """One parsed engine event (live or replayed), its text already terminal-safe."""

    event: AnyEvent


# Messages about the engine process itself (not engine events).


@dataclass
class EngineReady(Message):
    session: str
    log_dir: str
    agents: list[dict[str, str]] = field(default_factory=list)  # [{"id", "model"}] in config order
    options: dict[str, Any] = field(default_factory=dict)  # orchestrator settings the UI needs: human, blind


@dataclass
class EngineError(Message):
    text: str


@dataclass
class EngineBusy(Message):
    text: str
    waiting: bool = False  # another process runs a turn of this session: ours waits, it was sent


@dataclass
class EngineDied(Message):
    returncode: int | None
    stderr_tail: str


@dataclass
class HintSubmitted(Message):
    """Enter during a turn: steer it with this text (`@agent …` names one agent)."""

    text: str


@dataclass
class PromptSubmitted(Message):
    """The user submitted a question (posted by the prompt bar)."""

    text: str  # what the agents get: the typed text plus any attached @path blocks
    typed: str = ""  # exactly what the user typed (for history and display)
    write_paths: list[str] = field(default_factory=list)  # absolute paths marked @path:w
    attachments: list[dict[str, Any]] = field(default_factory=list)  # [{path, mode, bytes}] for the log
    notices: list[str] = field(default_factory=list)  # attachment notices already shown to the user


def post_event(target: MessagePump, event: AnyEvent) -> bool:
    """Post `event` to `target` as an `EngineEvent`.

    Every engine or log text enters the screen here, so controls are made visible here once
    (a vote reason, a file name or a provider error is drawn by many widgets)."""
    from mgtui.terminal_text import safe_model  # noqa: PLC0415 - pydantic, off the first frame

    return target.post_message(EngineEvent(safe_model(event)))
