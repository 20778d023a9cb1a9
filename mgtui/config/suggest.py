"""'Did you mean' hints: close matches among the keys the schema allows at a key path."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from mgtui.config.models import MgtuiConfig


def _strip_optional(tp: Any) -> Any:
    """`X | None` -> X, so the walk can look inside optional sections."""
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def model_at(loc: Iterable[Any], root: type[BaseModel] = MgtuiConfig) -> type[BaseModel] | None:
    """The pydantic model that describes the mapping at `loc` (e.g. ("agents", 0)), if any."""
    tp: Any = root
    for part in loc:
        tp = _strip_optional(tp)
        if isinstance(part, int):
            if get_origin(tp) is not list:
                return None
            tp = get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
        else:
            return None
    tp = _strip_optional(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The one best close match, or None when nothing is close enough to be useful."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not matches:
        # A case slip ("Temperature") scores low with difflib; catch it explicitly.
        lowered = {c.lower(): c for c in choices}
        return lowered.get(word.lower())
    return matches[0]


def suggest_key(parent_loc: Iterable[Any], key: str) -> str | None:
    """A known key close to the unknown `key` in the mapping at `parent_loc`."""
    model = model_at(parent_loc)
    if model is None:
        return None
    return closest(key, model.model_fields)


def did_you_mean(suggestion: str | None) -> str:
    return f" (did you mean '{suggestion}'?)" if suggestion else ""
