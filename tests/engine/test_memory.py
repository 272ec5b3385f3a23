"""Pauses of Python's cyclic garbage collector (engine.memory): nested, across threads, and restoring the
automatic collector exactly as it was."""

import gc
import threading

import pytest

from desktopnn.engine.memory import collection_paused, is_collection_paused


@pytest.fixture
def automatic_gc():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_pause_restores_the_collector_as_it_was(automatic_gc, enabled):
    (gc.enable if enabled else gc.disable)()
    with collection_paused():
        assert not gc.isenabled() and is_collection_paused()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled() and is_collection_paused()     # the outer pause still holds
    assert gc.isenabled() == enabled and not is_collection_paused()


def test_pauses_that_end_out_of_order_on_two_threads_still_restore_it(automatic_gc):
    gc.enable()
    inside, release = threading.Event(), threading.Event()

    def other():
        with collection_paused():
            inside.set()
            release.wait(5)

    with collection_paused():
        t = threading.Thread(target=other)
        t.start()
        assert inside.wait(5)
    assert not gc.isenabled() and is_collection_paused()        # the other thread's pause goes on
    release.set()
    t.join(5)
    assert gc.isenabled() and not is_collection_paused()
