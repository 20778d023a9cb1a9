"""Tool calling for a small local model: OpenAI tools -> one JSON schema -> llama.cpp grammar,
and the constrained output back to an OpenAI-shaped tool call.

The model writes `{"tool": <name>, "arguments": {...}}`; the grammar is a `oneOf` over the
offered tools, so whatever it writes is a call of an offered tool with schema-valid
arguments. Every free string gets a `maxLength`: a 135M model otherwise rambles until
`max_tokens` cuts the JSON in half.
"""

from __future__ import annotations

import copy
import json
from typing import Any

# Per-argument caps (characters). Short answers keep three serialized agents fast.
STRING_BOUNDS = {"content": 600, "reason": 200}
DEFAULT_STRING_BOUND = 300
_STRUCTURE_TOKENS = 48  # braces, keys, quotes, tool name: generous


def _tool_name(tool: dict[str, Any]) -> str:
    return str(tool.get("function", tool).get("name", ""))


def _tool_parameters(tool: dict[str, Any]) -> dict[str, Any]:
    params = tool.get("function", tool).get("parameters")
    return params if isinstance(params, dict) and params else {"type": "object", "properties": {}}


def select_tools(tools: list[dict[str, Any]] | None, tool_choice: Any = None) -> list[dict[str, Any]]:
    """The tools the model may call given OpenAI's `tool_choice` ("none", "auto", "required" or a name)."""
    if not tools or tool_choice == "none":
        return []
    if isinstance(tool_choice, dict):
        wanted = tool_choice.get("function", {}).get("name")
        chosen = [t for t in tools if _tool_name(t) == wanted]
        return chosen or list(tools)
    return list(tools)


def bound_strings(schema: Any, key: str | None = None) -> Any:
    """A copy of `schema` where every free string has a maxLength and objects take no extra keys."""
    if not isinstance(schema, dict):
        return schema
    out = copy.copy(schema)
    kind = out.get("type")
    if isinstance(kind, list) and "string" in kind:
        # The grammar converter drops maxLength on type unions; spell the union out instead.
        rest = {k: v for k, v in out.items() if k != "type"}
        return {"anyOf": [bound_strings({**rest, "type": t}, key) for t in kind]}
    if kind == "string" and "enum" not in out and "const" not in out:
        limit = STRING_BOUNDS.get(key or "", DEFAULT_STRING_BOUND)
        out["maxLength"] = min(int(out.get("maxLength", limit)), limit)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: bound_strings(sub, name) for name, sub in out["properties"].items()}
        if out.get("additionalProperties", True) is True:
            out["additionalProperties"] = False
    if "items" in out:
        out["items"] = bound_strings(out["items"], key)
    for union in ("anyOf", "oneOf", "allOf"):
        if isinstance(out.get(union), list):
            out[union] = [bound_strings(sub, key) for sub in out[union]]
    return out


def tool_call_schema(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """One schema accepting exactly one call of any offered tool."""
    if not tools:
        raise ValueError("tool_call_schema needs at least one tool")
    branches = [
        {
            "type": "object",
            "properties": {"tool": {"const": _tool_name(t)}, "arguments": bound_strings(_tool_parameters(t))},
            "required": ["tool", "arguments"],
            "additionalProperties": False,
        }
        for t in tools
    ]
    return {"oneOf": branches}


def _string_budget(schema: Any) -> int:
    """Upper bound on the characters of free text a schema allows (the widest union branch)."""
    if not isinstance(schema, dict):
        return 0
    total = int(schema.get("maxLength", 0)) if schema.get("type") == "string" else 0
    total += sum(_string_budget(s) for s in (schema.get("properties") or {}).values())
    total += max((len(json.dumps(v)) for v in schema.get("enum", [])), default=0)
    for union in ("anyOf", "oneOf"):
        if isinstance(schema.get(union), list):
            total += max((_string_budget(s) for s in schema[union]), default=0)
    return total


def token_budget(schema: dict[str, Any]) -> int:
    """max_tokens that always lets a call finish: a token is at least one character."""
    return _string_budget(schema) + _STRUCTURE_TOKENS


def json_schema_to_gbnf(schema: dict[str, Any]) -> str:
    """GBNF for `schema` via llama-cpp-python's converter (imported lazily: it is an extra)."""
    from mgtui.providers.local_weights import import_llama_cpp  # noqa: PLC0415

    return import_llama_cpp().llama_grammar.json_schema_to_gbnf(json.dumps(schema))


def parse_tool_call(text: str, tools: list[dict[str, Any]]) -> dict[str, str] | None:
    """`{"tool": .., "arguments": {..}}` -> {"name", "arguments" (JSON string)}; None if unusable.

    Lenient: raw control characters inside strings are accepted (strict=False) and text
    after the object is ignored.
    """
    start = text.find("{")
    if start < 0:
        return None
    try:
        data, _ = json.JSONDecoder(strict=False).raw_decode(text, start)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("arguments"), dict):
        return None
    name = data.get("tool")
    if name not in {_tool_name(t) for t in tools}:
        return None
    return {"name": name, "arguments": json.dumps(data["arguments"], ensure_ascii=False)}


