"""Replaying a hand-made or corrupt log: names, labels and strategies in it are shown as text.

Border titles and `Collapsible` titles given as `str` are parsed as markup by Textual: a log
whose presenter was called `px[/b]` (or a vote from `h[/x]`, a ranking naming `nobody[/n]`)
crashed the replay with MarkupError. Live, the same names come from config ids and a council
model's ranking."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from mgtui.tui.replay_app import ReplayApp
from tests.tui.engines import settle, wait_until
from tests.tui.test_hostile_text_attacks import FORBIDDEN, drawn_text

BAD = "x[/b]"
MARKUP = "[@click=app.quit]q[/] [link='http://e']l[/link] \x1b]52;c;AAAA\x07"


def _hostile_log(folder: Path, council: bool) -> None:
    ids = ["a[/b]1", f"b{MARKUP}"]
    t: dict[str, Any] = {"session": folder.name, "turn": 1}
    events: list[dict[str, Any]] = [
        {"type": "session_started", "session": folder.name, "config": {}, "agents": [{"id": i, "model": f"m{BAD}"} for i in ids]},
        {"type": "turn_started", **t, "question": f"Q {BAD} {MARKUP}", "history_len": 0},
    ]
    for agent in ids:
        events += [
            {"type": "agent_started", **t, "agent": agent, "reason": "start"},
            {"type": "text", **t, "agent": agent, "delta": f"t {BAD}\n"},
            {"type": "tool_call", **t, "agent": agent, "name": f"n{BAD}", "arguments": {BAD: MARKUP}},
            {"type": "tool_result", **t, "agent": agent, "name": f"n{BAD}", "result": BAD},
            {"type": "answer", **t, "agent": agent, "label": f"L{BAD}\nline2", "content": f"c {BAD}"},
        ]
    for voter in [*ids, "h[/x]", "human"]:
        events.append({"type": "vote", **t, "agent": voter, "target": ids[0], "label": f"L{BAD}", "reason": f"r {BAD}"})
    events.append({"type": "vote", **t, "agent": ids[1], "target": "ghost[/g]", "label": "ghost", "reason": "R" * (1 << 20)})
    if council:
        events += [
            {"type": "ranking", **t, "agent": ids[0], "order": [ids[1], "nobody[/n]", ids[0]], "reasons": {"nobody[/n]": BAD}},
            {"type": "consensus", **t, "winner": ids[0], "tally": {ids[0]: 2, "zz[/z]": 1}, "method": "council", "aggregate_rank": {"q[/q]": 2.0}},
        ]
    else:
        events.append({"type": "consensus", **t, "winner": "w[/w]", "tally": {"zz[/z]": 1}, "tie": True, "tied": ["t[/t]"], "how": f"h{BAD}"})
    events += [
        {"type": "votes_reset", **t, "by": f"y{BAD}", "cleared": [BAD]},
        {"type": "agent_error", **t, "agent": ids[1], "error": f"e{BAD}", "kind": f"k{BAD}", "detail": BAD},
        {"type": "hint", **t, "text": f"h{BAD}", "to": [BAD, ids[0]]},
        {"type": "notice", **t, "message": f"n{BAD}"},
        {"type": "writes_decided", **t, "applied": [BAD], "rejected": [MARKUP]},
        {"type": "final_started", **t, "agent": f"p{BAD}", "strategy": f"s{BAD}"},
        {"type": "final_answer", **t, "agent": f"p{BAD}", "content": f"Final {BAD}", "strategy": f"s{BAD}", "files_written": [BAD]},
        {"type": "turn_finished", **t, "status": "ok", "winner": f"w{BAD}", "final_answer": f"Final {BAD}", "partial": {BAD: BAD}},
    ]
    (folder / "events.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")


@pytest.mark.parametrize("council", [False, True])
async def test_a_hostile_log_replays_to_its_end_as_text(tmp_path: Path, council: bool) -> None:
    folder = tmp_path / "20261207-111111-abcdef"
    folder.mkdir()
    _hostile_log(folder, council)
    app = ReplayApp(folder, speed=math.inf)
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        await wait_until(pilot, lambda: "final answer · px[/b]" in drawn_text(pilot))
        await settle(pilot)
        text = drawn_text(pilot)
        assert "Final x[/b]" in text and "L" in text
        for char in FORBIDDEN:
            assert char not in text, repr(char)
        assert app.is_running


async def test_a_session_resumed_with_another_team_replays(tmp_path: Path) -> None:
    """A legitimate log: `--continue` with a config that added an agent writes a second
    session_started. Rebuilding the tabs without awaiting their removal crashed (DuplicateIds)."""
    folder = tmp_path / "20261207-111111-abcdef"
    folder.mkdir()
    s = folder.name

    def turn(n: int, agents: list[str]) -> list[dict[str, Any]]:
        t = {"session": s, "turn": n}
        out: list[dict[str, Any]] = [{"type": "turn_started", **t, "question": f"question {n}", "history_len": n - 1}]
        for a in agents:
            out += [{"type": "agent_started", **t, "agent": a}, {"type": "answer", **t, "agent": a, "label": f"{a}.1", "content": "x"}]
        return out + [{"type": "final_answer", **t, "agent": agents[0], "content": f"answer {n}"},
                      {"type": "turn_finished", **t, "status": "ok", "winner": agents[0], "final_answer": f"answer {n}"}]

    team = [{"id": "a1", "model": "m"}, {"id": "a2", "model": "m"}]
    events = [{"type": "session_started", "session": s, "config": {}, "agents": team}, *turn(1, ["a1", "a2"]),
              {"type": "session_started", "session": s, "config": {}, "agents": [*team, {"id": "a3", "model": "m"}], "resumed": True},
              *turn(2, ["a1", "a2", "a3"])]
    (folder / "events.jsonl").write_text("\n".join(json.dumps(e) for e in events) + "\n")
    app = ReplayApp(folder, speed=math.inf)
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_until(pilot, lambda: "answer 2" in drawn_text(pilot))
        assert app.is_running
