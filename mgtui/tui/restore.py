"""`--continue`: put a resumed session back on screen as it was left — its finished turns for the
strip and the prompt history, and the last one's events to replay through the team view."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mgtui.engine.events import AnyEvent
    from mgtui.engine.turn_state import TurnState


def read_session(log_dir: str) -> tuple[list[TurnState], list[AnyEvent]]:
    """(finished turns, events of the last one); read in a worker thread: it parses the log."""
    from mgtui.engine.turn_state import fold_log  # noqa: PLC0415 - pydantic, off the first frame
    from mgtui.logs.reader import read_events  # noqa: PLC0415
    from mgtui.terminal_text import safe_model  # noqa: PLC0415

    raw, _report = read_events(Path(log_dir) / "events.jsonl")
    # Terminal-safe before folding: the strip draws earlier turns' questions, winners and answers
    # from these states, and live events are made safe in `post_event`, which these never pass.
    events = [safe_model(e) for e in raw]
    turns = [t for t in fold_log(events) if t.finished]
    last = turns[-1].turn if turns else 0
    return turns, [e for e in events if last and e.turn == last and e.type != "session_started"]
