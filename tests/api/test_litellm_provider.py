"""`mgtui/...` and `massgen/...` models through real LiteLLM, agents on the loopback model server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import mgtui
from mgtui.config import shipped
from mgtui.engine.events import parse_event
from mgtui.providers.litellm_access import get_litellm
from tests.support import replies as R
from tests.support.model_server import ModelServer

MESSAGES = [
    {"role": "system", "content": "Answer in one word."},
    {"role": "user", "content": "Earlier: name a colour?"},
    {"role": "assistant", "content": "Earlier-answer-teal."},
    {"role": "user", "content": "Which planet is red?"},
]


@pytest.fixture(scope="module")
def litellm():  # noqa: ANN201
    module = get_litellm()
    mgtui.register_with_litellm()
    mgtui.register_with_litellm()  # idempotent
    assert [p["provider"] for p in module.custom_provider_map].count("mgtui") == 1
    return module


@pytest.fixture
def team_form(model_server: ModelServer, agent_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """(model name, extra kwargs) for each way of naming a team."""
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "loopteam.yaml").write_text(yaml.safe_dump(agent_config(["alpha", "beta"])), encoding="utf-8")
    monkeypatch.setattr(shipped, "data_dir", lambda name: configs)
    logs = str(tmp_path / "logs")
    endpoint = {"api_base": model_server.url, "api_key": "sk-test"}
    forms: dict[str, tuple[str, dict[str, Any]]] = {
        "build": ("mgtui/build", {**endpoint, "models": ["openai/alpha", "openai/beta"], "log_dir": logs}),
        "build-nested": ("mgtui/build", {**endpoint, "optional_params": {"models": ["openai/alpha", "openai/beta"], "log_dir": logs}}),
        "model": ("mgtui/model:openai/alpha", {**endpoint, "log_dir": logs}),
        "path": (f"mgtui/path:{configs / 'loopteam.yaml'}", {"log_dir": logs}),
        "shipped": ("mgtui/loopteam", {"log_dir": logs}),
        "massgen-build": ("massgen/build", {**endpoint, "optional_params": {"models": ["openai/alpha", "openai/beta"]}, "log_dir": logs}),
        "massgen-shipped": ("massgen/loopteam", {"log_dir": logs}),
    }
    return forms.__getitem__


def logged_turn(log_dir: str) -> Any:
    lines = (Path(log_dir) / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(parse_event, lines) if e.type == "turn_finished"][-1]


def team_total(finished: Any) -> dict[str, int]:
    prompt = sum(u["prompt_tokens"] for u in finished.usage.values())
    completion = sum(u["completion_tokens"] for u in finished.usage.values())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def check_agents_saw_the_conversation(server: ModelServer) -> None:
    assert server.requests
    for request in server.requests:
        assert "Earlier-answer-teal." in request.all_text and "Which planet is red?" in request.all_text


FORMS = ["build", "build-nested", "model", "path", "shipped", "massgen-build", "massgen-shipped"]


@pytest.mark.parametrize("form", FORMS)
async def test_acompletion(litellm, model_server: ModelServer, team_form, form: str) -> None:  # noqa: ANN001
    model_server.set_default(R.answer_then_vote("Mars.", final="Mars, the red planet."))
    name, kwargs = team_form(form)
    response = await litellm.acompletion(model=name, messages=MESSAGES, **kwargs)

    assert response.choices[0].message.content == "Mars, the red planet."
    details = response.choices[0].message.provider_specific_fields["mgtui"]
    finished = logged_turn(details["log_dir"])
    assert finished.final_answer == "Mars, the red planet." and details["winner"] == finished.winner
    usage = response.usage
    assert {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens, "total_tokens": usage.total_tokens} == team_total(finished)
    check_agents_saw_the_conversation(model_server)


@pytest.mark.parametrize("form", FORMS)
async def test_acompletion_stream(litellm, model_server: ModelServer, team_form, form: str) -> None:  # noqa: ANN001
    final = "Mars is the red planet; its dust is rich in iron oxide, which looks red. " * 2
    model_server.set_default(R.answer_then_vote("Mars.", final=final))
    name, kwargs = team_form(form)
    stream = await litellm.acompletion(model=name, messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **kwargs)
    deltas, usage = [], None
    async for chunk in stream:
        usage = getattr(chunk, "usage", None) or usage
        deltas += [c.delta.content for c in chunk.choices if c.delta.content]

    assert "".join(deltas) == final.strip() and len(deltas) > 1  # streamed in pieces
    assert usage is not None and usage.total_tokens > 0
    check_agents_saw_the_conversation(model_server)


@pytest.mark.parametrize("form", ["build", "path", "massgen-shipped"])
def test_completion_sync_and_stream(litellm, model_server: ModelServer, team_form, form: str) -> None:  # noqa: ANN001
    model_server.set_default(R.answer_then_vote("Mars.", final="Mars."))
    name, kwargs = team_form(form)
    response = litellm.completion(model=name, messages=MESSAGES, **kwargs)
    assert response.choices[0].message.content == "Mars."
    assert response.model.endswith(name.split("/", 1)[1])

    pieces = [c.choices[0].delta.content or "" for c in litellm.completion(model=name, messages=MESSAGES, stream=True, **kwargs) if c.choices]
    assert "".join(pieces) == "Mars."
    check_agents_saw_the_conversation(model_server)


async def test_sync_completion_inside_a_running_loop(litellm, model_server: ModelServer, team_form) -> None:  # noqa: ANN001
    name, kwargs = team_form("build")
    response = litellm.completion(model=name, messages=MESSAGES, **kwargs)  # runs the team in a worker thread
    assert response.choices[0].message.content == "Answer from alpha."


async def test_errors_are_litellm_exceptions(litellm, model_server: ModelServer, team_form, tmp_path: Path) -> None:  # noqa: ANN001
    with pytest.raises(litellm.BadRequestError, match="needs models"):
        await litellm.acompletion(model="mgtui/build", messages=MESSAGES)
    with pytest.raises(litellm.BadRequestError, match="no such config file"):
        await litellm.acompletion(model=f"mgtui/path:{tmp_path / 'missing.yaml'}", messages=MESSAGES)
    with pytest.raises(litellm.BadRequestError, match="last message must be a user message"):
        await litellm.acompletion(model="mgtui/loopteam", messages=MESSAGES[:3], **team_form("shipped")[1])
    model_server.set_default(R.error(400, "scripted refusal"))
    name, kwargs = team_form("build")
    with pytest.raises(litellm.InternalServerError, match="no answer"):
        await litellm.acompletion(model=name, messages=MESSAGES, **kwargs)
