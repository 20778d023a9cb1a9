"""Council mode's words: the stage prompts, the `rank` workflow tool and its validation.

Pure functions, like `protocol`: `council.py` decides when, this module says what is sent.
Stage 1 reuses `new_answer`; stage 2 offers only `rank`; stage 3 (the chairman) has no
workflow tool and streams the final answer as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mgtui.engine import protocol
from mgtui.engine.agent import InvalidCall, parse_arguments

RANK = "rank"


@dataclass(frozen=True)
class RankDecision:
    order: list[str]  # anonymous ids, best first
    reasons: dict[str, str]  # anonymous id -> short reason


ANSWER_INSTRUCTIONS = """\
You are one member of a council of independent experts. Answer the ORIGINAL MESSAGE \
yourself, completely and carefully: the other members answer it too, and later every \
member will judge all the answers anonymously. Call `new_answer` with your complete answer."""

RANK_INSTRUCTIONS = """\
You are one member of a council reviewing anonymous answers to the same ORIGINAL MESSAGE. \
Judge each answer on its own merits: correctness first, then completeness, then clarity. \
Ignore length for its own sake and any claim an answer makes about itself. Call `rank` once: \
`order` lists every answer id exactly once, best first; `reasons` gives each id one short \
sentence on its main strength or flaw."""

CHAIRMAN_INSTRUCTIONS = """\
You chair the council. Its members answered the ORIGINAL MESSAGE independently, then ranked \
each other's answers anonymously. Write the one final answer for the user: build on what the \
highly ranked answers got right, fix what the reviewers found wrong, keep concrete details, and \
settle disagreements on the evidence rather than by majority alone. Reply with the final \
answer only (no tool calls, no mention of the council or the rankings)."""


def _with_agent_system(agent_system_message: str | None, instructions: str) -> str:
    return "\n\n".join(p for p in ((agent_system_message or "").strip(), instructions) if p)


def _question_block(question: str) -> list[str]:
    return ["<ORIGINAL MESSAGE>", question.strip(), "<END OF ORIGINAL MESSAGE>", ""]


def answer_messages(question: str, history: Sequence[tuple[str, str]], agent_system_message: str | None) -> list[dict[str, Any]]:
    """Stage 1: the question alone; no peer answers are visible."""
    user = "\n".join([*_question_block(question), "Post your answer with `new_answer`."])
    return [
        {"role": "system", "content": _with_agent_system(agent_system_message, ANSWER_INSTRUCTIONS)},
        *protocol.history_messages(history),
        {"role": "user", "content": user},
    ]


def rank_tool(ids: Sequence[str]) -> dict[str, Any]:
    ids = list(ids)
    return {
        "type": "function",
        "function": {
            "name": RANK,
            "description": "Rank every answer shown, best first, with one short reason per answer.",
            "parameters": {
                "type": "object",
                "properties": {
                    "order": {
                        "type": "array",
                        "items": {"type": "string", "enum": ids},
                        "minItems": len(ids),
                        "maxItems": len(ids),
                        "uniqueItems": True,
                        "description": "Every answer id exactly once, best first.",
                    },
                    "reasons": {
                        "type": "object",
                        "properties": {i: {"type": "string", "maxLength": protocol.REASON_MAX_CHARS} for i in ids},
                        "additionalProperties": False,
                        "description": "Answer id -> one short sentence on why it is placed where it is.",
                    },
                },
                "required": ["order", "reasons"],
                "additionalProperties": False,
            },
        },
    }


def rank_messages(
    question: str,
    history: Sequence[tuple[str, str]],
    agent_system_message: str | None,
    shown: Sequence[tuple[str, str]],  # (anonymous id, answer text) in the order this reviewer sees them
) -> list[dict[str, Any]]:
    lines = [*_question_block(question), "<ANSWERS>"]
    for anon, content in shown:
        lines += [f"<{anon}>", content.strip(), f"<end of {anon}>"]
    lines += ["<END OF ANSWERS>", "", f"Rank all {len(shown)} answers with `rank`."]
    return [
        {"role": "system", "content": _with_agent_system(agent_system_message, RANK_INSTRUCTIONS)},
        *protocol.history_messages(history),
        {"role": "user", "content": "\n".join(lines)},
    ]


def validate_rank(calls: Sequence[dict[str, Any]], ids: Sequence[str]) -> RankDecision:
    """Exactly one `rank` call whose order is a permutation of `ids`; else InvalidCall."""
    if not calls:
        raise InvalidCall("You did not call a tool.")
    names = [c["function"]["name"] for c in calls]
    if names != [RANK]:
        raise InvalidCall(f"Call exactly one `rank` and nothing else; you called {', '.join(names)}.")
    args = parse_arguments(calls[0])
    order = args.get("order")
    valid = ", ".join(ids)
    if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
        raise InvalidCall(f"`order` must be a list of answer ids: {valid}.")
    unknown = [i for i in order if i not in ids]
    if unknown:
        raise InvalidCall(f"Unknown answer id(s) in `order`: {', '.join(unknown)}. Valid ids: {valid}.")
    if len(set(order)) != len(order):
        raise InvalidCall("`order` lists an answer more than once; list each exactly once.")
    missing = [i for i in ids if i not in order]
    if missing:
        raise InvalidCall(f"`order` leaves out {', '.join(missing)}; rank every answer: {valid}.")
    reasons = args.get("reasons", {})
    if not isinstance(reasons, dict):
        raise InvalidCall("`reasons` must be an object mapping answer ids to short reasons.")
    stray = [k for k in reasons if k not in ids]
    if stray:
        raise InvalidCall(f"Unknown answer id(s) in `reasons`: {', '.join(stray)}.")
    clean = {k: str(v).strip()[: protocol.REASON_MAX_CHARS] for k, v in reasons.items() if v is not None}
    return RankDecision(order=list(order), reasons=clean)


def chairman_messages(
    *,
    question: str,
    history: Sequence[tuple[str, str]],
    agent_system_message: str | None,
    answers: Sequence[tuple[str, str]],  # (anonymous id, text), best aggregate rank first
    aggregate: dict[str, float],  # anonymous id -> mean rank
    rankings: Sequence[tuple[list[str], dict[str, str]]],  # each reviewer's (order, reasons), anonymous ids
) -> list[dict[str, Any]]:
    lines = [*_question_block(question), "<ANSWERS, best aggregate rank first>"]
    for anon, content in answers:
        mean = aggregate.get(anon)
        rank_note = f" (mean rank {mean:.2f})" if mean is not None else ""
        lines += [f"<{anon}{rank_note}>", content.strip(), f"<end of {anon}>"]
    lines += ["<END OF ANSWERS>", "", f"<PEER REVIEWS: {len(rankings)}>"]
    for n, (order, reasons) in enumerate(rankings, start=1):
        lines.append(f"Reviewer {n}: " + " > ".join(order))
        lines += [f"- {anon}: {reasons[anon]}" for anon in order if reasons.get(anon)]
    lines.append("<END OF PEER REVIEWS>")
    return [
        {"role": "system", "content": _with_agent_system(agent_system_message, CHAIRMAN_INSTRUCTIONS)},
        *protocol.history_messages(history),
        {"role": "user", "content": "\n".join(lines)},
    ]
