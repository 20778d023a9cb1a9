"""Scoring: how an answer is read (normalised text, the last number, the chosen letter).

`extract` turns free model text into a canonical prediction; the same canonical form is
what the majority vote counts, so "42", "42.0" and "The answer is 42." agree.
"""

from __future__ import annotations

import re
import string
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Literal

from mgtui.eval.dataset import LETTERS, Question, choice_letter

ScoreMode = Literal["exact", "number", "choice"]
MODES: tuple[ScoreMode, ...] = ("exact", "number", "choice")

_ANSWER_LINE = re.compile(r"\banswer\s*(?:is|:|=)\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)
INSTRUCTIONS: dict[ScoreMode, str] = {
    "exact": "Reply with the answer only.",
    "number": "Give the final answer as a single number on the last line.",
    "choice": "Reply with the letter of the correct choice.",
}


def auto_mode(questions: list[Question]) -> ScoreMode:
    """choice when the data has choices, number when every answer is a number, else exact."""
    if any(q.choices for q in questions):
        return "choice"
    if all(canonical_number(q.answer) is not None for q in questions):
        return "number"
    return "exact"


def normalise(text: str) -> str:
    """Lower case, no punctuation or articles, single spaces (the usual exact-match rules)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def canonical_number(text: str) -> str | None:
    """'1,234.50' -> '1234.5', '7.0' -> '7'; None when `text` is not one number."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _last_number(text: str) -> str | None:
    found = _NUMBER.findall(text)
    return canonical_number(found[-1]) if found else None


def _stated_answer(text: str) -> str:
    """The text after the last 'Answer:' line, else all of it."""
    found = _ANSWER_LINE.findall(text)
    return found[-1].strip() if found else text.strip()


def _letter(text: str, choices: tuple[str, ...]) -> str | None:
    """The chosen letter: a bare letter, "B) ...", "(B)", a letter before . , : ) or the end,
    or the full text of one choice; only letters that name a choice count."""
    valid = LETTERS[: len(choices)]
    stated = _stated_answer(text)
    bare = stated.strip("().:* ").upper()
    if len(bare) == 1 and bare in valid:
        return bare
    for pattern, pick in ((r"^\W*\(?([A-Z])[).:]\s", 0), (r"\(([A-Z])\)", -1), (r"\b([A-Z])(?=[).,:]|$)", -1)):
        hits = [h for h in re.findall(pattern, stated, re.MULTILINE) if h in valid]
        if hits:
            return hits[pick]
    wanted = normalise(stated)
    return next((letter for letter, choice in zip(valid, choices, strict=False) if wanted and normalise(choice) == wanted), None)


def extract(text: str | None, mode: ScoreMode, question: Question) -> str | None:
    """The canonical prediction in `text`, or None when there is none."""
    if not text or not text.strip():
        return None
    if mode == "number":
        return _last_number(_stated_answer(text)) or _last_number(text)
    if mode == "choice":
        return _letter(text, question.choices)
    return normalise(_stated_answer(text)) or None


def gold(question: Question, mode: ScoreMode) -> str | None:
    """The question's answer in the same canonical form as `extract`."""
    if mode == "choice":
        return choice_letter(question)
    if mode == "number":
        return canonical_number(question.answer)
    return normalise(question.answer)


def prompt(question: Question, mode: ScoreMode) -> str:
    """What every system is asked: the question, its choices, and how to answer."""
    parts = [question.question]
    if question.choices:
        parts.append("\n".join(f"{LETTERS[i]}) {c}" for i, c in enumerate(question.choices)))
    parts.append(INSTRUCTIONS[mode])
    return "\n\n".join(parts)


def majority(predictions: list[str | None]) -> str | None:
    """The most common prediction; a tie goes to the one given first (members in config order).
    Members without a readable answer abstain; None when nobody answered."""
    counts: dict[str, int] = {}
    for prediction in predictions:
        if prediction is not None:
            counts[prediction] = counts.get(prediction, 0) + 1
    # dicts keep insertion order, and max() returns the first of equal counts
    return max(counts, key=lambda p: counts[p]) if counts else None
