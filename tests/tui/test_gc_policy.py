"""The UI process's garbage-collector policy (process-wide settings: restored after each test)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mgtui.tui.performance import gc_policy


@pytest.fixture(autouse=True)
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


def garbage_in_oldest_generation() -> None:
    """A cycle that became garbage after it was promoted: only a full pass can free it."""
    node = Node()
    gc.collect()
    del node


def make_due() -> None:
    """What streaming does over a few seconds: enough middle-generation passes for a full one."""
    for _ in range(gc_policy.FULL_EVERY):
        gc.collect(1)


def nodes_alive() -> int:
    return sum(type(o) is Node for o in gc.get_objects())


def test_start_up_objects_are_frozen_and_python_never_starts_a_full_pass() -> None:
    gc_policy.freeze_startup_objects()
    assert gc.get_freeze_count() > 0  # what existed at start-up is out of the collector's way
    assert gc.get_threshold()[2] == gc_policy.NEVER


def test_a_due_pass_waits_while_keys_are_pressed_and_runs_once_they_stop() -> None:
    now = [100.0]
    last_key = [100.0]
    passes = gc_policy.FullPasses(lambda: last_key[0], clock=lambda: now[0])
    garbage_in_oldest_generation()
    make_due()
    now[0] += gc_policy.KEY_IDLE_SECONDS / 2  # a key half a second ago
    assert passes.due() and not passes.check()
    assert nodes_alive() == 1
    now[0] += gc_policy.KEY_IDLE_SECONDS  # the keyboard went quiet
    assert passes.check()
    assert nodes_alive() == 0
    assert not passes.due() and not passes.check()  # nothing due right after a pass


def test_keys_that_never_stop_defer_a_pass_only_so_long() -> None:
    now = [100.0]
    passes = gc_policy.FullPasses(lambda: now[0], clock=lambda: now[0])  # a key at every check
    garbage_in_oldest_generation()
    make_due()
    now[0] += gc_policy.MAX_DEFER_SECONDS / 2
    assert not passes.check()
    now[0] += gc_policy.MAX_DEFER_SECONDS / 2
    assert passes.check()
    assert nodes_alive() == 0


def test_nothing_runs_before_it_is_due() -> None:
    passes = gc_policy.FullPasses(lambda: float("-inf"))
    garbage_in_oldest_generation()
    assert not passes.check()
    assert nodes_alive() == 1
    passes.collect()  # the pass after a turn runs whenever it is asked for
    assert nodes_alive() == 0
