"""Every control of the CNN lesson tabs has a tooltip and can take the keyboard focus (issue 9)."""

from __future__ import annotations

import pytest
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit,
                               QListWidget, QPlainTextEdit, QScrollBar, QTabBar)

from desktopnn.ui.grid import NumberGrid

CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QAbstractSlider, QLineEdit, QListWidget, QPlainTextEdit,
            NumberGrid, pg.GraphicsView)


def _inside(w, types) -> bool:
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, types):
            return True
        p = p.parentWidget()
    return False


@pytest.mark.parametrize("module, cls", [("desktopnn.ui.convolution", "ConvLabTab"), ("desktopnn.ui.exercise", "ExerciseTab"),
                                         ("desktopnn.ui.why", "WhyConvTab"), ("desktopnn.ui.animator", "AnimatorTab"),
                                         ("desktopnn.ui.tensors", "TensorsTab")])
def test_controls_have_tooltips_and_take_focus(qtbot, app_ctx, module, cls):
    import importlib

    tab = getattr(importlib.import_module(module), cls)(app_ctx)
    tab.resize(1600, 900)
    tab.show()
    tab.wait_idle(60)
    QCoreApplication.processEvents()
    missing = []
    from PySide6.QtWidgets import QWidget

    for w in tab.findChildren(QWidget):
        if not isinstance(w, CONTROLS):
            continue
        if isinstance(w, QScrollBar) or _inside(w, (QAbstractSpinBox, QTabBar, QComboBox)) \
                or w.objectName().startswith("qt_"):
            continue
        if not w.toolTip().strip() or w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            missing.append(f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', lambda: '')()!r}")
    tab.shutdown()
    tab.close()
    tab.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not missing, missing
