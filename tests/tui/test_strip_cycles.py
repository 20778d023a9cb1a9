"""Drawn lines must not become reference cycles (mgtui.tui.performance.strip_cycles), with unchanged results."""

from __future__ import annotations

import gc

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

import mgtui.tui.app  # noqa: F401 - installs the patch, as the app does
from mgtui.tui.performance import strip_cycles


def make_strip() -> Strip:
    return Strip([Segment("hello ", Style(bold=True)), Segment("world")], 11)


def test_results_are_what_textual_computes() -> None:
    strip = make_strip()
    assert strip.divide([11]) == [strip]
    assert [s.text for s in strip.divide([5, 11])] == [s.text for s in strip_cycles._divide(make_strip(), [5, 11])]
    assert [s.text for s in strip.divide([3, 20])] == [s.text for s in strip_cycles._divide(make_strip(), [3, 20])]
    assert strip.crop_extend(0, 11, None) is strip
    assert strip.crop_extend(0, 15, None).text == "hello world    "
    assert strip.crop_extend(6, 11, None).text == "world"


def test_an_undivided_line_is_freed_without_the_cycle_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        strip = Strip([Segment("unique-marker-text")], 18)
        strip.divide([18])  # what the compositor does with a line it does not cut
        strip.crop_extend(0, 18, None)
        del strip
        # Freed by reference counting alone (the collector is off): nothing references it.
        assert not [o for o in gc.get_objects() if type(o) is Strip and o.text == "unique-marker-text"]
    finally:
        gc.enable()
