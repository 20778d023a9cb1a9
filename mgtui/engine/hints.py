"""Hints: the person steering a running turn. Pure data and text, no I/O (the UI imports
`split_address` too, so nothing heavy here).

A hint reaches every agent still working in its next model call as a marked user message;
`@agent2 …` (a config id) addresses one agent. Later runs in the same turn of an agent a hint
it reached carry it as well: it is part of what the person asked of them this turn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

HINT_MARK = "Note from the user during this turn:"
MAX_HINT_CHARS = 4000  # a hint is a nudge, not an attachment
_ADDRESS = re.compile(r"^\s*@(?P<id>[A-Za-z0-9_.:-]+)\s+(?P<text>.+)$", re.DOTALL)


def split_address(
    text: str, agent_ids: Sequence[str], aliases: Mapping[str, str] | None = None
) -> tuple[str, list[str] | None]:
    """`"@beta use SI units"` -> ("use SI units", ["beta"]) when beta is an agent; otherwise the
    text as typed, for everyone (None). `aliases` maps other names the screen shows (the
    anonymous `agent2` of answer labels and blind mode) to config ids; a config id wins."""
    match = _ADDRESS.match(text)
    if match:
        name = match.group("id")
        agent = name if name in agent_ids else (aliases or {}).get(name)
        if agent is not None and agent in agent_ids:
            return match.group("text").strip(), [agent]
    return text.strip(), None


def hint_message(text: str) -> dict[str, Any]:
    return {"role": "user", "content": f"{HINT_MARK} {text}"}


@dataclass
class TurnHints:
    """Every hint of one turn, in order, with the agents it reached."""

    items: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, text: str, recipients: Sequence[str]) -> None:
        self.items.append((text, list(recipients)))

    def messages_for(self, agent: str) -> list[dict[str, Any]]:
        return [hint_message(text) for text, to in self.items if agent in to]


def clean_hint(text: str) -> str:
    return text.strip()[:MAX_HINT_CHARS]
