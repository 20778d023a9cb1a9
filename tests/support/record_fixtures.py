"""Record the TUI fixtures of council mode and a 16-agent team from the real engine.

    python -m tests.support.record_fixtures

runs one turn each against the loopback model server (real Session, real LiteLLM) and
writes tests/fixtures/council_one_turn.jsonl and sixteen_agents_one_turn.jsonl. Re-run it
when the events change; the TUI tests replay these files through the production adapter.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

from mgtui.config.loader import config_from_data  # noqa: E402
from mgtui.engine.session import Session  # noqa: E402
from tests.support import replies as R  # noqa: E402
from tests.support.model_server import ModelServer  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def council_member(answer: str, prefer: list[str], final: str) -> R.ScriptFn:
    def policy(request: R.RecordedRequest, _index: int) -> R.Reply:
        if not request.tools:
            return R.text(final, chunk_size=12)
        if "new_answer" in request.tool_names:
            return R.new_answer(answer, chunk_size=12)
        spec = request.tool("rank") or {}
        shown = list(spec["function"]["parameters"]["properties"]["order"]["items"]["enum"])
        order = [a for a in prefer if a in shown] + [a for a in shown if a not in prefer]
        reasons = {a: f"{'clearest' if i == 0 else 'less complete'} ({a})" for i, a in enumerate(order)}
        return R.tool_call("rank", {"order": order, "reasons": reasons})

    return policy


async def record(config: dict[str, Any], question: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        session = Session(config_from_data(config), log_root=tmp)
        try:
            result = await session.ask(question)
        finally:
            session.close()
        shutil.copyfile(Path(result.log_dir) / "events.jsonl", out)
        print(f"{out.name}: {result.status}, winner {result.winner}")


def agents(server: ModelServer, ids: list[str]) -> list[dict[str, Any]]:
    return [{"id": i, "model": f"openai/{i}", "api_base": server.url, "api_key": "sk-fixture"} for i in ids]


async def main() -> None:
    with ModelServer() as server:
        team = {"skeptic": ["agent2", "agent1", "agent3"], "pragmatist": ["agent2", "agent3", "agent1"], "scholar": ["agent1", "agent2", "agent3"]}
        for name, prefer in team.items():
            server.script(name, council_member(f"Water boils at 100 °C at sea level ({name}).", prefer,
                "Water boils at 100 °C at sea level; less at altitude."))
        config = {"agents": agents(server, list(team)), "orchestrator": {"coordination": "council", "text_coalesce_ms": 0}}
        await record(config, "At what temperature does water boil?", FIXTURES / "council_one_turn.jsonl")

        ids = [f"agent_{i:02d}" for i in range(1, 17)]
        server.set_default(R.answer_then_vote("Water boils at 100 °C at sea level.\nLower at altitude.", vote_for="agent1", chunk_size=10))
        config = {"agents": agents(server, ids), "orchestrator": {"visibility": "neighbours", "max_new_answers_per_agent": 1, "text_coalesce_ms": 0}}
        await record(config, "At what temperature does water boil?", FIXTURES / "sixteen_agents_one_turn.jsonl")


if __name__ == "__main__":
    asyncio.run(main())
