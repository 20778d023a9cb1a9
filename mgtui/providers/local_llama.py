"""The loaded GGUF model: one llama.cpp instance per file per process, used by one thread at a time.

llama.cpp contexts are not thread-safe and a 135M model saturates both cores anyway, so
agents take turns behind a lock, in arrival order (see FifoLock). Everything here blocks:
call it from worker threads.
"""

from __future__ import annotations

import atexit
import os
import random
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgtui.providers.local_weights import LocalModelUnavailable, import_llama_cpp, require_llama_cpp, resolve_gguf

N_CTX = 4096
THREADS_ENV = "MGTUI_LOCAL_THREADS"
MIN_ROOM = 32  # fewer free context tokens than this: the prompt is too long to answer
_CLOSE_WAIT_SECONDS = 10.0


def threads() -> int:
    """One thread per CPU core this process may use (MGTUI_LOCAL_THREADS overrides).

    All cores pay off only because the threads wait passively (see import_llama_cpp).
    """
    wanted = os.environ.get(THREADS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Sampling:
    max_tokens: int
    temperature: float = 0.7
    top_p: float = 0.95
    seed: int | None = None
    repeat_penalty: float = 1.1  # a 135M model loops without it


class FifoLock:
    """A lock granted in arrival order; a waiter whose request is cancelled leaves the queue.

    Why not threading.Lock: it is unfair. When the first agent has answered, its vote call
    could jump ahead of the other agents' first answers, and each of those answers then
    cancels it mid-generation. In arrival order the queued vote is dropped before it starts.
    """

    _POLL_SECONDS = 0.05  # how quickly a waiter notices its cancel flag

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        self._held = False

    def acquire(self, cancel: threading.Event | None = None, timeout: float | None = None) -> bool:
        ticket, deadline = object(), None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._queue.append(ticket)
            while self._held or self._queue[0] is not ticket:
                if (cancel is not None and cancel.is_set()) or (deadline is not None and time.monotonic() > deadline):
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    return False
                self._cond.wait(self._POLL_SECONDS)
            self._queue.popleft()
            self._held = True
            return True

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()


class LocalLlama:
    """A loaded model plus the lock that serializes generation on it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.llama = import_llama_cpp().Llama(
            model_path=str(path),
            n_ctx=N_CTX,
            n_threads=threads(),
            n_threads_batch=threads(),
            verbose=False,
        )
        self.lock = FifoLock()
        self.active: set[threading.Event] = set()  # cancel flags of running generations
        self.closed = False
        self._format = self._chat_formatter()

    def _chat_formatter(self) -> Any:
        """The GGUF's own chat template (SmolLM2: ChatML), else plain ChatML."""
        llama_chat_format = import_llama_cpp().llama_chat_format
        template = self.llama.metadata.get("tokenizer.chat_template")
        if not template:
            return llama_chat_format.format_chatml

        def text(token: int) -> str:
            return self.llama.detokenize([token], special=True).decode("utf-8", "ignore") if token >= 0 else ""

        return llama_chat_format.Jinja2ChatFormatter(
            template, eos_token=text(self.llama.token_eos()), bos_token=text(self.llama.token_bos())
        )

    def prompt_tokens(self, messages: list[dict[str, str]]) -> tuple[list[int], list[str]]:
        formatted = self._format(messages=messages)
        stop = formatted.stop if isinstance(formatted.stop, list) else [formatted.stop] if formatted.stop else []
        return self.llama.tokenize(formatted.prompt.encode("utf-8"), add_bos=True, special=True), stop

    def fit(self, messages: list[dict[str, str]], max_tokens: int) -> tuple[list[int], list[str], int]:
        """Tokens of the prompt, dropping the oldest history messages until it fits the context."""
        messages = list(messages)
        while True:
            tokens, stop = self.prompt_tokens(messages)
            room = N_CTX - len(tokens)
            first = 1 if messages and messages[0]["role"] == "system" else 0
            if room >= max_tokens or len(messages) - first <= 1:
                break
            del messages[first]  # oldest turn first; the system prompt and the last message stay
        if room < MIN_ROOM:
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit the local model's {N_CTX}-token context")
        return tokens, stop, min(max_tokens, room)

    def generate(
        self, messages: list[dict[str, str]], sampling: Sampling, grammar: Any, cancel: threading.Event
    ) -> Iterator[str | tuple[int, int]]:
        """Yield text deltas, then (prompt_tokens, completion_tokens). Stops early when `cancel` is set."""
        if not self.lock.acquire(cancel):
            return  # cancelled while queued: nothing generated, nothing to count
        try:
            if self.closed:
                raise LocalModelUnavailable("the local model was closed (the program is exiting)")
            self.active.add(cancel)
            tokens, stop, max_tokens = self.fit(messages, sampling.max_tokens)
            stream = self.llama.create_completion(
                prompt=tokens,
                max_tokens=max_tokens,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                repeat_penalty=sampling.repeat_penalty,
                # A shared instance remembers the last seed: always pass one, random unless asked.
                seed=sampling.seed if sampling.seed is not None else random.getrandbits(31),
                stop=stop,
                grammar=grammar,
                stream=True,
            )
            text = []
            for part in stream:
                if cancel.is_set():
                    stream.close()  # type: ignore[union-attr]
                    break
                delta = part["choices"][0]["text"]  # type: ignore[index]
                if delta:
                    text.append(delta)
                    yield delta
            generated = "".join(text).encode("utf-8")
            completion = len(self.llama.tokenize(generated, add_bos=False, special=True)) if generated else 0
        finally:
            self.active.discard(cancel)
            self.lock.release()
        yield (len(tokens), completion)

    def close(self) -> None:
        """Stop running generations, wait for the current token, then free the model."""
        for flag in list(self.active):
            flag.set()
        if self.lock.acquire(timeout=_CLOSE_WAIT_SECONDS):
            try:
                if not self.closed:
                    self.closed = True
                    self.llama.close()
            finally:
                self.lock.release()


_models: dict[Path, LocalLlama] = {}
_models_lock = threading.Lock()


def get_model(model: str) -> LocalLlama:
    """The process-wide instance for `local/<name>`, loaded on first use (~0.2 s for SmolLM2)."""
    require_llama_cpp()
    path = resolve_gguf(model)
    with _models_lock:
        if path not in _models:
            if not _models:
                atexit.register(close_all)  # free llama.cpp before interpreter teardown (no shutdown traceback)
            _models[path] = LocalLlama(path)
        return _models[path]


def close_all() -> None:
    with _models_lock:
        models = list(_models.values())
        _models.clear()
    for model in models:
        model.close()
