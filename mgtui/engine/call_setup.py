"""LiteLLM's per-call set-up runs on one thread of its own, one call after another.

`litellm.acompletion` does its synchronous set-up (parameter mapping, logging object, request
building: 1-2 ms of CPU) through `loop.run_in_executor(None, ...)`. When a team of 16 starts
a phase at once, that put 16 set-ups on the default pool's threads together: they fought each
other and the event loop for the GIL, so no request left before nearly all were ready, and the
loop (reading the other agents' streams, starting the next runs) stalled behind them. On one
thread the set-ups queue: each request goes out as soon as its own set-up is done, while the
next is prepared, and the loop contends with one thread instead of six.

Only calls to providers whose set-up is pure CPU are routed here (a set-up that waits on the
network, e.g. fetching cloud credentials, would hold up the whole queue), and of each call only
its set-up: the first job it hands the executor. Everything after it - the OpenAI SDK's
platform probe (file reads), DNS lookups, even through a resolver shim that replaced
`socket.getaddrinfo` - goes to the pool the loop had before, so one slow lookup cannot hold
up the whole team's set-ups. `install` keeps a default executor someone else set on the loop
and hands it all other work.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

# OpenAI-format servers (OpenAI, vLLM, llama.cpp, LM Studio...): set-up maps parameters and
# builds the request, nothing else. Keyed by the model string's provider prefix.
CPU_ONLY_SETUP = frozenset({"openai", "hosted_vllm"})

THREAD_NAME = "mgtui-call-setup"


class _Claim:
    """One call's right to the set-up thread, used by its first job. Mutable, because tasks the
    call starts copy the context: a copy must see that the set-up has already gone."""

    __slots__ = ("used",)

    def __init__(self) -> None:
        self.used = False


_setting_up: contextvars.ContextVar[_Claim | None] = contextvars.ContextVar("mgtui_call_setup", default=None)
_LOOKUPS: tuple[Callable[..., Any], ...] = (socket.getaddrinfo, socket.getnameinfo)


class SetupExecutor(ThreadPoolExecutor):
    """The loop's default executor: model-call set-ups on one thread, all else as before."""

    def __init__(self, previous: ThreadPoolExecutor | None = None) -> None:
        super().__init__(thread_name_prefix="asyncio")  # what asyncio's own default would be
        self._previous = previous
        self._setup = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        claim = _setting_up.get()
        if claim is not None and not claim.used and fn not in _LOOKUPS and getattr(fn, "__name__", "") != "_getaddrinfo_debug":
            claim.used = True
            return self._setup.submit(fn, *args, **kwargs)
        if self._previous is not None:
            return self._previous.submit(fn, *args, **kwargs)
        return super().submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._setup.shutdown(wait, cancel_futures=cancel_futures)
        if self._previous is not None:
            self._previous.shutdown(wait, cancel_futures=cancel_futures)
        super().shutdown(wait, cancel_futures=cancel_futures)


def install(loop: asyncio.AbstractEventLoop) -> None:
    """Make the set-up queue this loop's default executor (once per loop)."""
    current = getattr(loop, "_default_executor", None)  # asyncio keeps no public getter
    if isinstance(current, SetupExecutor):
        return
    loop.set_default_executor(SetupExecutor(current if isinstance(current, ThreadPoolExecutor) else None))


def routed(model: str) -> bool:
    """Whether calls to `model` ("provider/name") have their set-up queued on the one thread."""
    provider, _, name = model.partition("/")
    return bool(name) and provider in CPU_ONLY_SETUP


@contextmanager
def queued_setup(model: str) -> Iterator[None]:
    """Around `await litellm.acompletion(...)`: its set-up goes to the one thread (if `routed`)."""
    if not routed(model):
        yield
        return
    install(asyncio.get_running_loop())
    token = _setting_up.set(_Claim())
    try:
        yield
    finally:
        _setting_up.reset(token)
