"""`@arithmetic`: multi-step integer word problems with exact answers, deterministic per seed.

Each problem is a short story that changes a count step by step (add, take away, buy
packs, multiply, share equally). The story is built together with an arithmetic
expression, kept in `Question.meta["expression"]`, so a test can evaluate it and check
the answer. Levels: 1 = one step, 2 = two or three steps, 3 = four or five steps (with
multiplication and exact division). `@arithmetic` cycles through the levels;
`@arithmetic:2` uses one. Question i depends only on (seed, level, i): a larger `--n` with
the same seed extends the same list.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from mgtui.eval.dataset import DatasetError, Question

DEFAULT_N = 30
LEVELS = (1, 2, 3)
_NAMES = ("Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goro", "Hana", "Ivan", "Jade", "Kofi", "Lena")
_ITEMS = ("apples", "marbles", "stamps", "coins", "books", "shells", "stickers", "pencils", "cards", "beads")
_STEPS = {1: (1, 1), 2: (2, 3), 3: (4, 5)}

# A step: (total, rng, name, items) -> (new total, sentence, operator, operand text) or None when it does not fit.
Step = Callable[[int, random.Random, str, str], tuple[int, str, str, str] | None]


def _add(total: int, rng: random.Random, name: str, items: str) -> tuple[int, str, str, str]:
    b = rng.randint(2, 30)
    return total + b, f"{name} finds {b} more {items}.", "+", str(b)


def _take(total: int, rng: random.Random, name: str, items: str) -> tuple[int, str, str, str] | None:
    if total < 3:
        return None
    b = rng.randint(1, total - 1)
    return total - b, f"{name} gives {b} {items} to a friend.", "-", str(b)


def _packs(total: int, rng: random.Random, name: str, items: str) -> tuple[int, str, str, str]:
    k, m = rng.randint(2, 6), rng.randint(2, 12)
    return total + k * m, f"{name} buys {k} packs with {m} {items} in each pack.", "+", f"{k} * {m}"


def _times(total: int, rng: random.Random, name: str, items: str) -> tuple[int, str, str, str] | None:
    if total > 150:
        return None
    k = rng.randint(2, 4)
    word = {2: "twice", 3: "three times", 4: "four times"}[k]
    return total * k, f"Later {name} has {word} as many {items} as before.", "*", str(k)


def _share(total: int, rng: random.Random, name: str, items: str) -> tuple[int, str, str, str] | None:
    divisors = [k for k in range(2, 7) if total % k == 0 and total // k >= 2]
    if not divisors:
        return None
    k = rng.choice(divisors)
    return total // k, f"{name} splits the {items} into {k} equal groups and keeps one group.", "/", str(k)


_SIMPLE: tuple[Step, ...] = (_add, _take, _packs)
_ALL: tuple[Step, ...] = (_add, _take, _packs, _times, _share)


def make_problem(seed: int, level: int, index: int) -> Question:
    """Problem `index` of a level for a seed (the same inputs always give the same problem)."""
    rng = random.Random(f"mgtui-arithmetic:{seed}:{level}:{index}")
    name, items = rng.choice(_NAMES), rng.choice(_ITEMS)
    total = rng.randint(5, 40)
    sentences = [f"{name} has {total} {items}."]
    expression = str(total)
    steps = rng.randint(*_STEPS[level])
    kinds = _SIMPLE if level < 3 else _ALL
    if level == 2:
        kinds = (*_SIMPLE, _times)
    while steps:
        step = rng.choice(kinds)
        done = step(total, rng, name, items)
        if done is None:
            continue  # e.g. nothing to share equally: draw another kind of step
        total, sentence, operator, operand = done
        sentences.append(sentence)
        left = f"({expression})" if operator in "*/" and " " in expression else expression
        expression = f"{left} {operator} {operand}"
        steps -= 1
    sentences.append(f"How many {items} does {name} have now?")
    return Question(
        id=f"arithmetic-{seed}-{index + 1:03d}",
        question=" ".join(sentences),
        answer=str(total),
        meta={"expression": expression, "level": level},
    )


def generate_suite(spec: str, n: int | None, seed: int) -> list[Question]:
    """`@arithmetic` (levels in turn) or `@arithmetic:LEVEL`; DEFAULT_N questions unless `n`."""
    name, _, level_text = spec.removeprefix("@").partition(":")
    if name != "arithmetic":
        raise DatasetError(f"unknown built-in suite @{name} (built-in: @arithmetic, @arithmetic:1..3)")
    if level_text and (not level_text.isdigit() or int(level_text) not in LEVELS):
        raise DatasetError(f"@arithmetic level must be 1, 2 or 3, not {level_text!r}")
    count = n or DEFAULT_N
    levels = (int(level_text),) if level_text else LEVELS
    return [make_problem(seed, levels[i % len(levels)], i) for i in range(count)]
