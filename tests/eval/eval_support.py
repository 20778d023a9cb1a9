"""A scripted three-member team on the loopback server whose right and wrong answers are
known per question, so every number of an eval report can be asserted exactly.

Requests are routed by content: the member by its system message ("You are alpha."),
the question by its "[qN]" tag. Requests with tools are the team's turn (every member
posts the same team answer, then votes; `winner_reuse` makes it the final answer);
requests without tools are a member asked alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.support.replies import RecordedRequest, Reply, answer_then_vote, error, text

AGENTS = ("alpha", "beta", "gamma")
MODEL = "gpt-4o-mini"  # a name in LiteLLM's price map, so the cost is known
N = 10
ERROR = "ERROR"  # the member's call fails with HTTP 400 (not retried)


def right(q: int) -> str:
    return str(q * 10)


# qN -> what alpha, beta, gamma answer alone ("R" = the right answer).
SINGLES: dict[int, tuple[str, str, str]] = {
    1: ("R", "R", "R"),
    2: ("R", "R", "7"),
    3: ("R", "5", "6"),  # three-way tie: alpha's (right) answer wins the majority
    4: ("R", "5", "5"),
    5: ("3", "R", "I do not know"),  # gamma abstains; alpha vs beta tie -> alpha (wrong)
    6: ("3", "R", "R"),
    7: ("3", "3", "R"),
    8: ("1", "R", "4"),
    9: ("1", "2", ERROR),
    10: ("R", "5", "5"),
}
TEAM_WRONG = {10: "99"}  # the team is right on every other question


def write_dataset(folder: Path) -> Path:
    path = folder / "questions.jsonl"
    lines = [json.dumps({"id": f"q{q}", "question": f"[q{q}] What is {q} times ten?", "answer": q * 10}) for q in range(1, N + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_config(folder: Path, url: str, model: str = MODEL) -> Path:
    agents = "".join(
        f"  - id: {a}\n    model: openai/{model}\n    api_base: {url}\n    api_key: sk-test\n"
        f"    system_message: You are {a}.\n    temperature: 0.{i}\n"
        for i, a in enumerate(AGENTS)
    )
    orchestrator = (
        "orchestrator:\n  final_answer_strategy: winner_reuse\n  max_new_answers_per_agent: 1\n"
        "  retry_base_seconds: 0.01\n  retry_max_seconds: 0.05\n  text_coalesce_ms: 0\n  turn_timeout_seconds: 60\n"
    )
    path = folder / "team.yaml"
    path.write_text(f"agents:\n{agents}{orchestrator}", encoding="utf-8")
    return path


def member_of(request: RecordedRequest) -> str:
    return next(a for a in AGENTS if f"You are {a}." in request.system_text)


def question_of(request: RecordedRequest) -> int:
    found = re.search(r"\[q(\d+)\]", request.all_text)
    assert found, "a request without a question tag"
    return int(found.group(1))


def team_answer(q: int) -> str:
    return f"After working it out: the answer is {TEAM_WRONG.get(q, right(q))}."


def single_reply(request: RecordedRequest) -> Reply:
    q = question_of(request)
    said = SINGLES[q][AGENTS.index(member_of(request))]
    if said == ERROR:
        return error(400, "bad request (scripted)")
    return text(f"Let me think.\n{right(q) if said == 'R' else said}")


def script(request: RecordedRequest, index: int) -> Reply:
    if request.tools:
        return answer_then_vote(team_answer(question_of(request)))(request, index)
    return single_reply(request)


def expected_correct() -> dict[str, set[int]]:
    """Which questions each system gets right, from the table above (by hand, not by the code under test)."""
    return {
        "team": set(range(1, 10)),
        "alpha": {1, 2, 3, 4, 10},
        "beta": {1, 2, 5, 6, 8},
        "gamma": {1, 6, 7},
        "majority": {1, 2, 3, 6},
    }


def served_tokens(server: Any, with_tools: bool, member: str | None = None) -> tuple[int, int]:
    """Prompt and completion tokens the server reported for the matching complete responses."""
    from tests.support.openai_wire import usage_for  # noqa: PLC0415

    prompt = completion = 0
    for served in server.served:
        request = served.request
        if served.outcome != "complete" or bool(request.tools) != with_tools:
            continue
        if member is not None and member_of(request) != member:
            continue
        usage = usage_for(request, script(request, request.call_index))
        prompt, completion = prompt + usage["prompt_tokens"], completion + usage["completion_tokens"]
    return prompt, completion
