"""The UI process's garbage-collector policy (process-wide settings: restored after each test)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from mgtui.tui import gc_policy


@pytest.fixture(autouse=True)
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_start_up_objects_are_frozen_and_full_passes_rarer() -> None:
    gc_policy.freeze_startup_objects()
    assert gc.get_freeze_count() > 0  # what existed at start-up is out of the collector's way
    assert gc.get_threshold()[2] == gc_policy.FULL_EVERY


def test_the_deferred_pass_collects_cycles_only_when_idle() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector can free it

    gc.collect()
    Node()
    gc_policy.collect_if(False)
    assert any(type(o) is Node for o in gc.get_objects())
    gc_policy.collect_if(True)
    assert not any(type(o) is Node for o in gc.get_objects())
