"""A hostile server streaming tens of thousands of tool calls must not stall the engine's event
loop: each tool-call delta found its call by scanning every call opened so far (40,000 calls, a
3 MB stream, blocked the loop for every agent for 18 s; the time grew with the square)."""

from __future__ import annotations

from typing import Any

import pytest

from mgtui.engine import reply_builder
from mgtui.engine.openai_chunks import Fields
from mgtui.engine.reply_builder import ReplyBuilder


class _Coalescer:
    drafting_answer = False

    def add(self, text: str, reasoning: bool = False) -> None:
        pass


def test_each_tool_call_delta_costs_the_same_however_many_calls_came_before(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = [0]

    class CountingCall(reply_builder._Call):
        """Counts reads of a call's index: a scan of the calls reads every one of them."""

        @property  # type: ignore[override]
        def index(self) -> int:
            reads[0] += 1
            return self._index

        @index.setter
        def index(self, value: int) -> None:
            self._index = value

    monkeypatch.setattr(reply_builder, "_Call", CountingCall)
    builder = ReplyBuilder(_Coalescer())
    calls = 3000
    for i in range(calls):
        call: dict[str, Any] = {"index": i, "id": f"c{i}", "function": {"name": "vote", "arguments": '{"agent_id": "a"}'}}
        builder.chunk(Fields({"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}))
        builder.chunk(Fields({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": i, "function": {"arguments": " "}}]}}]}))
    assert reads[0] < 10 * calls  # a scan per delta: about calls² / 2 reads
    reply = builder.reply()
    assert len(reply.tool_calls) == calls and reply.tool_calls[-1]["id"] == f"c{calls - 1}"
