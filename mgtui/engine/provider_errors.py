"""Provider errors as one line a person can read, with the root cause.

LiteLLM wraps errors in layers ("MidStreamFallbackError: litellm.MidStreamFallbackError:
litellm.APIConnectionError: APIConnectionError: OpenAIException - ..."): this finds the
innermost cause and says what happened and where, e.g. "HTTP 500 from 127.0.0.1:8001:
scripted failure". The full provider text stays in the event log (`detail`).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

LINE_MAX = 200
NO_FINISH = "before a finish_reason"  # LiteLLM: "Stream ended before a finish_reason was received"
_PREFIXES = re.compile(r"^(?:(?:litellm\.)?[A-Za-z]+(?:Error|Exception)\s*[:\-]\s*)+")


class StreamCut(Exception):
    """The stream ended cleanly but too early: mid tool call, or before any output. Retried."""

    status_code = 503  # retryable, like a server hiccup


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps (LiteLLM's original_exception, then __cause__/__context__)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        inner = getattr(current, "original_exception", None)
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)
    return seen


def ended_without_finish(exc: BaseException) -> bool:
    """The stream closed cleanly without a finish_reason (llama.cpp's server does this when
    another request arrives, some proxies always): the reply may well be complete."""
    return any(NO_FINISH in str(e) for e in _chain(exc))


def _host(api_base: str | None, exc: BaseException) -> str:
    if api_base:
        return urlsplit(api_base).netloc or api_base
    for e in _chain(exc):
        try:
            request = getattr(getattr(e, "response", None), "request", None) or getattr(e, "request", None)
        except RuntimeError:  # httpx raises when a response has no request
            request = None
        url = str(getattr(request, "url", "") or "")
        if url and "docs.litellm.ai" not in url:
            return urlsplit(url).netloc or url
    provider = next((getattr(e, "llm_provider", None) for e in _chain(exc) if getattr(e, "llm_provider", None)), None)
    return str(provider or "the provider")


def _body_message(exc: BaseException) -> str:
    """The provider's own message from the HTTP error body ({"error": {"message": ...}})."""
    for e in _chain(exc):
        response = getattr(e, "response", None)
        try:
            data = json.loads(getattr(response, "text", "") or "")
        except (ValueError, TypeError, RuntimeError):
            continue
        error = data.get("error") if isinstance(data, dict) else None
        message = error.get("message") if isinstance(error, dict) else (error if isinstance(error, str) else None)
        if message:
            return str(message)
    return ""


def _clean(text: str) -> str:
    """The message without LiteLLM's stacked class-name prefixes, on one line."""
    line = " ".join(str(text).split())
    if " - " in line and "Exception - " in line:
        line = line.rsplit("Exception - ", 1)[1]
    line = _PREFIXES.sub("", line).strip()
    line = line.split(" Original exception:", 1)[0].split(" Received Model Group=", 1)[0]
    return line


def _status(exc: BaseException) -> int | None:
    for e in reversed(_chain(exc)):  # the innermost status is the real one (MidStream… says 503 by default)
        status = getattr(e, "status_code", None)
        if isinstance(status, int) and type(e).__name__ != "MidStreamFallbackError":
            return status
    return None


def describe(exc: BaseException, api_base: str | None = None) -> str:
    """One line with the root cause: what went wrong and where."""
    if isinstance(exc, StreamCut):
        return str(exc)
    host = _host(api_base, exc)
    names = {type(e).__name__ for e in _chain(exc)}
    text = " ".join(str(e) for e in _chain(exc))
    status = _status(exc)
    if ended_without_finish(exc):
        line = f"stream from {host} ended without a finish_reason"
    elif "Connection refused" in text or "ConnectError" in names or "All connection attempts failed" in text:
        line = f"cannot connect to {host} (connection refused or unreachable)"
    elif names & {"Timeout", "ReadTimeout", "ConnectTimeout", "APITimeoutError", "TimeoutError"}:
        line = f"no reply from {host} in time (timeout)"
    elif names & {"RemoteProtocolError"} or "incomplete chunked read" in text or "peer closed connection" in text:
        line = f"connection to {host} broke off mid-reply"
    elif status is not None:
        message = _body_message(exc) or _clean(str(exc))
        line = f"HTTP {status} from {host}: {message}" if message else f"HTTP {status} from {host}"
    else:
        message = _clean(str(exc)) or type(exc).__name__
        line = f"{message} ({host})"
    return line if len(line) <= LINE_MAX else line[: LINE_MAX - 1] + "…"


def full_text(exc: BaseException) -> str:
    """Everything the provider said, for the log."""
    return " <- ".join(f"{type(e).__name__}: {e}" for e in _chain(exc))[:4000]
