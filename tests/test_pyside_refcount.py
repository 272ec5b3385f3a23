"""Guard against PySide6 builds that corrupt reference counts (DESIGN: 6.12.0 on Python 3.11 drops a
reference on None/True with every void call or emit, and the app dies with none_dealloc)."""

import sys

from PySide6.QtCore import QObject, Signal


class Pinger(QObject):
    pinged = Signal(int)


def test_emit_and_void_calls_keep_none_and_true_refcounts(qapp):
    obj = Pinger()
    received = []
    obj.pinged.connect(received.append)
    n = 5000
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(n):
        obj.pinged.emit(i)          # a signal emission
        obj.setObjectName("p")      # a void C++ call
        obj.blockSignals(False)     # returns a bool
    obj.blockSignals(True)
    trues = sum(1 for _ in range(n) if obj.signalsBlocked() is True)  # True returned n times, not kept
    none_after, true_after = sys.getrefcount(None), sys.getrefcount(True)
    assert len(received) == n and trues == n
    # a leaking build is off by thousands; allow a little slack for unrelated interpreter activity
    assert abs(none_after - none_before) < 100, (none_before, none_after)
    assert abs(true_after - true_before) < 100, (true_before, true_after)
