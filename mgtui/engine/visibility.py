"""Who sees whose answer, and how much of it: what keeps prompts bounded in large teams.

With `all` every agent reads every answer (prompt size grows with N² per round). With
`ring` / `neighbours` an agent reads only a fixed number of peers plus the current leader,
so its prompt stays the same size however large the team is.
Pure functions: the orchestrator decides when, this module says who and how much.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

TRUNCATION_MARKER = "[… {omitted} characters omitted: the full answer is in the session log …]"


def peers(order: Sequence[str], me: str, mode: str, k: int) -> list[str]:
    """The peers `me` sees besides itself and the leader, in config order.

    ring: the k agents after it (wrapping); neighbours: its k nearest by ring distance,
    alternating after / before (k=2: one on each side); all: everyone.
    """
    others = [a for a in order if a != me]
    if mode == "all" or k >= len(others):
        return others
    i, n = order.index(me), len(order)
    if mode == "ring":
        chosen = [order[(i + step) % n] for step in range(1, k + 1)]
    else:
        chosen = []
        step = 1
        while len(chosen) < k:
            for candidate in (order[(i + step) % n], order[(i - step) % n]):
                if candidate != me and candidate not in chosen and len(chosen) < k:
                    chosen.append(candidate)
            step += 1
    picked = set(chosen)
    return [a for a in order if a in picked]


def leader(tally: Mapping[str, int], order: Sequence[str]) -> str | None:
    """Most standing votes, ties to the agent listed first; None while nobody has a vote."""
    best = max(tally.values(), default=0)
    if best <= 0:
        return None
    return next(a for a in order if tally.get(a) == best)


def visible_to(order: Sequence[str], me: str, mode: str, k: int, current_leader: str | None) -> set[str]:
    """Every agent whose answer `me` may read and vote for: itself, its peers, the leader."""
    seen = {me, *peers(order, me, mode, k)}
    if current_leader is not None:
        seen.add(current_leader)
    return seen


def bounded(content: str, max_chars: int) -> str:
    """Head + marker + tail when `content` is longer than max_chars (the marker included)."""
    if len(content) <= max_chars:
        return content
    marker_room = len(TRUNCATION_MARKER) + 10
    keep = max(0, max_chars - marker_room)
    head = keep * 2 // 3  # the start usually carries the answer, the end its conclusion
    tail = keep - head
    omitted = len(content) - head - tail
    middle = TRUNCATION_MARKER.format(omitted=omitted)
    return f"{content[:head].rstrip()}\n{middle}\n{content[len(content) - tail:].lstrip()}" if tail else f"{content[:head].rstrip()}\n{middle}"
