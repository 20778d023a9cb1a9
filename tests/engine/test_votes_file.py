"""`turn_<n>/votes.json` is written once the votes matter (consensus, a reset, the turn's end),
not on every vote: a whole team votes within milliseconds, right before the next phase."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mgtui.engine.events import Consensus, VoteCast
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer


async def test_votes_json_is_written_at_consensus_with_every_vote(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    seen: list[tuple[str, bool]] = []  # (event, votes.json there when the event was logged)

    def sink(event: Any) -> None:
        if isinstance(event, (VoteCast, Consensus)):
            seen.append((event.type, any(tmp_path.rglob("votes.json"))))

    for name in ("alpha", "beta", "gamma"):
        model_server.script(name, R.answer_then_vote(f"{name}: Paris", vote_for="alpha"))
    result, log = await ask_once(agent_config(["alpha", "beta", "gamma"]), tmp_path, sink=sink)

    assert result.status == "ok"
    assert [kind for kind, _ in seen] == ["vote", "vote", "vote", "consensus"]
    assert [there for _, there in seen] == [False, False, False, True]
    votes = json.loads((Path(result.log_dir) / "turn_1" / "votes.json").read_text(encoding="utf-8"))
    assert [(v["agent"], v["target"]) for v in votes] == [(e.agent, e.target) for e in log.of("vote")]
    assert len(votes) == 3
