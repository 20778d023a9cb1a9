"""What the loopback model server answers: replies, recorded requests and scripts.

A *script* decides the reply to each request for one model name. It is either a callable
`(request, call_index) -> Reply`, a list of replies consumed in order (the last repeats),
or a single reply. `answer_then_vote()` is the policy most engine tests want.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Failure = Literal["abort", "hang"]


@dataclass(frozen=True)
class ToolCallSpec:
    name: str
    arguments: dict[str, Any] | str  # a str is sent verbatim (to test malformed JSON)
    id: str | None = None

    def arguments_json(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass(frozen=True)
class Reply:
    """One response. status != 200 makes it an HTTP error with `error_message`."""

    content: str = ""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    status: int = 200
    error_message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    chunk_size: int = 8  # characters per streamed content / argument delta
    first_byte_delay: float = 0.0  # seconds before the response starts
    chunk_delay: float = 0.0  # seconds between streamed chunks
    fail_after: int | None = None  # streamed chunks sent before `failure` happens
    failure: Failure | None = None  # "abort": drop the connection; "hang": stop sending
    hold: threading.Event | None = None  # the response starts only once the test sets it
    # Quirks of real servers (issue 15):
    finish: bool = True  # False: the stream ends with [DONE] but no chunk carries a finish_reason
    end_after: int | None = None  # send only this many chunks, then end cleanly ([DONE], no finish_reason)
    reasoning: str = ""  # streamed first as `reasoning_content` deltas (DeepSeek-R1, o-series via LiteLLM)
    sparse_tool_deltas: bool = False  # a tool call's id and index only in its first chunk
    raw_chunks: tuple[dict[str, Any], ...] | None = None  # streamed as given (then [DONE]) instead of the above

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"


# -- reply constructors ----------------------------------------------------------------


def text(content: str, **options: Any) -> Reply:
    return Reply(content=content, **options)


def tool_call(name: str, arguments: dict[str, Any] | str, *, text: str = "", **options: Any) -> Reply:
    return Reply(content=text, tool_calls=(ToolCallSpec(name, arguments),), **options)


def tool_calls(calls: Sequence[tuple[str, dict[str, Any] | str]], *, text: str = "", **options: Any) -> Reply:
    return Reply(content=text, tool_calls=tuple(ToolCallSpec(n, a) for n, a in calls), **options)


def new_answer(content: str, *, text: str = "", **options: Any) -> Reply:
    return tool_call("new_answer", {"content": content}, text=text, **options)


def vote(agent_id: str, reason: str = "it is the best answer", *, text: str = "", **options: Any) -> Reply:
    return tool_call("vote", {"agent_id": agent_id, "reason": reason}, text=text, **options)


def thinking(reasoning: str, content: str, **options: Any) -> Reply:
    """A reasoning model's reply in text: `<think>reasoning</think>` then the content (tags split by chunking)."""
    return text(f"<think>{reasoning}</think>{content}", **options)


def error(status: int, message: str = "", headers: dict[str, str] | None = None, **options: Any) -> Reply:
    return Reply(status=status, error_message=message or f"scripted HTTP {status}", headers=dict(headers or {}), **options)


def rate_limited(retry_after: float, message: str = "rate limit reached (scripted)") -> Reply:
    return error(429, message, {"Retry-After": f"{retry_after:g}"})


