"""The animator's frames (notes 2.5–2.7): painted on a QImage, as the exports write them."""

import numpy as np

from desktopnn.engine import pool_steps
from desktopnn.ui.animator.frames import FrameSpec, render_frame
from desktopnn.ui.media import qimage_to_rgb
from desktopnn.ui.animator.state import PRESETS


def test_rendered_frame_shows_the_window(app_ctx):
    tab_plan = PRESETS[0]
    plan = pool_steps(tab_plan.image, 2, 2)
    spec = FrameSpec(plan=plan, theme=app_ctx.theme, title="t", formula=("a", "b"), size=(640, 360))
    first, second = qimage_to_rgb(render_frame(spec, 1)), qimage_to_rgb(render_frame(spec, 2))
    assert first.shape == (360, 640, 3)
    accent = np.array([0xd5, 0x5e, 0x00])
    assert (np.abs(first.astype(int) - accent).sum(axis=2) < 30).any()  # the window's outline
    assert not np.array_equal(first, second)
