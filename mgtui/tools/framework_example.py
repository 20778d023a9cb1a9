"""A stand-in for an agent framework, wrapped as a custom tool (see configs/framework_tool.yaml).

Frameworks (LangChain runnables, CrewAI crews, ...) expose some `invoke(input) -> output`;
`text_stats` shows the wrapping pattern: a typed function with a docstring that builds the
framework object and invokes it. mgtui derives the tool's schema from the signature.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Chain:
    """A minimal framework pipeline: each step maps the previous output to the next."""

    steps: list[Callable[[Any], Any]] = field(default_factory=list)

    def pipe(self, step: Callable[[Any], Any]) -> Chain:
        return Chain([*self.steps, step])

    def invoke(self, value: Any) -> Any:
        for step in self.steps:
            value = step(value)
        return value


def text_stats(text: str, top: int = 5) -> dict[str, Any]:
    """Count words in a text and list the most frequent ones.

    Args:
        text: The text to analyse.
        top: How many of the most frequent words to return.
    """
    chain = (
        Chain()
        .pipe(lambda s: re.findall(r"[\w']+", s.lower()))
        .pipe(lambda words: {"words": len(words), "unique": len(set(words)), "top": Counter(words).most_common(max(0, top))})
    )
    return chain.invoke(text)
