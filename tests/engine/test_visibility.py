"""Large-team visibility and bounded prompts, asserted on what the loopback server received."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from mgtui.engine import visibility
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer

TEAM = ["a", "b", "c", "d", "e", "f"]  # anonymous ids agent1..agent6


def labels_in(request: R.RecordedRequest) -> set[str]:
    return set(re.findall(r"<(agent\d+)\.\d+>", request.last_user_text))


def answer_fast_vote_slow(agent: str) -> R.ScriptFn:
    """Answer at once; votes (for agent1 when it is visible, else its own) take 0.5 s, so
    every prompt before the first vote is built while no leader exists."""
    own = f"agent{TEAM.index(agent) + 1}"

    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        if not request.tools:
            return R.text(f"{agent} presents")
        if request.vote_enum:
            target = "agent1" if "agent1" in request.vote_enum else own
            return R.vote(target, "fine", first_byte_delay=0.5)
        return R.new_answer(f"answer of {agent}")

    return policy


def _epoch(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize(
    ("mode", "expected_c"),
    [("neighbours", {"agent2", "agent3", "agent4"}), ("ring", {"agent3", "agent4", "agent5"}), ("all", {f"agent{i}" for i in range(1, 7)})],
)
async def test_each_prompt_holds_only_the_visible_answers(model_server: ModelServer, agent_config, tmp_path: Path, mode: str, expected_c: set[str]) -> None:
    for agent in TEAM:
        model_server.script(agent, answer_fast_vote_slow(agent))
    config = agent_config(TEAM, visibility=mode, visibility_k=2, max_new_answers_per_agent=1)
    result, log = await ask_once(config, tmp_path)
    assert result.status == "ok"

    first_vote = min(_epoch(e.ts) for e in log.of("vote"))
    before_votes = [r for r in model_server.requests_for("c") if r.tools and r.received_at < first_vote]
    # c's last prompt before any vote: every answer it may see, nothing else; it may vote only for those.
    assert labels_in(before_votes[-1]) == expected_c
    assert set(before_votes[-1].vote_enum) == expected_c
    for agent in TEAM:
        for request in model_server.requests_for(agent):
            if request.tools:
                # own + k peers, plus at most the leader once votes exist
                assert len(labels_in(request)) <= (6 if mode == "all" else 4)
                assert set(request.vote_enum) <= labels_in(request) | {f"agent{TEAM.index(agent) + 1}"}



def answer_then_vote_for_self(agent: str, answer_delay: float = 0.0) -> R.ScriptFn:
    own = f"agent{TEAM.index(agent) + 1}"

    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        if not request.tools:
            return R.text(f"{agent} presents")
        if request.vote_enum and own in request.vote_enum:
            return R.vote(own, "mine")
        return R.new_answer(f"answer of {agent}", first_byte_delay=answer_delay)

    return policy


async def test_a_new_answer_restarts_and_clears_only_the_agents_that_can_see_it(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    # a (agent1) answers last, once everyone else has voted for their own answer. With
    # neighbours (k=2) only b and f see a (the leader, b, is not a): their votes are cleared
    # and they run again; c, d and e cannot see a's answer, so their votes stand, untouched.
    for agent in TEAM:
        model_server.script(agent, answer_then_vote_for_self(agent, answer_delay=1.5 if agent == "a" else 0.0))
    config = agent_config(TEAM, visibility="neighbours", visibility_k=2, max_new_answers_per_agent=1)
    result, log = await ask_once(config, tmp_path)
    assert result.status == "ok"

    a_answer = log.one("answer", agent="a")
    before, after = log.events[: log.events.index(a_answer)], log.after(a_answer)
    assert {e.agent for e in before if e.type == "vote"} == {"b", "c", "d", "e", "f"}  # all voted before a answered
    (reset,) = [e for e in log.of("votes_reset") if e.by == "a"]
    assert reset.cleared == ["b", "f"]
    restarted = {e.agent for e in after if e.type == "agent_started" and (e.reason, e.after_label) == ("restart", "agent1.1")}
    assert restarted == {"b", "f"}
    assert {e.agent for e in after if e.type == "vote"} == {"a", "b", "f"}
    answered_at = _epoch(a_answer.ts)
    for agent in ("c", "d", "e"):  # no model call after a's answer: their standing votes count
        assert not [r for r in model_server.requests_for(agent) if r.tools and r.received_at > answered_at]
    assert result.status == "ok" and sorted(v["agent"] for v in result.votes) == TEAM

def test_the_current_leader_is_visible_to_everyone(agent_config) -> None:
    from mgtui.config.loader import config_from_data
    from mgtui.engine.consensus import StandingVote
    from mgtui.engine.orchestrator import Orchestrator

    config = config_from_data(agent_config(TEAM, visibility="neighbours", visibility_k=2, max_answer_chars=200)).config
    orch = Orchestrator(config, emit=lambda _event: None)
    for agent in TEAM:
        orch.book.add_answer(agent, f"answer of {agent} " * 40)
    assert {a.anon_id for a in orch._visible_answers("d")} == {"agent3", "agent4", "agent5"}
    orch.book.cast(StandingVote("b", "a", "agent1.1", "best"))  # a leads: d (not a's neighbour) sees it too
    seen = {a.anon_id: a.content for a in orch._visible_answers("d")}
    assert set(seen) == {"agent1", "agent3", "agent4", "agent5"}
    assert seen["agent4"] == "answer of d " * 40 and "characters omitted" in seen["agent1"]


async def test_long_peer_answers_are_cut_with_a_marker_but_stay_whole_in_the_log(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    long_answer = "HEAD " + "middle words " * 800 + "TAIL."
    model_server.script("alpha", R.answer_then_vote(long_answer, vote_for="agent1"))
    model_server.script("beta", R.answer_then_vote("short", vote_for="agent1"))
    result, log = await ask_once(agent_config(["alpha", "beta"], max_answer_chars=1000), tmp_path)
    assert result.status == "ok"

    beta_sees = [r.last_user_text for r in model_server.requests_for("beta") if "<agent1.1>" in r.last_user_text]
    assert beta_sees
    for text in beta_sees:
        shown = text.split("<agent1.1>")[1].split("<end of agent1.1>")[0]
        assert "characters omitted" in shown and shown.strip().startswith("HEAD") and shown.strip().endswith("TAIL.")
        assert len(shown) <= 1000 + 2
    # alpha's own answer is always whole in its own prompt; the log and the workspace keep it all.
    alpha_sees = [r.last_user_text for r in model_server.requests_for("alpha") if "<agent1.1>" in r.last_user_text]
    assert alpha_sees and all(long_answer in t for t in alpha_sees)
    assert log.one("answer", agent="alpha").content == long_answer
    assert (log.folder / "turn_1" / "alpha" / "answer_1.md").read_text() == long_answer


def test_peers_by_mode() -> None:
    order = ["a", "b", "c", "d", "e"]
    assert visibility.peers(order, "a", "neighbours", 2) == ["b", "e"]
    assert visibility.peers(order, "c", "neighbours", 3) == ["b", "d", "e"]
    assert visibility.peers(order, "e", "ring", 2) == ["a", "b"]
    assert visibility.peers(order, "c", "all", 2) == ["a", "b", "d", "e"]
    assert visibility.peers(["a", "b"], "a", "ring", 2) == ["b"]
    assert visibility.leader({"a": 1, "c": 2, "d": 2}, order) == "c" and visibility.leader({"a": 0}, order) is None


def test_bounded_keeps_short_text_and_cuts_long_text_to_the_limit() -> None:
    assert visibility.bounded("short", 300) == "short"
    cut = visibility.bounded("x" * 5000, 300)
    assert len(cut) <= 300 and "4" in cut and "characters omitted" in cut
