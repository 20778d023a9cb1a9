"""The embedded model's queue: turns in arrival order, and cancelled waiters leave without a turn."""

from __future__ import annotations

import threading

from mgtui.providers.local_llama import FifoLock


def _queued(lock: FifoLock, n: int) -> None:
    """Wait until `n` threads are queued (arrival order must be fixed before the test goes on)."""
    done = threading.Event()
    while len(lock._queue) < n:
        done.wait(0.005)


def test_turns_follow_arrival_order_and_skip_cancelled_waiters() -> None:
    lock = FifoLock()
    assert lock.acquire()
    order: list[str] = []
    flags = {name: threading.Event() for name in ("first", "second", "third", "fourth")}

    def worker(name: str) -> None:
        if lock.acquire(flags[name]):
            order.append(name)
            lock.release()
        else:
            order.append(f"{name} cancelled")

    threads = []
    for i, name in enumerate(flags, start=1):
        threads.append(threading.Thread(target=worker, args=(name,)))
        threads[-1].start()
        _queued(lock, i)
    flags["second"].set()
    threads[1].join()  # leaves the queue while the lock is still held
    lock.release()
    for thread in threads:
        thread.join()
    assert order == ["second cancelled", "first", "third", "fourth"]


def test_acquire_gives_up_after_its_timeout() -> None:
    lock = FifoLock()
    assert lock.acquire()
    assert not lock.acquire(timeout=0.01)
    assert len(lock._queue) == 0
    lock.release()
    assert lock.acquire(timeout=0.01)
