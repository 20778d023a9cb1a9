"""Custom Python tools: a typed function (sync or async) becomes a tool.

The JSON schema comes from the signature (through a pydantic model, which also validates
and converts the model's arguments) and the docstring: its first paragraph describes
the tool, an `Args:` section (Google style) or `:param x:` lines describe the parameters.
Keyword arguments bound in the config (`args:`) are hidden from the model, and so are
keyword-only parameters (after `*`): they are configuration, never model input.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from mgtui.config.models import CustomToolConfig
from mgtui.tools.hooks import import_callable
from mgtui.tools.permissions import ToolError

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class CustomTool:
    name: str
    description: str
    fn: Callable[..., Any]
    model: type[BaseModel]
    bound: dict[str, Any]

    def spec(self) -> dict[str, Any]:
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": _clean(self.model.model_json_schema())}}

    async def call(self, arguments: dict[str, Any]) -> str:
        try:
            parsed = self.model.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())
            raise ToolError(f"Bad arguments for {self.name}: {problems}") from None
        kwargs = {**{k: getattr(parsed, k) for k in type(parsed).model_fields}, **self.bound}
        if inspect.iscoroutinefunction(self.fn):
            result = await self.fn(**kwargs)
        else:
            result = await asyncio.to_thread(self.fn, **kwargs)
            if inspect.isawaitable(result):
                result = await result
        return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """(description, {param: description}) from a Google-style or reST docstring."""
    text = inspect.cleandoc(doc or "")
    summary = text.split("\n\n", 1)[0].strip()
    params: dict[str, str] = {}
    for name, desc in re.findall(r"^\s*:param\s+(?:\w+\s+)?(\w+):\s*(.+)$", text, re.MULTILINE):
        params[name] = desc.strip()
    section = re.search(r"^(?:Args|Arguments|Parameters):\s*\n((?:[ \t]+.+\n?)+)", text, re.MULTILINE)
    if section:
        current = ""
        for line in section.group(1).splitlines():
            match = re.match(r"^\s+(\w+)(?:\s*\([^)]*\))?:\s*(.*)$", line)
            if match:
                current = match.group(1)
                params[current] = match.group(2).strip()
            elif current and line.strip():
                params[current] += " " + line.strip()
    if summary.startswith((":param", "Args:", "Arguments:", "Parameters:")):
        summary = ""
    return summary, params


def tool_from_function(fn: Callable[..., Any], name: str | None = None, description: str | None = None, bound: dict[str, Any] | None = None) -> CustomTool:
    bound = dict(bound or {})
    tool_name = name or fn.__name__
    if not _NAME.match(tool_name):
        raise ValueError(f"tool name '{tool_name}' must match {_NAME.pattern}")
    summary, param_docs = parse_docstring(fn.__doc__)
    hints = get_type_hints(fn)
    fields: dict[str, Any] = {}
    for param in inspect.signature(fn).parameters.values():
        if param.kind == param.KEYWORD_ONLY and param.name not in bound and param.default is param.empty:
            raise ValueError(f"{tool_name}: keyword-only parameter '{param.name}' must be bound in `args`")
        if param.name in bound or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.KEYWORD_ONLY):
            continue
        annotation = hints.get(param.name, Any)
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (annotation, Field(default, description=param_docs.get(param.name)))
    unknown = set(bound) - set(inspect.signature(fn).parameters)
    if unknown:
        raise ValueError(f"{tool_name}: bound args {sorted(unknown)} are not parameters of the function")
    model = create_model(f"{tool_name}_arguments", __config__=ConfigDict(extra="forbid"), **fields)
    return CustomTool(tool_name, description or summary or f"Call {tool_name}.", fn, model, bound)


def load_custom_tool(config: CustomToolConfig) -> CustomTool:
    return tool_from_function(import_callable(config.function), config.name, config.description, config.args)


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's titles: noise in every prompt."""
    if isinstance(schema, dict):
        return {k: _clean(v) for k, v in schema.items() if k != "title" or not isinstance(v, str)}
    if isinstance(schema, list):
        return [_clean(v) for v in schema]  # type: ignore[return-value]
    return schema
