"""The coordination protocol's words: workflow tools, prompts, anonymisation and labels.

Pure functions only; the orchestrator decides *when*, this module says *what* is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NEW_ANSWER = "new_answer"
VOTE = "vote"
WORKFLOW_TOOLS = frozenset({NEW_ANSWER, VOTE})

# Bounds keep weak models from rambling inside a tool call and keep prompts small.
ANSWER_MAX_CHARS = 8000
REASON_MAX_CHARS = 500


@dataclass(frozen=True)
class VisibleAnswer:
    """One agent's latest answer as another agent sees it."""

    anon_id: str  # agent2
    label: str  # agent2.3
    content: str


def anonymous_ids(agent_ids: Sequence[str]) -> dict[str, str]:
    """Config id -> agentN, numbered in config order (stable for the whole session)."""
    return {agent_id: f"agent{i}" for i, agent_id in enumerate(agent_ids, start=1)}


def answer_label(anon_id: str, index: int) -> str:
    return f"{anon_id}.{index}"


def new_answer_tool() -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": NEW_ANSWER,
            "description": "Post a new or improved answer to the ORIGINAL MESSAGE. It replaces your previous answer.",
            "parameters": {
                "type": "object",
                "properties": {
                    "content": {
                        "type": "string",
                        "description": "Your complete answer to the original message.",
                        "minLength": 1,
                        "maxLength": ANSWER_MAX_CHARS,
                    }
                },
                "required": ["content"],
                "additionalProperties": False,
            },
        },
    }


def vote_tool(anon_ids_with_answers: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": VOTE,
            "description": "Vote for the best current answer (you may vote for your own).",
            "parameters": {
                "type": "object",
                "properties": {
                    "agent_id": {
                        "type": "string",
                        "enum": list(anon_ids_with_answers),
                        "description": "The anonymous id of the agent whose answer is best.",
                    },
                    "reason": {
                        "type": "string",
                        "description": "Briefly, why this answer is the best.",
                        "maxLength": REASON_MAX_CHARS,
                    },
                },
                "required": ["agent_id", "reason"],
                "additionalProperties": False,
            },
        },
    }


def workflow_tools(anon_ids_with_answers: Sequence[str], can_answer: bool) -> list[dict[str, Any]]:
    """new_answer unless at the cap; vote once anyone has answered."""
    tools: list[dict[str, Any]] = []
    if can_answer:
        tools.append(new_answer_tool())
    if anon_ids_with_answers:
        tools.append(vote_tool(anon_ids_with_answers))
    return tools


COORDINATION_INSTRUCTIONS = """\
You are one of several agents answering the same ORIGINAL MESSAGE together. You see the \
other agents' latest answers, anonymised as agent1, agent2, ... Decide:
- If the best CURRENT ANSWER already addresses the original message well, call `vote` \
with that agent's id and a short reason (you may vote for your own answer).
- Otherwise call `new_answer` with a complete answer that is clearly better.
End every reply with exactly one call of `vote` or `new_answer`."""

VOTE_ONLY_INSTRUCTIONS = """\
You have posted your maximum number of answers. You MUST now call `vote` for the best \
current answer, with a short reason."""


def system_message(agent_system_message: str | None, vote_only: bool) -> str:
    parts = [agent_system_message.strip()] if agent_system_message else []
    parts.append(COORDINATION_INSTRUCTIONS)
    if vote_only:
        parts.append(VOTE_ONLY_INSTRUCTIONS)
    return "\n\n".join(parts)


def order_own_last(answers: Sequence[VisibleAnswer], own_anon_id: str) -> list[VisibleAnswer]:
    """Sort by anonymous id, then rotate so the reader's own answer comes last (position bias)."""
    ordered = sorted(answers, key=lambda a: int(a.anon_id.removeprefix("agent") or 0))
    for i, answer in enumerate(ordered):
        if answer.anon_id == own_anon_id:
            return ordered[i + 1 :] + ordered[: i + 1]
    return ordered


def coordination_user_message(question: str, answers: Sequence[VisibleAnswer], own_anon_id: str) -> str:
    lines = ["<ORIGINAL MESSAGE>", question.strip(), "<END OF ORIGINAL MESSAGE>", "", "<CURRENT ANSWERS from the agents>"]
    if not answers:
        lines.append("(no answers yet: post the first one with `new_answer`)")
    for answer in order_own_last(answers, own_anon_id):
        lines += [f"<{answer.label}>", answer.content.strip(), f"<end of {answer.label}>"]
    lines.append("<END OF CURRENT ANSWERS>")
    return "\n".join(lines)


def history_messages(history: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """Earlier turns as ordinary chat messages: question, then the team's final answer."""
    messages: list[dict[str, str]] = []
    for question, answer in history:
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": answer})
    return messages


def enforcement_message(problem: str, allowed: Sequence[str]) -> str:
    names = " or ".join(f"`{n}`" for n in allowed)
    return f"{problem} Finish your work by calling exactly one of {names}."


PRESENT_INSTRUCTIONS = {
    "winner_present": (
        "You have been selected by the team to present the final answer. Use your own answer as "
        "the primary basis, improve it with anything valuable from the others and the voters' "
        "feedback, and write the final answer to the original message for the user. Reply with "
        "the answer only (no tool calls, no mention of the voting)."
    ),
    "synthesize": (
        "You have been selected by the team to present the final answer. Synthesize the strongest "
        "parts of all answers into one complete final answer, preserving concrete details. Reply "
        "with the answer only (no tool calls, no mention of the voting)."
    ),
}


def presentation_messages(
    *,
    strategy: str,
    question: str,
    history: Sequence[tuple[str, str]],
    agent_system_message: str | None,
    answers: dict[str, str],  # config id -> latest answer, in config order
    winner: str,
    reasons: Sequence[str],
) -> list[dict[str, str]]:
    system = "\n\n".join(p for p in ((agent_system_message or "").strip(), PRESENT_INSTRUCTIONS[strategy]) if p)
    lines = ["<ORIGINAL MESSAGE>", question.strip(), "<END OF ORIGINAL MESSAGE>", ""]
    lines.append(f"VOTING RESULTS: you received {len(reasons)} vote(s).")
    lines += [f"- {r}" for r in reasons if r]
    lines += ["", "<ALL ANSWERS>"]
    for agent_id, content in answers.items():
        mark = " (YOUR ANSWER)" if agent_id == winner else ""
        lines += [f"<{agent_id}{mark}>", content.strip(), f"<end of {agent_id}>"]
    lines.append("<END OF ALL ANSWERS>")
    return [{"role": "system", "content": system}, *history_messages(history), {"role": "user", "content": "\n".join(lines)}]
