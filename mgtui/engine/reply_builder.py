"""Assemble one streamed reply from LiteLLM chunks: content, reasoning and tool calls.

Everything grows as lists of parts joined once at the end (a long answer stays linear).
Servers differ in the details this copes with: tool-call deltas that carry the id and index
only in their first chunk, several calls in one reply, `reasoning_content` deltas and
`<think>` blocks inside the content. `problem()` says whether a stream that ended without
a finish_reason still holds a complete reply.
"""

from __future__ import annotations

import json
from typing import Any

from mgtui.engine.draft import DraftDecoder
from mgtui.engine.openai_chunks import Fields, plain
from mgtui.engine.protocol import NEW_ANSWER
from mgtui.engine.think import ThinkSplitter
from mgtui.engine.utf8 import utf8_safe


def _count(value: Any) -> int:
    """A token count as a server sent it; anything but a whole number counts as none (the
    chunks read directly are not validated, and a string here failed the Usage event)."""
    return value if type(value) is int and value > 0 else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _Call:
    def __init__(self, index: int) -> None:
        self.index = index
        self.id = ""
        self.name = ""
        self.parts: list[str] = []
        self.draft: DraftDecoder | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": "".join(self.parts)}}


class ReplyBuilder:
    def __init__(self, coalescer: Any) -> None:
        self._coalescer = coalescer  # TextCoalescer: add(text, reasoning=...)
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._calls: list[_Call] = []
        self._by_index: dict[int, _Call] = {}  # the call opened last for each index
        self._max_index = 0
        self._think = ThinkSplitter()
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.finished = False  # a choice carried a finish_reason

    # -- chunks ---------------------------------------------------------------------------

    def chunk(self, chunk: Any) -> None:
        usage = getattr(chunk, "usage", None)
        if usage:
            self.prompt_tokens = _count(getattr(usage, "prompt_tokens", 0)) or self.prompt_tokens
            self.completion_tokens = _count(getattr(usage, "completion_tokens", 0)) or self.completion_tokens
        for choice in getattr(chunk, "choices", None) or []:
            self.finished = self.finished or bool(getattr(choice, "finish_reason", None))
            delta = getattr(choice, "delta", None)
            if delta is None:
                continue
            # `reasoning` is what some servers call it (LiteLLM's Delta maps it the same way)
            reasoning = getattr(delta, "reasoning_content", None) or getattr(delta, "reasoning", None)
            if isinstance(reasoning, str) and reasoning:
                self._add_reasoning(utf8_safe(reasoning))
            content = getattr(delta, "content", None)
            if content and isinstance(content, str):
                for phase, text in self._think.feed(utf8_safe(content)):
                    self._add_reasoning(text) if phase == "reasoning" else self._add_text(text)
            for tool_delta in getattr(delta, "tool_calls", None) or []:
                self._tool_delta(tool_delta)

    def _add_text(self, text: str) -> None:
        self._text.append(text)
        self._coalescer.add(text)

    def _add_reasoning(self, text: str) -> None:
        self._reasoning.append(text)
        self._coalescer.add(text, reasoning=True)

    def _call_for(self, delta: Any) -> _Call:
        index = getattr(delta, "index", None)
        if type(index) is not int:
            index = None  # a string index could not be sorted against the others
        call_id = _text(getattr(delta, "id", None))
        name = _text(getattr(getattr(delta, "function", None), "name", None))
        if not call_id and not name and self._calls and index in (None, 0, self._calls[-1].index):
            # Some servers send the index and id only in a call's first chunk (LiteLLM then
            # reports index 0): a chunk naming neither continues the call opened last.
            return self._calls[-1]
        if index is None:
            index = len(self._calls)
        call = self._by_index.get(index)
        if call is not None:
            if not (call_id and call.id and call_id != call.id and name):
                return call
            index = self._max_index + 1  # a new call reusing the index (seen from Ollama)
        call = _Call(index)
        self._calls.append(call)
        # by index, not a scan of the calls: a server sending thousands of calls made each delta O(calls)
        self._by_index[index] = call
        self._max_index = max(self._max_index, index)
        return call

    def _tool_delta(self, delta: Any) -> None:
        call = self._call_for(delta)
        if _text(getattr(delta, "id", None)):
            call.id = utf8_safe(delta.id)
        function = getattr(delta, "function", None)
        if function is None:
            return
        if _text(getattr(function, "name", None)):
            call.name = utf8_safe(function.name)
        piece = getattr(function, "arguments", None)
        if isinstance(piece, (dict, Fields)):  # arguments sent as an object: as LiteLLM's Delta takes them
            piece = json.dumps(plain(piece), ensure_ascii=False)
        if piece and isinstance(piece, str):
            piece = utf8_safe(piece)
            call.parts.append(piece)
            if call.name == NEW_ANSWER:  # show the answer as it is written
                if call.draft is None:
                    call.draft = DraftDecoder()
                    self._coalescer.drafting_answer = True
                self._coalescer.add(call.draft.push(piece))

    # -- the end --------------------------------------------------------------------------

    def problem(self) -> str | None:
        """None when what arrived is a complete reply; else why it is not (for a retry)."""
        calls = [c for c in self._calls if c.name or c.parts]
        if calls:
            for call in calls:
                try:
                    args = json.loads("".join(call.parts) or "null", strict=False)
                except (ValueError, RecursionError):
                    args = None
                if not call.name or not isinstance(args, dict):
                    return "stream ended mid tool call"
            return None
        if "".join(self._text).strip():
            return None
        return "stream ended before any output"

    def output_text(self) -> str:
        """Everything the model wrote so far (text, reasoning, tool arguments): for a token count."""
        return "".join([*self._text, *self._reasoning, *(p for c in self._calls for p in c.parts)])

    def reply(self, unterminated: bool = False) -> Any:
        from mgtui.engine.streaming import StreamedReply  # noqa: PLC0415 - the dataclass lives with its users

        for phase, text in self._think.flush():
            self._add_reasoning(text) if phase == "reasoning" else self._add_text(text)
        calls = [c.to_dict() for c in sorted(self._calls, key=lambda c: c.index) if c.name]
        for i, call in enumerate(calls):
            call["id"] = call["id"] or f"call_{i}"
        return StreamedReply(
            text="".join(self._text),
            tool_calls=calls,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            reasoning="".join(self._reasoning),
            unterminated=unterminated,
        )
