"""When a model answers in text instead of calling `new_answer` / `vote`.

Small and local models often write their answer or their choice as plain text. After the
nudges run out the agent is not dropped for that: its text becomes its answer (fallback
"text"), or it is asked once more with a tool choice naming `vote` ("forced"), or a vote
is read from its text, e.g. "vote agent2: clearest" ("parsed"). Every fallback is marked on
the answer/vote event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from mgtui.config.models import AgentConfig
from mgtui.engine import protocol

TEXT, FORCED, PARSED = "text", "forced", "parsed"

# "vote agent2: reason", "I vote for agent2 - reason", "Vote: agent2 because ...", "**vote** `agent2`"
_VOTE = re.compile(r"\bvot(?:e|ing)\b\W{0,5}(?:(?:for|is|goes to)\b\W{0,5})?(agent\d+)\b[\s:,.;\-–—`*)\]]*(.*)", re.IGNORECASE)
_BARE_ID = re.compile(r"\b(agent\d+)\b", re.IGNORECASE)


def parse_text_vote(text: str, vote_ids: Sequence[str]) -> tuple[str, str] | None:
    """(anonymous id, reason) read from plain text, or None. Only ids that may be voted for count;
    a bare id is taken only when the text names exactly one of them."""
    allowed = {v.lower(): v for v in vote_ids}
    for match in _VOTE.finditer(text):
        target = allowed.get(match.group(1).lower())
        if target is not None:
            reason = " ".join(match.group(2).split())
            return target, reason[: protocol.REASON_MAX_CHARS]
    named = {allowed[m.lower()] for m in _BARE_ID.findall(text) if m.lower() in allowed}
    if len(named) == 1:
        return named.pop(), ""
    return None


_ARG_ID = re.compile(r'"agent_id"\s*:\s*"(agent\d+)"')
_ARG_REASON = re.compile(r'"reason"\s*:\s*"((?:[^"\\]|\\.)*)')


_STATED = re.compile(r"^\W*(?:i\s+)?vot(?:e|ing)\b", re.IGNORECASE)


def stated_vote(text: str, vote_ids: Sequence[str]) -> tuple[str, str] | None:
    """A reply that *is* a vote ("vote agent2: clearest", "I vote for agent1 ..."), read as one."""
    return parse_text_vote(text, vote_ids) if _STATED.match(text) else None


def salvage_vote(calls: Sequence[dict[str, Any]], vote_ids: Sequence[str]) -> tuple[str, str] | None:
    """A forced `vote` whose JSON was cut short (max_tokens) still names its choice: keep it."""
    for call in calls:
        if call["function"]["name"] != protocol.VOTE:
            continue
        raw = call["function"].get("arguments") or ""
        found = _ARG_ID.search(raw)
        if found and found.group(1) in vote_ids:
            reason = _ARG_REASON.search(raw)
            return found.group(1), (reason.group(1).replace('\\"', '"') if reason else "")[: protocol.REASON_MAX_CHARS]
    return None


def tool_choice_mode(agent: AgentConfig) -> str:
    """named | auto | none: the config's word, else what LiteLLM says the provider accepts."""
    if agent.tool_choice is not None:
        return agent.tool_choice
    from mgtui.providers.litellm_access import supports_named_tool_choice  # noqa: PLC0415 - engine-only, lazy

    return "named" if supports_named_tool_choice(agent.model) else "auto"


def forced_request(agent: AgentConfig, tool: dict[str, Any]) -> tuple[list[dict[str, Any]], Any] | None:
    """(tools, tool_choice) for the one extra ask, or None when the config says never to ask."""
    mode = tool_choice_mode(agent)
    if mode == "none":
        return None
    if mode == "named":
        return [tool], {"type": "function", "function": {"name": tool["function"]["name"]}}
    return [tool], None  # auto: only this tool offered, the provider's default choice


def force_message(name: str) -> str:
    if name == protocol.VOTE:
        return "Call `vote` now, with the id of the best current answer and a short reason. Do not write anything else."
    if name == protocol.NEW_ANSWER:
        return "Call `new_answer` now, with your complete answer as `content`. Do not write anything else."
    return f"Call `{name}` now, with every argument it asks for. Do not write anything else."
