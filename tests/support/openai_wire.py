"""The OpenAI chat-completions wire format as the loopback server writes it (HTTP/1.1)."""

from __future__ import annotations

import asyncio
import json
import time
from http import HTTPStatus
from typing import Any

from tests.support.replies import RecordedRequest, Reply


def split_text(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def usage_for(request: RecordedRequest, reply: Reply) -> dict[str, int]:
    """Deterministic token counts: about four characters per token."""
    prompt = max(1, len(json.dumps(request.messages)) // 4)
    produced = reply.content + "".join(c.name + c.arguments_json() for c in reply.tool_calls)
    completion = max(1, -(-len(produced) // 4))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion_body(request: RecordedRequest, reply: Reply, response_id: str) -> dict[str, Any]:
    """A non-streaming chat.completion response."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": call.id or f"call_{i}", "type": "function", "function": {"name": call.name, "arguments": call.arguments_json()}}
            for i, call in enumerate(reply.tool_calls)
        ]
    return {
        "id": response_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.model,
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
        "usage": usage_for(request, reply),
    }


def stream_chunks(request: RecordedRequest, reply: Reply, response_id: str) -> list[dict[str, Any]]:
    """The chunk objects OpenAI would stream for this reply, in order."""
    if reply.raw_chunks is not None:
        return [dict(c) for c in reply.raw_chunks]
    base: dict[str, Any] = {"id": response_id, "object": "chat.completion.chunk", "created": int(time.time()), "model": request.model}
    if request.include_usage:
        base["usage"] = None  # OpenAI sends usage: null on every chunk but the last

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"reasoning_content": piece}) for piece in split_text(reply.reasoning, reply.chunk_size)]
    out += [chunk({"content": piece}) for piece in split_text(reply.content, reply.chunk_size)]
    for i, call in enumerate(reply.tool_calls):
        opening = {"index": i, "id": call.id or f"call_{response_id}_{i}", "type": "function", "function": {"name": call.name, "arguments": ""}}
        out.append(chunk({"tool_calls": [opening]}))
        for piece in split_text(call.arguments_json(), reply.chunk_size):
            more: dict[str, Any] = {"function": {"arguments": piece}} if reply.sparse_tool_deltas else {"index": i, "function": {"arguments": piece}}
            out.append(chunk({"tool_calls": [more]}))
    if reply.end_after is not None:
        return out[: reply.end_after]  # a clean end, too early: no finish_reason, no usage
    if reply.finish:
        out.append(chunk({}, reply.finish_reason))
    if request.include_usage:
        out.append({**base, "choices": [], "usage": usage_for(request, reply)})
    return out


def error_body(message: str, status: int) -> dict[str, Any]:
    kind = {429: "rate_limit_exceeded", 400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error"}
    return {"error": {"message": message, "type": kind.get(status, "server_error"), "param": None, "code": str(status)}}


def status_line(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Status"
    return f"HTTP/1.1 {status} {phrase}\r\n".encode()


def header_bytes(headers: dict[str, str]) -> bytes:
    return ("".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode("latin-1")


def write_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")


async def send_json(writer: asyncio.StreamWriter, status: int, data: Any, extra: dict[str, str] | None = None) -> None:
    payload = json.dumps(data).encode()
    head = {"Content-Type": "application/json", "Content-Length": str(len(payload)), **(extra or {})}
    writer.write(status_line(status) + header_bytes(head) + payload)
    await writer.drain()
