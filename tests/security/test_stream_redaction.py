"""A key the model streams in 5-character pieces never reaches any file of the session log."""

from __future__ import annotations

from pathlib import Path

from mgtui.engine.logwriter import Redactor, StreamRedactor
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer

SECRET = "mgsecret-Z9y8X7w6V5u4T3s2"


def test_stream_redactor_catches_a_key_split_anywhere() -> None:
    text = f"before {SECRET} between {SECRET[:6]} after {SECRET}"
    for size in range(1, 12):
        stream = StreamRedactor(Redactor([SECRET]))
        pieces = [text[i : i + size] for i in range(0, len(text), size)]
        out = [stream.feed("k", p) for p in pieces] + [stream.flush("k")]
        joined = "".join(out)
        assert SECRET not in joined and joined.count("***") == 2
        assert joined.endswith(" after ***") and f"between {SECRET[:6]} after" in joined  # nothing else lost
        # no single written piece carries a long fragment of the key either
        assert not any(SECRET[:10] in piece for piece in out)


def _leaky_policy(request: R.RecordedRequest, _index: int) -> R.Reply:
    """Streams the key as text in every phase (coordination text, answer, vote reason, final)."""
    leak = f"Sure, the key is {SECRET} - keep it safe."
    if not request.tools:
        return R.text("Final: " + leak, chunk_size=5)
    if request.vote_enum:
        target = "agent1" if "agent1" in request.vote_enum else request.vote_enum[0]
        return R.vote(target, "it is right", text=leak, chunk_size=5)
    return R.new_answer("Paris. " + leak, text=leak, chunk_size=5)


async def test_key_streamed_in_pieces_is_redacted_in_every_log_file(model_server: ModelServer, agent_config, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MY_SERVICE_API_KEY", SECRET)  # key-like env vars are secrets of the session
    for agent in ("alpha", "beta"):
        model_server.script(agent, _leaky_policy)
    result, log = await ask_once(agent_config(["alpha", "beta"], agent_workspaces=True), tmp_path)
    assert result.status == "ok"

    deltas = log.of("text")
    assert len(deltas) > 20  # the pieces really arrived one by one (no coalescing)
    for agent in ("alpha", "beta"):
        for phase in ("coordination", "final"):
            joined = "".join(e.delta for e in deltas if e.agent == agent and e.phase == phase)
            assert SECRET not in joined
    everything = "".join(e.delta for e in deltas)
    assert "the key is *** - keep it safe." in everything  # redacted, and nothing around it lost
    assert any(e.phase == "final" for e in deltas)
    assert list(log.folder.rglob("execution_trace*.md"))  # workspaces on: traces are written
    for path in log.folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data, path
            assert SECRET[:12].encode() not in data, path  # no fragment spanning a piece boundary
