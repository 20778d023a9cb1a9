"""Questions to evaluate: a JSONL file or a built-in generated suite (`@arithmetic`).

A JSONL line is `{"id"?, "question", "answer", "choices"?}`. Every bad line is reported
with its file and line number at once, so a large file is fixed in one pass.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_LINE_CHARS = 200_000  # a question bigger than this is a mistake, not a prompt
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class DatasetError(Exception):
    """The dataset cannot be used; `issues` holds one `file:line: problem` per bad line."""

    def __init__(self, message: str, issues: list[str] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []

    def __str__(self) -> str:
        return "\n".join([self.args[0], *self.issues])


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answer: str
    choices: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False)  # e.g. the generator's expression


@dataclass(frozen=True)
class Dataset:
    label: str  # what the user passed: a path or @suite
    questions: list[Question]


def _check_line(data: Any, where: str) -> tuple[Question | None, str | None]:
    """A Question from one parsed line, or the problem with it."""
    if not isinstance(data, dict):
        return None, f"{where}: expected a JSON object, got {type(data).__name__}"
    unknown = sorted(set(data) - {"id", "question", "answer", "choices"})
    if unknown:
        return None, f"{where}: unknown key(s) {', '.join(map(repr, unknown))} (allowed: id, question, answer, choices)"
    question, answer = data.get("question"), data.get("answer")
    if not isinstance(question, str) or not question.strip():
        return None, f"{where}: 'question' must be a non-empty string"
    if isinstance(answer, bool) or not isinstance(answer, str | int | float) or not str(answer).strip():
        return None, f"{where}: 'answer' must be a non-empty string or a number"
    choices = data.get("choices")
    if choices is not None:
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
            return None, f"{where}: 'choices' must be a list of at least two non-empty strings"
        if len(choices) > len(LETTERS):
            return None, f"{where}: at most {len(LETTERS)} choices"
    qid = data.get("id")
    if qid is not None and (isinstance(qid, bool) or not isinstance(qid, str | int) or not str(qid).strip()):
        return None, f"{where}: 'id' must be a non-empty string or an integer"
    found = Question(str(qid) if qid is not None else "", question.strip(), str(answer).strip(), tuple(c.strip() for c in choices or ()))
    if found.choices and choice_letter(found) is None:
        return None, f"{where}: 'answer' is neither a choice letter (A-{LETTERS[len(found.choices) - 1]}) nor the text of a choice"
    return found, None


def load_jsonl(path: Path) -> list[Question]:
    """Read and check every line; raises DatasetError listing each bad line as file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc}") from None
    questions: list[Question] = []
    issues: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            issues.append(f"{where}: line longer than {MAX_LINE_CHARS:,} characters")
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            issues.append(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        question, problem = _check_line(data, where)
        if question is None:
            issues.append(str(problem))
            continue
        qid = question.id or f"line{number}"
        if qid in seen:
            issues.append(f"{where}: duplicate id {qid!r} (first on line {seen[qid]})")
            continue
        seen[qid] = number
        questions.append(Question(qid, question.question, question.answer, question.choices))
    if issues:
        raise DatasetError(f"{path}: {len(issues)} bad line(s)", issues)
    if not questions:
        raise DatasetError(f"{path}: no questions in the file")
    return questions


def load_dataset(spec: str, n: int | None = None, seed: int | None = None) -> Dataset:
    """`@arithmetic[:LEVEL]` or a JSONL path; the first `n` questions (shuffled by `seed` if given).

    Shuffling the whole file before cutting keeps a larger `--n` a superset of a smaller
    one with the same seed, so an eval can be extended with `--out` and resume.
    """
    if spec.startswith("@"):
        from mgtui.eval.arithmetic import generate_suite  # noqa: PLC0415

        return Dataset(spec, generate_suite(spec, n, seed or 0))
    path = Path(spec).expanduser()
    if not path.is_file():
        raise DatasetError(f"no dataset file {spec} (give a JSONL file or @arithmetic)")
    questions = load_jsonl(path)
    if seed is not None:
        random.Random(seed).shuffle(questions)
    return Dataset(str(path), questions[:n] if n else questions)


def choice_letter(question: Question) -> str | None:
    """The gold letter of a multiple-choice question: a letter, or the text of one choice."""
    if not question.choices:
        return None
    answer = question.answer.strip()
    letter = answer.strip("().").upper()
    if len(letter) == 1 and letter in LETTERS[: len(question.choices)]:
        return letter
    lowered = [c.casefold() for c in question.choices]
    return LETTERS[lowered.index(answer.casefold())] if answer.casefold() in lowered else None
