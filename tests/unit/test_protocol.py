"""Anonymisation, labels, own-answer-last ordering, tool schemas and enforcement."""

import pytest

from mgtui.engine import protocol
from mgtui.engine.agent import _Invalid, validate_workflow_call


def call(name: str, args: str) -> dict:
    return {"id": "c1", "type": "function", "function": {"name": name, "arguments": args}}


def test_anonymous_ids_follow_config_order() -> None:
    assert protocol.anonymous_ids(["zed", "amy"]) == {"zed": "agent1", "amy": "agent2"}
    assert protocol.answer_label("agent2", 3) == "agent2.3"


def test_own_answer_is_shown_last() -> None:
    answers = [protocol.VisibleAnswer(f"agent{i}", f"agent{i}.1", f"text {i}") for i in (3, 1, 2)]
    order = [a.anon_id for a in protocol.order_own_last(answers, "agent2")]
    assert order == ["agent3", "agent1", "agent2"]
    message = protocol.coordination_user_message("Q?", answers, "agent1")
    assert message.index("<agent2.1>") < message.index("<agent3.1>") < message.index("<agent1.1>")


def test_vote_enum_lists_only_agents_with_answers_and_vote_only_drops_new_answer() -> None:
    tools = protocol.workflow_tools(["agent1", "agent3"], can_answer=False)
    assert [t["function"]["name"] for t in tools] == ["vote"]
    assert tools[0]["function"]["parameters"]["properties"]["agent_id"]["enum"] == ["agent1", "agent3"]
    assert [t["function"]["name"] for t in protocol.workflow_tools([], can_answer=True)] == ["new_answer"]


@pytest.mark.parametrize(
    ("calls", "vote_ids", "can_answer", "problem"),
    [
        ([], ["agent1"], True, "did not call a tool"),
        ([call("vote", '{"agent_id":"agent1","reason":"x"}'), call("new_answer", '{"content":"y"}')], ["agent1"], True, "exactly one"),
        ([call("vote", '{"agent_id":"agent9","reason":"x"}')], ["agent1"], True, "Invalid agent_id 'agent9'"),
        ([call("vote", '{"agent_id":"agent1"}')], [], True, "no answers exist"),
        ([call("new_answer", '{"content": ')], [], True, "not valid JSON"),
        ([call("new_answer", '{"content":"x"}')], ["agent1"], False, "maximum number of answers"),
        ([call("new_answer", '{"content":"  "}')], [], True, "non-empty"),
        ([call("search_web", "{}")], [], True, "Unknown tool"),
    ],
)
def test_invalid_workflow_calls_are_explained(calls, vote_ids, can_answer, problem) -> None:
    with pytest.raises(_Invalid, match=problem):
        validate_workflow_call(calls, vote_ids, can_answer)


def test_valid_calls_become_decisions_with_lenient_json() -> None:
    answer = validate_workflow_call([call("new_answer", '{"content":"line1\nline2"}')], [], True)
    assert answer.kind == "answer" and answer.content == "line1\nline2"
    vote = validate_workflow_call([call("vote", '{"agent_id":"agent2","reason":"best"}')], ["agent2"], True)
    assert (vote.kind, vote.target_anon, vote.reason) == ("vote", "agent2", "best")
