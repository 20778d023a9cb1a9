"""`analyze --run`: the configured team (real LiteLLM, loopback server) writes ANALYSIS.md."""

from __future__ import annotations

from pathlib import Path

from mgtui.config.loader import config_from_data
from mgtui.logs.analyze import ANALYSIS_FILE, build_prompt, run_analysis
from mgtui.logs.reader import read_events
from mgtui.logs.summary import summarize
from tests.support import replies as R
from tests.support.log_factory import make_session
from tests.support.model_server import ModelServer


async def test_team_analysis_is_saved_next_to_the_log(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    folder = make_session(tmp_path / "logs", turns=1, seed=11)
    prompt = build_prompt(summarize(read_events(folder)[0]))
    report = "## Outcome\nThe best answer won."
    for agent in ("alpha", "beta"):
        model_server.script(agent, R.answer_then_vote(f"draft by {agent}", vote_for="agent1", final=report))
    out = await run_analysis(prompt, folder, config_from_data(agent_config(["alpha", "beta"])), tmp_path / "analysis-logs")
    assert out == folder / ANALYSIS_FILE
    assert out.read_text().rstrip().endswith(report)
    asked = [r for r in model_server.requests if r.tools]
    assert asked and all(f"# Session {folder.name}" in r.all_text for r in asked)
