"""The person at the keyboard as a member of the turn: hints, a vote, a decision, and control
over single agents. The UI sends these through the engine service; the orchestrator takes
them from its queue (so they are handled between results, never in the middle of one) and
`apply_human_action` carries them out on its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mgtui.engine import protocol
from mgtui.engine.consensus import Outcome, StandingVote
from mgtui.engine.events import AgentError, Hint, SessionNotice, VoteCast, VotesReset
from mgtui.engine.hints import clean_hint, hint_message

if TYPE_CHECKING:
    from mgtui.engine.orchestrator import AgentSlot, Orchestrator

HUMAN = "human"  # the voter id of the person, and `by` of what they decided


@dataclass(frozen=True)
class HumanAction:
    kind: Literal["hint", "vote", "decide", "drop", "restart"]
    agent: str = ""  # vote target, chosen winner, or the agent to drop / restart
    text: str = ""  # the hint, or the vote's reason
    to: tuple[str, ...] | None = None  # hint recipients; None: every agent still working


def unread_hint(slot: AgentSlot) -> bool:
    """The run decided before its next model call could carry a hint sent meanwhile."""
    return bool(slot.state.inbox)


def apply_human_action(orch: Orchestrator, action: HumanAction) -> Outcome | None:
    """Carry out one action; an Outcome means the person ended the coordination."""
    if action.kind == "hint":
        _hint(orch, action.text, list(action.to) if action.to else None)
    elif action.kind == "vote":
        _vote(orch, action.agent, action.text)
    elif action.kind == "decide":
        return _decide(orch, action.agent)
    elif action.kind == "drop":
        _drop(orch, action.agent)
    elif action.kind == "restart":
        _restart(orch, action.agent)
    return None


def _refuse(orch: Orchestrator, message: str) -> None:
    orch.emit(SessionNotice(level="warning", message=message))


def _live_slot(orch: Orchestrator, agent: str, doing: str) -> AgentSlot | None:
    if agent not in orch.slots:
        _refuse(orch, f"cannot {doing} {agent}: no such agent")
        return None
    if agent not in orch.book.live:
        _refuse(orch, f"cannot {doing} {agent}: it is no longer in this turn")
        return None
    return orch.slots[agent]


def _withdraw_vote(orch: Orchestrator, agent: str) -> None:
    if orch.book.votes.pop(agent, None) is not None:
        orch.emit(VotesReset(by=HUMAN, cleared=[agent]))


def _hint(orch: Orchestrator, text: str, addressed: list[str] | None) -> None:
    unknown = [a for a in addressed or [] if a not in orch.slots]
    if unknown or not text.strip():
        _refuse(orch, f"hint not sent: no agent {', '.join(unknown)}" if unknown else "hint not sent: it is empty")
        return
    text = clean_hint(text)
    reached: list[str] = []
    for agent in orch.book.order:
        slot = orch.slots[agent]
        if agent not in orch.book.live or (addressed is not None and agent not in addressed):
            continue
        if slot.running or slot.pending:
            slot.state.inbox.append(hint_message(text))  # its next model call (or a restart) carries it
        elif agent in orch.deferred_agents():
            pass  # restarting anyway: the new run carries every hint of the turn
        elif addressed is not None:
            _withdraw_vote(orch, agent)  # named but idle: it reconsiders with the note
            orch.restart_later(slot, "hint")
        else:
            continue  # done and not named: its standing vote stays
        reached.append(agent)
    orch.hints.add(text, reached)  # before any deferred restart starts: it reads the hints
    orch.emit(Hint(text=text, to=reached, addressed=addressed))


def _vote(orch: Orchestrator, target: str, reason: str) -> None:
    if getattr(orch.settings, "human", "observer") != "voter":
        _refuse(orch, "your vote was not counted: set orchestrator.human: voter to vote as a member")
        return
    if orch.book.answer_count(target) == 0:
        _refuse(orch, f"cannot vote for {target}: it has no answer yet")
        return
    anon = orch.slots[target].anon
    label = protocol.answer_label(anon, orch.book.answer_count(target))
    reason = reason.strip() or "chosen by the user"
    orch.book.cast(StandingVote(HUMAN, target, label, reason))
    orch.emit(VoteCast(agent=HUMAN, target=target, label=label, reason=reason))


def _decide(orch: Orchestrator, winner: str) -> Outcome | None:
    if orch.book.answer_count(winner) == 0:
        _refuse(orch, f"cannot pick {winner}: it has no answer yet")
        return None
    return Outcome(winner, orch.book.tally(), False, [], HUMAN)


def _drop(orch: Orchestrator, agent: str) -> None:
    slot = _live_slot(orch, agent, "drop")
    if slot is None:
        return
    orch.cancel_run(slot, "dropped by the user")
    orch.book.drop(agent)
    orch.dropped.append({"agent": agent, "reason": "dropped by the user"})
    orch.emit(AgentError(agent=agent, error="dropped by the user", fatal=True, kind=HUMAN))


def _restart(orch: Orchestrator, agent: str) -> None:
    slot = _live_slot(orch, agent, "restart")
    if slot is None:
        return
    _withdraw_vote(orch, agent)
    orch.cancel_run(slot, "restarted by the user", restart=True)
    orch.restart_later(slot, "user")
