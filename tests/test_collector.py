"""terminology.collector: the cyclic garbage collector paused while content is loaded, and as it was after."""

from __future__ import annotations

import gc

import pytest

from terminology.collector import collector_paused


def test_the_collector_is_paused_inside_and_runs_again_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_decorated_function_runs_with_the_collector_paused():
    @collector_paused()
    def enabled_inside() -> bool:
        return gc.isenabled()

    assert enabled_inside() is False and gc.isenabled()


def test_the_collector_runs_again_after_an_error():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("the load failed")
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
