"""OpenAI chat-completions wire format: response bodies, stream chunks, errors, SSE lines."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    """Fields shared by every body of one response."""

    model: str
    id: str = field(default_factory=lambda: f"chatcmpl-mgtui-{secrets.token_hex(8)}")
    created: int = field(default_factory=lambda: int(time.time()))


def details(result: Any) -> dict[str, Any]:
    """mgtui's extra field: who won and where the log is (OpenAI clients keep unknown fields)."""
    return {"winner": result.winner, "status": result.status, "session_id": result.session_id, "log_dir": result.log_dir}


def completion(reply: Reply, result: Any) -> dict[str, Any]:
    return {
        "id": reply.id,
        "object": "chat.completion",
        "created": reply.created,
        "model": reply.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.final_answer}, "finish_reason": "stop"}],
        "usage": result.total_usage,
        "mgtui": details(result),
    }


def chunk(reply: Reply, delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": reply.id,
        "object": "chat.completion.chunk",
        "created": reply.created,
        "model": reply.model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        **extra,
    }


def usage_chunk(reply: Reply, usage: dict[str, int]) -> dict[str, Any]:
    """The extra last chunk sent when the request asked `stream_options.include_usage`."""
    return {"id": reply.id, "object": "chat.completion.chunk", "created": reply.created, "model": reply.model, "choices": [], "usage": usage}


def error(message: str, kind: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


SSE_DONE = "data: [DONE]\n\n"
SSE_KEEPALIVE = ": keepalive\n\n"  # an SSE comment: keeps proxies and clients from timing out
