"""The Tensors tab under hostile typing (issue 16): whatever goes into the expression field, the tab shows
a result or one sentence, keeps what was on screen when it refuses, and nothing escapes to Qt's event
loop (pytest-qt fails the test on an exception raised in a slot or a paint)."""

import os
import sys
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from desktopnn.engine.tensors.expr import LIMITS
from desktopnn.ui.tensors import TensorsTab
from desktopnn.ui.tensors.canvas import MAX_DRAWN, TensorCanvas
from desktopnn.ui.tensors.layout import Block

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
from hostile_inputs import ESCAPED_BEFORE, bounded, expressions  # noqa: E402


@pytest.fixture
def tab(qtbot, app_ctx):
    t = TensorsTab(app_ctx)
    t.resize(1200, 800)
    t.show()
    qtbot.waitExposed(t)
    yield t
    t.shutdown()
    t.close()
    t.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def on_screen(tab) -> tuple:
    return (len(tab.store.history), dict(tab.store.bound), tab.current, tab.heading.text(), list(tab.canvas.blocks))


def run(tab, text: str) -> bool:
    """Type ``text`` as the expression and press Return; paint everything it changed."""
    before = on_screen(tab)
    tab.expr_edit.setText(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")        # libshiboken's overflow warnings (a QSize past 2^31) fail
        with bounded(seconds=3.0, megabytes=96):
            tab.expr_edit.returnPressed.emit()
            QApplication.processEvents()
            for page in (tab.canvas, tab.pages.currentWidget()):
                page.grab()
    ok = tab.error_label.text() == ""
    if not ok:
        assert on_screen(tab) == before, "a refused expression changed what is on screen"
        assert "\n" not in tab.error_label.text() and tab.error_label.isVisibleTo(tab)
    return ok


def test_any_expression_leaves_the_tab_working(tab):
    @settings(max_examples=80, deadline=None)
    @given(expressions())
    @example(ESCAPED_BEFORE[0]).via("issue 16")
    @example(ESCAPED_BEFORE[1]).via("issue 16")
    @example(ESCAPED_BEFORE[2]).via("issue 16")
    @example(ESCAPED_BEFORE[3]).via("issue 16")
    @example("reshape(t[0:0], [0, 100000000000])").via("issue 16: a canvas wider than 2^31 pixels")
    @example("range(10000)").via("the largest tensor")
    @example("reshape(range(10000), [10, 10, 10, 10])").via("the largest tensor, flowing")
    def prop(text):
        run(tab, text)

    prop()
    assert run(tab, "t[1, :, -1]")                  # and it still works


def test_the_limits_are_said_where_they_are_met(tab):
    assert LIMITS in tab.expr_edit.toolTip()
    assert not run(tab, ESCAPED_BEFORE[2])
    assert "a tensor here has at most 4" in tab.error_label.text()
    canvas = TensorCanvas()
    canvas.resize(600, 400)
    canvas.set_blocks([Block(np.arange(10000)), Block(np.zeros((0, 10000))), Block(np.arange(6).reshape(2, 3))])
    assert canvas.summary(0) == f"10000 elements: the Tensors tab draws at most {MAX_DRAWN} as grids"
    assert canvas.summary(1) == "an empty tensor: no elements to draw"
    assert canvas.summary(2) == "" and len(canvas.blocks[2].rects) == 6
    assert canvas.sizeHint().width() < 10000
    canvas.grab()
