"""The shape a chat-completions body must have, checked before anything runs: a hostile or
broken client gets a 400 with the reason, never a 500 with a traceback in the server's log
(a body nested 100 000 deep, `messages` as a string, a number as content)."""

from __future__ import annotations

import json
from typing import Any


def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object in `raw`; ValueError (the reason) for anything else."""
    try:
        body = json.loads(raw)
    except RecursionError:  # json's decoder recurses per nesting level
        raise ValueError("the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def checked_messages(value: Any) -> list[dict[str, Any]]:
    """`messages` as the OpenAI format has them: a list of objects whose content is text or parts."""
    if not isinstance(value, list) or not all(isinstance(m, dict) for m in value):
        raise ValueError("'messages' must be a list of message objects")
    for message in value:
        content = message.get("content")
        if content is not None and not isinstance(content, (str, list)):
            raise ValueError("a message's 'content' must be a string or a list of content parts")
    return value


def stream_flags(body: dict[str, Any]) -> tuple[bool, bool]:
    """(stream, include_usage) from `stream` and `stream_options`."""
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise ValueError("'stream_options' must be an object")
    return bool(body.get("stream")), bool(options.get("include_usage"))
