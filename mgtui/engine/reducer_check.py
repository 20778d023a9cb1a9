"""`MGTUI_CHECK_REDUCER=1`: the readers' reducer must agree with the engine's authority.

The engine decides with its `ConsensusLedger`; the sidebar, the logs and the API's result
read the turn from `TurnState`, folded from the events the session emitted. With the switch
on (the test suite sets it), the session compares the two at the consensus and at the end of
every turn and raises `ReducerMismatch` on any difference: a reducer that drifted from the
engine fails the turn loudly instead of showing people a different vote than the one counted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from mgtui.engine.consensus import ConsensusLedger
from mgtui.engine.events import AgentError, AnyEvent, Consensus, VoteCast, VotesReset
from mgtui.engine.turn_state import TurnState

ENV = "MGTUI_CHECK_REDUCER"


class ReducerMismatch(AssertionError):
    """TurnState and the engine disagree (never caught: it is a bug, not a turn's failure)."""


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    """The engine's raw values as the log wrote them (the state folds redacted events)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, redact) for v in value]
    return value


def _differences(pairs: list[tuple[str, Any, Any]]) -> list[str]:
    return [f"{what}: reducer {mine!r} != engine {theirs!r}" for what, mine, theirs in pairs if mine != theirs]


def after_event(state: TurnState, event: AnyEvent, ledger: ConsensusLedger, redact: Callable[[str], str]) -> None:
    """Compare where the engine has just changed its ledger and said so: a vote, a reset, a
    drop, the consensus. (Between an answer and its `votes_reset` the two differ by design.)"""
    if isinstance(event, Consensus):
        tally = event.tally if event.method == "consensus" else None  # council's tally counts first places
        check_ledger(state, ledger, redact, f"turn {event.turn} consensus", tally)
    elif isinstance(event, (VoteCast, VotesReset)) or (isinstance(event, AgentError) and event.fatal):
        check_ledger(state, ledger, redact, f"turn {event.turn} {event.type}")


def check_ledger(state: TurnState, ledger: ConsensusLedger, redact: Callable[[str], str], where: str, consensus_tally: dict[str, int] | None = None) -> None:
    """Standing votes, live agents, latest answers and tally must be the ledger's."""
    pairs: list[tuple[str, Any, Any]] = [
        ("standing votes", [(v.voter, v.target, v.label, v.reason) for v in state.votes.values()],
         [(v.voter, v.target, v.label, redact(v.reason)) for v in ledger.votes.values()]),
        ("live agents", sorted(state.live), sorted(ledger.live)),
        ("agents with answers", state.agents_with_answers(), ledger.agents_with_answers()),
        ("answer counts", {a: len(x) for a, x in state.answers.items() if x}, {a: len(x) for a, x in ledger.answers.items() if x}),
        ("latest answers", state.latest_answers(), {a: redact(ledger.latest(a) or "") for a in ledger.agents_with_answers()}),
        ("tally", state.standing_tally(), ledger.tally()),
    ]
    if consensus_tally is not None:
        pairs.append(("consensus tally", state.tally, consensus_tally))
    _raise(where, _differences(pairs))


def check_result(state_result: dict[str, Any], engine_result: dict[str, Any], redact: Callable[[str], str], where: str) -> None:
    """The turn's result built from TurnState equals the one the orchestrator returned."""
    engine = _redacted(engine_result, redact)
    keys = sorted(set(state_result) | set(engine))
    _raise(where, _differences([(k, state_result.get(k), engine.get(k)) for k in keys]))


def _raise(where: str, problems: list[str]) -> None:
    if problems:
        raise ReducerMismatch(f"TurnState disagrees with the engine at {where}:\n  " + "\n  ".join(problems))
