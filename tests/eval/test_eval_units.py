"""Pure parts of `mgtui eval`: statistics, scoring, the majority vote, the dataset loader and
the @arithmetic generator (its answers are checked by evaluating the generated expression)."""

from __future__ import annotations

import ast
import io
import json
import operator
import re
from fractions import Fraction
from pathlib import Path

import pytest

from mgtui.cli import main
from mgtui.eval import scoring
from mgtui.eval.arithmetic import generate_suite
from mgtui.eval.dataset import DatasetError, Question, load_dataset
from mgtui.eval.progress import EvalProgress
from mgtui.eval.stats import mcnemar_exact, wilson

# -- statistics ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [  # 95 % Wilson intervals as published (e.g. Newcombe 1998, table I; R binom::binom.wilson)
        (8, 10, 0.4902, 0.9433),
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, low: float, high: float) -> None:
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson(0, 0)
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_mcnemar_exact_against_hand_computed_cases() -> None:
    # b=1, c=6: n=7, P(X<=1) = (C(7,0)+C(7,1))/2^7 = 8/128; two-sided 16/128.
    assert mcnemar_exact(1, 6) == 0.125
    assert mcnemar_exact(6, 1) == 0.125
    # b=0, c=10: 2 * 1/1024
    assert mcnemar_exact(0, 10) == 2 / 1024
    # b=2, c=3: tail (1+5+10)/32 = 0.5 -> two-sided capped at 1
    assert mcnemar_exact(2, 3) == 1.0
    assert mcnemar_exact(0, 0) == 1.0
    # b=3, c=12: (1+15+105+455)/32768 * 2
    assert mcnemar_exact(3, 12) == pytest.approx(2 * 576 / 32768, rel=1e-12)


# -- scoring ------------------------------------------------------------------------------

Q_NUM = Question("n", "How many?", "1,234")
Q_CHOICE = Question("c", "Which animal barks?", "dog", ("cat", "dog", "cow"))
Q_TEXT = Question("t", "Capital of France?", "Paris")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234", "1234"),
        ("We add 3 + 4 = 7, so the answer is 1,234.", "1234"),
        ("Answer: 1234 apples\nI double-checked with 2 methods.", "1234"),
        ("first 12 then 7.0", "7"),
        ("-5", "-5"),
        ("no digits here", None),
        ("", None),
    ],
)
def test_number_reads_the_stated_or_last_number(text: str, expected: str | None) -> None:
    assert scoring.extract(text, "number", Q_NUM) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("B", "B"), ("(B)", "B"), ("B) dog", "B"), ("The answer is B.", "B"), ("A cat? No. Answer: (B)", "B"),
     ("dog", "B"), ("I pick C, the cow", "C"), ("E", None), ("I am not sure", None)],
)
def test_choice_reads_the_chosen_letter(text: str, expected: str | None) -> None:
    assert scoring.extract(text, "choice", Q_CHOICE) == expected


def test_exact_match_is_normalised() -> None:
    assert scoring.extract("  The PARIS!  ", "exact", Q_TEXT) == scoring.gold(Q_TEXT, "exact") == "paris"
    assert scoring.extract("Paris, France", "exact", Q_TEXT) != scoring.gold(Q_TEXT, "exact")


def test_score_mode_is_chosen_from_the_data() -> None:
    assert scoring.auto_mode([Q_NUM, Question("x", "q", "7")]) == "number"
    assert scoring.auto_mode([Q_NUM, Q_CHOICE]) == "choice"
    assert scoring.auto_mode([Q_NUM, Q_TEXT]) == "exact"


def test_majority_counts_and_breaks_ties_by_config_order() -> None:
    assert scoring.majority(["5", "7", "7"]) == "7"
    assert scoring.majority(["5", "7", "9"]) == "5"  # three-way tie: the first member's answer
    assert scoring.majority(["9", "7", "7", "9"]) == "9"  # 2-2: the answer the first member gave
    assert scoring.majority([None, "7", "8"]) == "7"  # an abstaining member does not break ties
    assert scoring.majority([None, None]) is None


# -- datasets -----------------------------------------------------------------------------


