"""Council mode end to end: a real Session, real LiteLLM, the loopback model server.

Agents are `openai/<id>`; anonymous ids follow config order (alpha=agent1, beta=agent2,
gamma=agent3). Stage 1 requests offer `new_answer` only, stage 2 only `rank`, and the
chairman's request offers no tool at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer

QUESTION = "What is the capital of France?"
ANON = {"alpha": "agent1", "beta": "agent2", "gamma": "agent3"}


def rank_enum(request: R.RecordedRequest) -> list[str]:
    spec = request.tool("rank")
    return list(spec["function"]["parameters"]["properties"]["order"]["items"]["enum"]) if spec else []


def council_member(answer: str, prefer: list[str], final: str = "", bad_rankings: list[Any] = ()) -> R.ScriptFn:  # type: ignore[assignment]
    """Answers in stage 1, ranks `prefer` (anonymous ids) in stage 2, writes `final` as chairman.
    `bad_rankings` are sent first, one per rank request (a str verbatim as the arguments)."""
    bad = list(bad_rankings)

    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        if not request.tools:
            return R.text(final or f"final by {answer}")
        if "new_answer" in request.tool_names:
            return R.new_answer(answer)
        if bad:
            return R.tool_call("rank", bad.pop(0))
        shown = rank_enum(request)
        order = [a for a in prefer if a in shown] + [a for a in shown if a not in prefer]
        return R.tool_call("rank", {"order": order, "reasons": {a: f"{a} judged by {answer}" for a in order}})

    return policy


def stage(server: ModelServer, model: str, tool: str | None) -> list[R.RecordedRequest]:
    return [r for r in server.requests_for(model) if (tool in r.tool_names if tool else not r.tools)]


async def test_council_answers_ranks_and_the_best_ranked_author_chairs(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", council_member("Paris, says alpha.", ["agent2", "agent1", "agent3"]))
    model_server.script("beta", council_member("Paris, says beta.", ["agent2", "agent3", "agent1"], final="Paris (the chairman's synthesis)."))
    model_server.script("gamma", council_member("Paris, says gamma.", ["agent2", "agent1", "agent3"]))
    result, log = await ask_once(agent_config(["alpha", "beta", "gamma"], coordination="council"), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "beta", "Paris (the chairman's synthesis).")
    # Stage 1: independent answers, nobody sees a peer's.
    for agent in ANON:
        (first,) = stage(model_server, agent, "new_answer")
        assert first.tool_names == ["new_answer"]
        assert not any(f"says {other}" in first.all_text for other in ANON)
    # Stage 2: every reviewer sees all three answers (its own unmarked) and may rank only those ids.
    for agent in ANON:
        (review,) = stage(model_server, agent, "rank")
        assert review.tool_names == ["rank"]
        assert sorted(rank_enum(review)) == ["agent1", "agent2", "agent3"]
        assert all(f"Paris, says {a}." in review.last_user_text for a in ANON)
        assert "YOUR ANSWER" not in review.all_text.upper()  # its own answer is not marked
    rankings = {e.agent: e.order for e in log.of("ranking")}
    assert rankings == {"alpha": ["beta", "alpha", "gamma"], "beta": ["beta", "gamma", "alpha"], "gamma": ["beta", "alpha", "gamma"]}
    assert log.one("ranking", agent="alpha").reasons["beta"] == "agent2 judged by Paris, says alpha."
    consensus = log.one("consensus")
    assert consensus.method == "council"
    assert consensus.aggregate_rank == {"beta": 1.0, "alpha": 2.333, "gamma": 2.667}
    assert (consensus.winner, consensus.tally, consensus.how) == ("beta", {"alpha": 0, "beta": 3, "gamma": 0}, "ranking")
    # Stage 3: the chairman alone streams the final answer from all answers and the reviews.
    (chair,) = stage(model_server, "beta", None)
    assert all(f"Paris, says {a}." in chair.last_user_text for a in ANON)
    assert "agent2 judged by Paris, says gamma." in chair.last_user_text and "mean rank 1.00" in chair.last_user_text
    assert not stage(model_server, "alpha", None) and not stage(model_server, "gamma", None)
    assert [e.agent for e in log.of("final_answer")] == ["beta"]
    assert log.one("turn_finished").final_answer == "Paris (the chairman's synthesis)."


async def test_a_configured_chairman_writes_the_final_answer(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    for agent in ANON:
        model_server.script(agent, council_member(f"Paris, says {agent}.", ["agent1"], final=f"{agent} chairs"))
    result, log = await ask_once(agent_config(["alpha", "beta", "gamma"], coordination="council", chairman="gamma"), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "alpha", "gamma chairs")
    assert log.one("consensus").winner == "alpha" and log.one("final_started").agent == "gamma"
    assert [e.agent for e in log.of("final_answer")] == ["gamma"]
    assert not stage(model_server, "alpha", None)


async def test_bad_rankings_go_back_as_tool_errors_then_the_reviewer_is_dropped(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    # alpha: malformed JSON once, then a valid ranking. gamma: always leaves an answer out.
    model_server.script("alpha", council_member("Paris, says alpha.", ["agent1", "agent2"], bad_rankings=['{"order": ["agent1", '], final="alpha chairs"))
    model_server.script("beta", council_member("Paris, says beta.", ["agent1", "agent2"]))
    incomplete = {"order": ["agent1", "agent2"], "reasons": {}}
    model_server.script("gamma", council_member("Paris, says gamma.", ["agent3"], bad_rankings=[incomplete] * 5))
    result, log = await ask_once(agent_config(["alpha", "beta", "gamma"], coordination="council"), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "alpha", "alpha chairs")
    alpha_reviews = stage(model_server, "alpha", "rank")
    assert len(alpha_reviews) == 2
    retry = alpha_reviews[1].messages
    assert retry[-1]["role"] == "tool" and "not valid JSON" in retry[-1]["content"]
    gamma_reviews = stage(model_server, "gamma", "rank")
    assert len(gamma_reviews) == 3  # max_attempts
    assert "leaves out agent3" in gamma_reviews[1].messages[-1]["content"]
    assert [e.fatal for e in log.of("agent_error", agent="gamma")] == [False, False, False, True]
    assert log.of("agent_error", agent="gamma")[-1].kind == "enforcement"
    assert set(e.agent for e in log.of("ranking")) == {"alpha", "beta"}
    # The dropped reviewer's answer is still ranked by the others.
    assert log.one("consensus").aggregate_rank == {"alpha": 1.0, "beta": 2.0, "gamma": 3.0}


async def test_council_through_the_python_api_and_logs_summary(model_server: ModelServer, agent_config, tmp_path: Path, capsys) -> None:
    import json

    import mgtui
    from mgtui.cli import logs_cmd

    for agent in ANON:
        model_server.script(agent, council_member(f"Paris, says {agent}.", ["agent3", "agent1", "agent2"], final=f"{agent} chairs"))
    result = await mgtui.arun(QUESTION, config=agent_config(["alpha", "beta", "gamma"], coordination="council"), log_dir=tmp_path)
    assert result.ok and result.final_answer == "gamma chairs"

    session_id = Path(result.log_dir).name
    assert logs_cmd.main(["summary", session_id, "--log-dir", str(tmp_path), "--json", "--no-cost"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["gamma"]["wins"] == 1
    assert {a: data["totals"][a]["answers"] for a in ANON} == {"alpha": 1, "beta": 1, "gamma": 1}


def text_reviewer(answer: str, obeys_named: bool, final: str = "") -> R.ScriptFn:
    """Answers with the tool, but reviews in plain text ("vote agent1: …", as a small local
    model does); with `obeys_named` a `tool_choice` naming `rank` makes it rank (llama.cpp's grammar)."""

    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        if not request.tools:
            return R.text(final or f"final by {answer}")
        if "new_answer" in request.tool_names:
            return R.new_answer(answer)
        if obeys_named and R.named_choice(request) == "rank":
            # Sorted: the answers are shown shuffled per reviewer, and the test needs a fixed winner.
            return R.tool_call("rank", {"order": sorted(rank_enum(request)), "reasons": {}})
        return R.text("vote agent1: it is the clearest")

    return policy


async def test_a_reviewer_writing_text_is_asked_once_naming_rank_never_given_a_vote(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    """The vote/answer fallbacks of consensus mean nothing in a ranking stage: a reviewer that
    writes text gets one request naming `rank`; one that still writes text is dropped (its
    answer still counts). Before, its text was read as a vote and the whole turn failed."""
    model_server.script("alpha", council_member("Paris, says alpha.", ["agent1", "agent2", "agent3"], final="alpha chairs"))
    model_server.script("beta", text_reviewer("Paris, says beta.", obeys_named=True))
    model_server.script("gamma", text_reviewer("Paris, says gamma.", obeys_named=False))
    result, log = await ask_once(agent_config(["alpha", "beta", "gamma"], coordination="council"), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "alpha", "alpha chairs")
    assert set(e.agent for e in log.of("ranking")) == {"alpha", "beta"}
    assert R.named_choice(stage(model_server, "beta", "rank")[-1]) == "rank"
    assert log.of("agent_error", agent="gamma")[-1].fatal
    assert not log.of("vote")
    assert set(log.one("consensus").aggregate_rank) == {"alpha", "beta", "gamma"}
