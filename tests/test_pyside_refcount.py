"""Guard against PySide6 builds that corrupt reference counts.

DESIGN.md: PySide6 6.12.0 on Python 3.11 drops a reference on None/True with every void call or
``emit``, and the process dies with ``Fatal Python error: none_dealloc``. The check runs in a child
process so that a broken build fails this test with a clear message instead of killing the test run.
"""

import os
import subprocess
import sys

CHILD = r"""
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Pinger(QObject):
    pinged = Signal(int)

app = QCoreApplication([])
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
trues = sum(1 for _ in range(n) if obj.signalsBlocked() is True)
none_after, true_after = sys.getrefcount(None), sys.getrefcount(True)
print(len(received), trues, none_after - none_before, true_after - true_before)
"""


def test_emit_and_void_calls_keep_none_and_true_refcounts():
    import PySide6

    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, (
        f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} crashed in a loop of emit() and "
        f"void calls (exit {proc.returncode}); this build corrupts reference counts:\n{proc.stderr[-1500:]}")
    received, trues, none_drift, true_drift = map(int, proc.stdout.split())
    assert received == 5000 and trues == 5000
    # a leaking build is off by thousands; allow a little slack for unrelated interpreter activity
    assert abs(none_drift) < 100, f"None's reference count drifted by {none_drift}"
    assert abs(true_drift) < 100, f"True's reference count drifted by {true_drift}"