def test_bad_jsonl_lines_are_reported_as_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    lines = [
        json.dumps({"id": "a", "question": "ok?", "answer": 1}),
        '{"question": "cut off", "answer": ',
        "",
        json.dumps({"question": "no answer"}),
        json.dumps({"question": "pick", "answer": "Z", "choices": ["x", "y"]}),
        json.dumps({"id": "a", "question": "again", "answer": 2}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"question": "q", "answer": "a", "hint": "typo'd key"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as caught:
        load_dataset(str(path))
    assert [i.split(": ", 1)[0] for i in caught.value.issues] == [f"{path}:{n}" for n in (2, 4, 5, 6, 7, 8)]
    assert "invalid JSON" in caught.value.issues[0]
    assert "'answer'" in caught.value.issues[1]
    assert "choice letter (A-B)" in caught.value.issues[2]
    assert "duplicate id 'a' (first on line 1)" in caught.value.issues[3]
    assert "unknown key(s) 'hint'" in caught.value.issues[5]
    # The command says the same, one line per problem, and runs nothing.
    assert main(["eval", str(path), "-c", "@local"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2: invalid JSON" in err and f"{path}:8: unknown key(s)" in err


def test_file_sampling_with_a_seed_extends_with_n(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps({"question": f"q{i}", "answer": i}) for i in range(20)), encoding="utf-8")
    assert [q.id for q in load_dataset(str(path), 3).questions] == ["line1", "line2", "line3"]
    five = [q.id for q in load_dataset(str(path), 5, seed=7).questions]
    ten = [q.id for q in load_dataset(str(path), 10, seed=7).questions]
    assert ten[:5] == five and five != ["line1", "line2", "line3", "line4", "line5"]


# -- @arithmetic --------------------------------------------------------------------------

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _evaluate(node: ast.AST) -> Fraction:
    """Exact evaluation of + - * / over integers (no eval())."""
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return Fraction(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    raise AssertionError(f"unexpected expression part {ast.dump(node)}")


def test_arithmetic_answers_equal_the_generated_expression() -> None:
    for seed in (0, 1, 2024):
        for q in generate_suite("@arithmetic", 90, seed):
            value = _evaluate(ast.parse(q.meta["expression"], mode="eval"))
            assert value.denominator == 1 and value >= 0, q
            assert q.answer == str(value.numerator), q
            # The story states every operand of the expression, in the same order.
            story = q.question.replace("twice", "2").replace("three times", "3").replace("four times", "4")
            assert re.findall(r"\d+", story) == re.findall(r"\d+", q.meta["expression"]), q


def test_arithmetic_is_deterministic_per_seed_and_levels_differ() -> None:
    first = generate_suite("@arithmetic", 30, 5)
    assert first == generate_suite("@arithmetic", 30, 5)
    assert generate_suite("@arithmetic", 60, 5)[:30] == first  # a larger n extends the same list
    assert [q.question for q in generate_suite("@arithmetic", 30, 6)] != [q.question for q in first]
    assert [q.meta["level"] for q in first[:6]] == [1, 2, 3, 1, 2, 3]
    steps = {level: {q.question.count(".") - 1 for q in generate_suite(f"@arithmetic:{level}", 40, 1)} for level in (1, 2, 3)}
    assert steps == {1: {1}, 2: {2, 3}, 3: {4, 5}}
    assert len(generate_suite("@arithmetic", None, 0)) == 30
    with pytest.raises(DatasetError, match="level must be 1, 2 or 3"):
        generate_suite("@arithmetic:9", 5, 0)
    with pytest.raises(DatasetError, match="unknown built-in suite"):
        load_dataset("@trivia")


def test_every_level_uses_every_kind_of_step() -> None:
    text = " ".join(q.question for q in generate_suite("@arithmetic:3", 60, 3))
    for phrase in ("finds", "gives", "packs", "as many", "equal groups"):
        assert phrase in text


# -- progress -----------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _records(qid: str, team: bool, alpha: bool) -> list[dict[str, object]]:
    return [
        {"qid": qid, "system": "team", "agent": None, "correct": team, "prompt_tokens": 100, "completion_tokens": 20, "error": None},
        {"qid": qid, "system": "single", "agent": "alpha", "correct": alpha, "prompt_tokens": 10, "completion_tokens": 5,
            "error": "boom" if not alpha else None},
        {"qid": qid, "system": "majority", "agent": None, "correct": alpha, "prompt_tokens": 10, "completion_tokens": 5, "error": None},
    ]


def test_progress_prints_plain_lines_into_a_pipe() -> None:
    out = io.StringIO()
    progress = EvalProgress(total=4, done=1, agents=["alpha"], stream=out)
    progress.add(_records("q2", True, False))
    progress.add(_records("q3", True, True))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "\x1b" not in out.getvalue()
    assert lines[1].startswith("3/4 questions · team 2/2 100% · alpha 1/2 50% · maj 1/2 50% · 270 tok · 1 err · ETA ")


def test_progress_redraws_one_line_on_a_terminal() -> None:
    out = _Terminal()
    progress = EvalProgress(total=2, done=0, agents=["alpha"], stream=out)
    progress.add(_records("q1", False, True))
    progress.say("stopping")
    progress.finish()
    text = out.getvalue()
    assert text.startswith("\r\x1b[2K1/2 questions · team 0/1 0% · alpha 1/1 100%")
    assert "\r\x1b[2Kstopping\n" in text and text.endswith("\n") and text.count("\n") == 2


def test_every_system_gets_the_same_prompt_with_choices_and_how_to_answer() -> None:
    assert scoring.prompt(Q_CHOICE, "choice") == "Which animal barks?\n\nA) cat\nB) dog\nC) cow\n\nReply with the letter of the correct choice."
    assert scoring.prompt(Q_NUM, "number").endswith("Give the final answer as a single number on the last line.")
    assert scoring.gold(Q_CHOICE, "choice") == "B" and scoring.gold(Question("c", "q", "(c)", ("x", "y", "z")), "choice") == "C"
