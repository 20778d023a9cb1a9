"""Pure parts of issue 15: the <think> splitter, reading a vote from text, tool-call deltas."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from mgtui.engine.fallbacks import parse_text_vote
from mgtui.engine.reply_builder import ReplyBuilder
from mgtui.engine.think import ThinkSplitter


def _split(pieces: list[str]) -> tuple[str, str]:
    splitter = ThinkSplitter()
    out = [p for piece in pieces for p in splitter.feed(piece)] + splitter.flush()
    return "".join(t for ph, t in out if ph == "content"), "".join(t for ph, t in out if ph == "reasoning")


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 100])
def test_think_blocks_are_split_out_however_the_stream_is_cut(size: int) -> None:
    text = "<think>weigh a < b and </thi tricks</think>The answer is 4 <b>bold</b>.<think>more</think> Done"
    content, reasoning = _split([text[i : i + size] for i in range(0, len(text), size)])
    assert content == "The answer is 4 <b>bold</b>. Done"
    assert reasoning == "weigh a < b and </thi tricksmore"


def test_an_unclosed_think_block_is_all_reasoning_and_a_held_prefix_is_released() -> None:
    assert _split(["<think>still going", " on"]) == ("", "still going on")
    assert _split(["price < 5 <thi"]) == ("price < 5 <thi", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vote agent2: it is the clearest", ("agent2", "it is the clearest")),
        ("I vote for Agent1 - short and right.", ("agent1", "short and right.")),
        ("**Vote:** `agent2` because it cites a source", ("agent2", "because it cites a source")),
        ("agent2's answer is the best one.", ("agent2", "")),  # one id named, nothing else
        ("agent1 and agent2 are both fine", None),
        ("vote agent7: not offered", None),
        ("Paris is the capital.", None),
    ],
)
def test_a_vote_is_read_from_text_only_for_offered_ids(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_text_vote(text, ["agent1", "agent2"]) == expected


class _Sink:
    def __init__(self) -> None:
        self.text: list[str] = []

    def add(self, text: str, reasoning: bool = False) -> None:
        self.text.append(text)


def _chunk(**delta: object) -> NS:
    return NS(usage=None, choices=[NS(delta=NS(**{"content": None, "reasoning_content": None, "tool_calls": None, **delta}))])


def _tool(index: int | None, id: str | None = None, name: str | None = None, args: str | None = None) -> NS:
    return NS(index=index, id=id, function=NS(name=name, arguments=args))


def test_tool_call_pieces_without_id_continue_the_call_opened_last() -> None:
    builder = ReplyBuilder(_Sink())
    builder.chunk(_chunk(tool_calls=[_tool(0, "c1", "new_answer", "")]))
    for piece in ('{"content"', ': "Par', 'is"}'):
        builder.chunk(_chunk(tool_calls=[_tool(0, None, None, piece)]))
    builder.chunk(_chunk(tool_calls=[_tool(1, "c2", "vote", "")]))
    for piece in ('{"agent_id": ', '"agent1"}'):  # LiteLLM reports a missing index as 0
        builder.chunk(_chunk(tool_calls=[_tool(0, None, None, piece)]))
    assert builder.problem() is None
    calls = builder.reply().tool_calls
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in calls] == [
        ("c1", "new_answer", '{"content": "Paris"}'),
        ("c2", "vote", '{"agent_id": "agent1"}'),
    ]


def test_a_reply_cut_mid_call_is_a_problem_and_text_alone_is_not() -> None:
    cut = ReplyBuilder(_Sink())
    cut.chunk(_chunk(tool_calls=[_tool(0, "c1", "new_answer", '{"content": "Par')]))
    assert cut.problem() == "stream ended mid tool call"
    text = ReplyBuilder(_Sink())
    text.chunk(_chunk(content="Paris."))
    assert text.problem() is None
    assert ReplyBuilder(_Sink()).problem() == "stream ended before any output"


def test_a_reply_that_is_a_vote_is_told_apart_from_an_answer_that_mentions_one() -> None:
    from mgtui.engine.fallbacks import stated_vote

    assert stated_vote("Vote agent2: it is right.", ["agent1", "agent2"]) == ("agent2", "it is right.")
    assert stated_vote("I vote for agent1", ["agent1"]) == ("agent1", "")
    assert stated_vote("Paris. (I would vote agent1.)", ["agent1"]) is None