# -- what the server saw ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    model: str
    body: dict[str, Any]
    headers: dict[str, str]  # lower-cased names
    call_index: int  # 0-based count of earlier requests for the same model
    received_at: float = 0.0  # time.time() when the request arrived

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def tools(self) -> list[dict[str, Any]]:
        return list(self.body.get("tools") or [])

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def include_usage(self) -> bool:
        return bool((self.body.get("stream_options") or {}).get("include_usage"))

    @property
    def tool_names(self) -> list[str]:
        return [t.get("function", {}).get("name", "") for t in self.tools]

    def tool(self, name: str) -> dict[str, Any] | None:
        return next((t for t in self.tools if t.get("function", {}).get("name") == name), None)

    @property
    def vote_enum(self) -> list[str]:
        """Anonymous ids the `vote` tool accepts ([] when vote is not offered)."""
        spec = self.tool("vote")
        if spec is None:
            return []
        props = spec["function"].get("parameters", {}).get("properties", {})
        return list(props.get("agent_id", {}).get("enum") or [])

    @property
    def system_text(self) -> str:
        return "\n".join(_text_of(m) for m in self.messages if m.get("role") == "system")

    @property
    def last_user_text(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return _text_of(users[-1]) if users else ""

    @property
    def all_text(self) -> str:
        return "\n".join(_text_of(m) for m in self.messages)


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


# -- scripts ------------------------------------------------------------------------------

ScriptFn = Callable[[RecordedRequest, int], Reply]
Script = ScriptFn | Sequence[Reply] | Reply


def as_script_fn(script: Script) -> ScriptFn:
    if isinstance(script, Reply):
        return lambda _request, _index: script
    if callable(script):
        return script
    replies = list(script)
    if not replies:
        raise ValueError("a script list needs at least one reply")
    return lambda _request, index: replies[min(index, len(replies) - 1)]


def answer_then_vote(
    answer: str,
    vote_for: str = "agent1",
    reason: str = "it answers the question best",
    final: str | None = None,
    **options: Any,
) -> ScriptFn:
    """The smart default: answer while nobody has, then vote; plain text when no tools.

    Votes go to `vote_for` when the vote tool offers it, else to the first id offered
    (the enum only lists agents that have answered, so early votes may have to wait).
    Without tools (the final presentation) it streams `final` (default: the answer).
    `options` (chunk_size, chunk_delay, ...) apply to every reply.
    """

    def policy(request: RecordedRequest, _index: int) -> Reply:
        if not request.tools:
            return text(final if final is not None else answer, **options)
        offered = request.vote_enum
        if offered:
            return vote(vote_for if vote_for in offered else offered[0], reason, **options)
        if "new_answer" in request.tool_names:
            return new_answer(answer, **options)
        return text("I have no workflow tool to call.", **options)

    return policy


def named_choice(request: RecordedRequest) -> str | None:
    """The tool a request's `tool_choice` names ({"type": "function", "function": {"name": ...}})."""
    choice = request.body.get("tool_choice")
    if isinstance(choice, dict):
        return (choice.get("function") or {}).get("name")
    return None


def text_unless_named(answer: str, vote_for: str = "agent1", reason: str = "it is the best", final: str | None = None, **options: Any) -> ScriptFn:
    """A model that writes plain text unless a named tool_choice makes it call that tool
    (what llama.cpp's server does with SmolLM2: it obeys the grammar a named choice imposes)."""

    def policy(request: RecordedRequest, _index: int) -> Reply:
        if not request.tools:
            return text(final if final is not None else answer, **options)
        named = named_choice(request)
        if named == "vote":
            offered = request.vote_enum
            return vote(vote_for if vote_for in offered else offered[0], reason, **options)
        if named == "new_answer":
            return new_answer(answer, **options)
        return text(answer, **options)

    return policy


def script_from_data(data: Any) -> Script:
    """Build a script from JSON/YAML data (used by the `--script FILE` command line).

    Either {"policy": "answer_then_vote", "answer": ..., "vote_for": ..., <reply options>}
    or a list of reply dicts: {"text": ...} | {"tool": name, "arguments": {...}} |
    {"status": 429, "message": ..., "headers": {...}}, each with optional reply options.
    """
    if isinstance(data, dict) and "policy" in data:
        options = {k: v for k, v in data.items() if k != "policy"}
        if data["policy"] != "answer_then_vote":
            raise ValueError(f"unknown policy {data['policy']!r}")
        return answer_then_vote(**options)
    items = data if isinstance(data, list) else [data]
    return [reply_from_data(item) for item in items]


def reply_from_data(item: dict[str, Any]) -> Reply:
    item = dict(item)
    if "status" in item:
        return error(item.pop("status"), item.pop("message", ""), item.pop("headers", None), **item)
    if "tool" in item:
        return tool_call(item.pop("tool"), item.pop("arguments", {}), text=item.pop("text", ""), **item)
    return text(item.pop("text", ""), **item)
