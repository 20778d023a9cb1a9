"""mgtui.run / arun / Session through real LiteLLM against the loopback model server."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
import yaml

import mgtui
from mgtui.config import shipped
from mgtui.engine.events import parse_event
from tests.conftest import FAST_ORCHESTRATOR
from tests.support import replies as R
from tests.support.model_server import ModelServer


def log_events(result: Any) -> list[Any]:
    lines = (Path(result.log_dir) / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [parse_event(line) for line in lines]


def agents_on(server: ModelServer, *names: str) -> list[dict[str, Any]]:
    return [{"model": f"openai/{n}", "api_base": server.url, "api_key": "sk-test"} for n in names]


async def test_arun_result_matches_event_log(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.script("alpha", R.answer_then_vote("Paris.", final="The capital is Paris."))
    model_server.script("beta", R.answer_then_vote("Paris, France."))
    result = await mgtui.arun("Capital of France?", config=agent_config(), log_dir=tmp_path)

    assert isinstance(result, mgtui.Result) and result.ok
    events = log_events(result)
    by_type: dict[str, list[Any]] = {}
    for event in events:
        by_type.setdefault(event.type, []).append(event)
    finished = by_type["turn_finished"][-1]
    assert result.final_answer == by_type["final_answer"][-1].content == finished.final_answer
    assert result.winner == by_type["consensus"][-1].winner == by_type["final_answer"][-1].agent
    assert result.status == finished.status == "ok"
    assert result.usage == finished.usage
    assert result.answers == {e.agent: e.content for e in by_type["answer"]}
    assert {(v["agent"], v["target"]) for v in result.votes} == {(e.agent, e.target) for e in by_type["vote"]}
    assert result.session_id == events[0].session and Path(result.log_dir).parent == tmp_path
    # the winner presented its own final text
    assert result.final_answer == ("The capital is Paris." if result.winner == "alpha" else "Paris, France.")
    total = result.total_usage
    assert total["total_tokens"] == total["prompt_tokens"] + total["completion_tokens"] > 0


def test_run_sync_with_models_builds_one_agent_per_model(model_server: ModelServer, tmp_path: Path) -> None:
    model_server.script("alpha", R.answer_then_vote("A says 4."))
    result = mgtui.run("2+2?", models=agents_on(model_server, "alpha", "alpha"), config={"agents": [{"id": "x", "model": "m"}],
        "orchestrator": FAST_ORCHESTRATOR}, log_dir=tmp_path)

    assert result.final_answer == "A says 4."
    assert set(result.usage) == {"alpha", "alpha-2"}  # ids from the model name, deduplicated
    started = next(e for e in log_events(result) if e.type == "session_started")
    assert [a["id"] for a in started.agents] == ["alpha", "alpha-2"]
    assert len(model_server.requests_for("alpha")) >= 3  # two agents' turns plus the presentation


def test_run_works_from_a_worker_thread(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    import threading

    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(mgtui.run("Hi?", config=agent_config(), log_dir=tmp_path)))
    worker.start()
    worker.join(timeout=120)
    assert out and out[0].status == "ok" and out[0].final_answer


async def test_run_inside_a_running_loop_is_refused(agent_config) -> None:
    with pytest.raises(RuntimeError, match="arun"):
        mgtui.run("Hi?", config=agent_config())


async def test_session_second_turn_sees_first_final_answer(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.set_default(R.answer_then_vote("draft", final="FIRST-TURN-FINAL"))
    async with mgtui.Session(agent_config(), log_dir=tmp_path) as team:
        first = await team.ask("Question one?")
        seen_before = len(model_server.requests)
        model_server.set_default(R.answer_then_vote("second draft", final="SECOND"))
        second = await team.ask("Question two?")

    assert first.final_answer == "FIRST-TURN-FINAL" and second.final_answer == "SECOND"
    assert first.session_id == second.session_id and first.turn == 1
    assert second.turn == 2 and team.history == [("Question one?", "FIRST-TURN-FINAL"), ("Question two?", "SECOND")]
    later = model_server.requests[seen_before:]
    assert later and all("FIRST-TURN-FINAL" in r.all_text and "Question one?" in r.all_text for r in later)


async def test_stream_yields_the_logged_events_ending_with_turn_finished(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    team = mgtui.Session(agent_config(), log_dir=tmp_path)
    seen = [event async for event in team.stream("Stream me?")]
    team.close()

    assert seen[-1].type == "turn_finished" and seen[-1].status == "ok"
    assert team.last_result is not None and team.last_result.final_answer == seen[-1].final_answer
    logged = log_events(team.last_result)
    assert [e.model_dump() for e in seen] == [e.model_dump() for e in logged]


async def test_leaving_a_stream_early_cancels_the_turn(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    model_server.set_default(R.answer_then_vote("slow answer", chunk_size=1, chunk_delay=0.05))
    team = mgtui.Session(agent_config(), log_dir=tmp_path)
    async with contextlib.aclosing(team.stream("Long question?")) as events:
        async for event in events:
            if event.type == "text":
                break
    team.close()
    finished = [e for e in log_events(team) if e.type == "turn_finished"]
    assert finished and finished[-1].status == "cancelled"


async def test_history_as_openai_messages_reaches_the_agents(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    history = [
        {"role": "user", "content": "Earlier question about owls?"},
        {"role": "assistant", "content": "Owls-are-nocturnal."},
    ]
    result = await mgtui.arun("And bats?", config=agent_config(), history=history, log_dir=tmp_path)
    assert result.ok
    assert all("Owls-are-nocturnal." in r.all_text for r in model_server.requests)


async def test_config_as_path_and_shipped_name(model_server: ModelServer, agent_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "loopteam.yaml").write_text(yaml.safe_dump(agent_config(["gamma"])), encoding="utf-8")
    monkeypatch.setattr(shipped, "data_dir", lambda name: configs)

    by_path = await mgtui.arun("Q?", config=configs / "loopteam.yaml", log_dir=tmp_path / "logs")
    by_name = await mgtui.arun("Q?", config="@loopteam", log_dir=tmp_path / "logs")
    assert by_path.winner == by_name.winner == "gamma"
    assert by_path.final_answer == by_name.final_answer == "Answer from gamma."


def test_bad_inputs_fail_clearly(tmp_path: Path) -> None:
    from mgtui.config.loader import ConfigError

    with pytest.raises(ConfigError, match="no such config file"):
        mgtui.run("Q?", config=tmp_path / "missing.yaml")
    with pytest.raises(ValueError, match="non-empty list"):
        mgtui.run("Q?", models=[])
    with pytest.raises(ValueError, match="no answer"):
        mgtui.run("Q?", models=["openai/x"], history=[{"role": "user", "content": "dangling"}])