def _type_hint(schema: dict[str, Any]) -> str:
    """`string`, `"agent1" | "agent2"`, `{"a": number}`: a shape to fill in, with no sample value to copy
    (a 135M model given `"<content>"` as an example answers with exactly that)."""
    if "enum" in schema:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    if isinstance(schema.get("properties"), dict):
        return "{" + ", ".join(f'"{k}": {_type_hint(v)}' for k, v in schema["properties"].items()) + "}"
    for union in ("anyOf", "oneOf"):
        if isinstance(schema.get(union), list):
            return " | ".join(_type_hint(s) for s in schema[union])
    kind = schema.get("type", "value")
    if isinstance(kind, list):
        return " | ".join(map(str, kind))
    return f"{_type_hint(schema.get('items') or {})}[]" if kind == "array" else str(kind)


def _first_sentence(text: str, limit: int = 140) -> str:
    return text.strip().split(". ")[0].rstrip(".")[:limit]


def tool_instructions(tools: list[dict[str, Any]]) -> str:
    """A short prompt a tiny model can follow: the JSON shape of each tool and what it is for."""
    lines = ["Reply with ONE JSON object and nothing else. Choose one of:"]
    for tool in tools:
        name, params = _tool_name(tool), _tool_parameters(tool)
        lines.append(f'{{"tool": "{name}", "arguments": {_type_hint(params)}}}')
        notes = [_first_sentence(str(tool.get("function", tool).get("description", "")))]
        for key, sub in (params.get("properties") or {}).items():
            if isinstance(sub, dict) and sub.get("description"):
                notes.append(f"{key}: {_first_sentence(str(sub['description']))}")
        lines.append(f"  ({name}: " + "; ".join(n for n in notes if n) + ")")
    return "\n".join(lines)


def _text_of(content: Any) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def chat_messages(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> list[dict[str, str]]:
    """OpenAI messages -> plain system/user/assistant text the chat template understands.

    Earlier tool calls are shown in the model's own JSON form, tool results as user
    messages, and the tool instructions are appended to the system message.
    """
    out: list[dict[str, str]] = []
    for message in messages:
        role = message.get("role", "user")
        text = _text_of(message.get("content"))
        if role == "assistant" and message.get("tool_calls"):
            calls = [
                json.dumps({"tool": c["function"]["name"], "arguments": _loads_or_text(c["function"].get("arguments"))})
                for c in message["tool_calls"]
            ]
            text = "\n".join(filter(None, [text, *calls]))
        elif role == "tool":
            role, text = "user", f"Tool result: {text}"
        elif role not in ("system", "user", "assistant"):
            role = "user"
        out.append({"role": role, "content": text})
    if tools:
        note = tool_instructions(tools)
        if out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": f"{out[0]['content']}\n\n{note}"}
        else:
            out.insert(0, {"role": "system", "content": note})
    return out


def _loads_or_text(arguments: Any) -> Any:
    if not isinstance(arguments, str):
        return arguments or {}
    try:
        return json.loads(arguments, strict=False)
    except json.JSONDecodeError:
        return arguments
