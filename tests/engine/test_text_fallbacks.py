"""Models that answer in text stay in the team (issue 15): text as the first answer, a vote
forced with a named tool_choice, a vote read from the text. Every fallback is on its event."""

from __future__ import annotations

from pathlib import Path

from mgtui.logs.summary import summarize
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer

QUESTION = "What is the capital of France?"


def _with_tool_choice(config: dict, agent: str, mode: str) -> dict:
    for entry in config["agents"]:
        if entry["id"] == agent:
            entry["tool_choice"] = mode
    return config


async def test_text_becomes_the_answer_and_a_named_tool_choice_gets_the_vote(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.text_unless_named("Paris is the capital of France.", vote_for="agent2", reason="B is right"))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2", final="B presents"))
    result, log = await ask_once(agent_config(max_attempts=2), tmp_path, QUESTION)

    assert (result.status, result.winner, result.dropped) == ("ok", "beta", [])
    answer = log.one("answer", agent="alpha")
    assert (answer.content, answer.fallback) == ("Paris is the capital of France.", "text")
    assert log.one("answer", agent="beta").fallback is None
    vote = log.of("vote", agent="alpha")[-1]
    assert (vote.target, vote.reason, vote.fallback) == ("beta", "B is right", "forced")
    forced = [r for r in model_server.requests_for("alpha") if R.named_choice(r)]
    assert [R.named_choice(r) for r in forced] == ["vote"]  # asked once, naming vote
    assert forced[0].tool_names == ["vote"]
    assert all(r.body.get("tool_choice") is None for r in model_server.requests_for("alpha") if r not in forced)
    assert log.of("agent_error", agent="alpha") and not any(e.fatal for e in log.of("agent_error"))
    # The count shows in `mgtui logs summary`.
    summary = summarize(log.events)
    assert (summary.totals["alpha"].fallbacks, summary.totals["beta"].fallbacks) == (2, 0)


async def test_tool_choice_none_reads_the_vote_from_the_text(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    def alpha(req: R.RecordedRequest, _i: int) -> R.Reply:
        if req.vote_enum:
            return R.text("Having read both, I vote agent2: it is short and right.")
        return R.text("Paris.")

    model_server.script("alpha", alpha)
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    config = _with_tool_choice(agent_config(max_attempts=1), "alpha", "none")
    result, log = await ask_once(config, tmp_path, QUESTION)

    assert (result.status, result.winner, result.dropped) == ("ok", "beta", [])
    assert log.one("answer", agent="alpha").fallback == "text"
    vote = log.of("vote", agent="alpha")[-1]
    assert (vote.target, vote.reason, vote.fallback) == ("beta", "it is short and right.", "parsed")
    assert all("tool_choice" not in r.body for r in model_server.requests_for("alpha"))


async def test_tool_choice_auto_asks_again_offering_only_vote(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    def alpha(req: R.RecordedRequest, _i: int) -> R.Reply:
        if req.tool_names == ["vote"]:  # the extra ask: only vote offered, nothing named
            return R.vote("agent2", "fine")
        return R.text("Paris.")

    model_server.script("alpha", alpha)
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    config = _with_tool_choice(agent_config(max_attempts=1), "alpha", "auto")
    result, log = await ask_once(config, tmp_path, QUESTION)

    assert (result.status, result.winner) == ("ok", "beta")
    assert log.of("vote", agent="alpha")[-1].fallback == "forced"
    assert all("tool_choice" not in r.body for r in model_server.requests_for("alpha"))


async def test_agent_that_only_writes_text_keeps_its_answer_and_is_dropped_only_without_a_vote(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.text("I think it is Paris, but I will not call a tool."))
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2", final="B presents"))
    result, log = await ask_once(agent_config(), tmp_path, QUESTION)

    assert (result.status, result.winner, result.final_answer) == ("ok", "beta", "B presents")
    assert log.one("answer", agent="alpha").fallback == "text"  # first run: its text is its answer
    errors = log.of("agent_error", agent="alpha")
    assert [(e.kind, e.fatal) for e in errors] == [("enforcement", False)] * 4 + [("enforcement", True)]
    # second run: one nudge, one ask naming vote (ignored), no vote in the text: dropped, saying why
    assert [R.named_choice(r) for r in model_server.requests_for("alpha")].count("vote") == 1
    assert result.dropped == [{"agent": "alpha", "reason": errors[-1].error}]
    assert "did not call a tool" in errors[-1].error


async def test_a_forced_vote_cut_short_by_max_tokens_still_counts(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    def alpha(req: R.RecordedRequest, _i: int) -> R.Reply:
        if R.named_choice(req) == "vote":
            return R.tool_call("vote", '{"agent_id": "agent2", "reason": "it is short and')  # cut by max_tokens
        return R.text("Paris.")

    model_server.script("alpha", alpha)
    model_server.script("beta", R.answer_then_vote("B: Paris", vote_for="agent2"))
    result, log = await ask_once(agent_config(max_attempts=1), tmp_path, QUESTION)

    assert (result.status, result.winner, result.dropped) == ("ok", "beta", [])
    vote = log.of("vote", agent="alpha")[-1]
    assert (vote.target, vote.reason, vote.fallback) == ("beta", "it is short and", "forced")
