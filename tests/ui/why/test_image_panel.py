"""One picture of the Why-convolution tab: the rings and the trail sit where they are told."""

from __future__ import annotations

import numpy as np

from desktopnn.ui.theme import make_theme
from desktopnn.ui.why.image_panel import ImagePanel


def test_display_marks_now_and_before(qtbot):
    panel = ImagePanel("Input")
    qtbot.addWidget(panel)
    panel.restyle(make_theme(False), None)
    panel.display(np.zeros((20, 30)), (0.0, 1.0), now=(12.5, 4.5), before=(2.5, 1.5))
    assert [list(a) for a in panel.marker.getData()] == [[12.5], [4.5]]
    assert [list(a) for a in panel.ghost.getData()] == [[2.5], [1.5]]
    xs, ys = panel.trail.getData()
    assert list(xs) == [2.5, 12.5] and list(ys) == [1.5, 4.5]
    assert panel.frame.rect().width() == 30 and panel.frame.rect().height() == 20
