"""JSON leaves U+2028, U+2029 and C1 NEL (U+0085) raw inside strings, and `str.splitlines()`
breaks lines at them (and at \\x1c-\\x1e, which JSON escapes). The session log reader that
rebuilt the conversation for `--continue` split on them: a model whose final answer held one
made that turn's final_answer and turn_finished lines unreadable, so the turn vanished from the
history the next turn is asked with."""

from __future__ import annotations

import json
from pathlib import Path

from mgtui.engine.session import history_from_log
from mgtui.engine.turn_state import fold_log
from tests.engine.scenario_support import ask_once
from tests.support import replies as R
from tests.support.model_server import ModelServer

FINAL = "Paris\u2028is the capital\x85of France\u2029."


async def test_line_separators_in_model_text_keep_every_event_readable(model_server: ModelServer, agent_config, tmp_path: Path) -> None:
    policy = R.answer_then_vote("Paris\u2028\x85 answer", vote_for="agent1", final=FINAL)
    model_server.script("alpha", policy)
    model_server.script("beta", policy)
    result, log = await ask_once(agent_config(["alpha", "beta"]), tmp_path)
    assert result.status == "ok" and result.final_answer == FINAL
    path = log.folder / "events.jsonl"
    assert "\u2028" in path.read_text(encoding="utf-8")  # the log keeps the text as it was
    (turn,) = fold_log(path)
    assert turn.status == "ok" and turn.final_answer == FINAL
    history, last = history_from_log(path)
    assert last == 1 and history == [(turn.question, FINAL)]


def test_an_eval_prediction_with_a_line_separator_is_kept(tmp_path: Path) -> None:
    from mgtui.eval.store import RESULTS_FILE, read_results

    record = {"qid": "q1", "system": "team", "agent": None, "pred": "4\u2028\x85five", "gold": "4", "correct": True}
    (tmp_path / RESULTS_FILE).write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    results = read_results(tmp_path)
    assert not results.skipped and [r["pred"] for r in results.records.values()] == ["4\u2028\x85five"]
