"""What the animator's export worker runs: the MP4 writer gets every step."""

import imageio.v2 as iio
import numpy as np

from desktopnn.engine import pool_steps
from desktopnn.ui import media
from desktopnn.ui.animator import jobs
from desktopnn.ui.animator.frames import FrameSpec


def test_mp4_writer_gets_every_step(monkeypatch, app_ctx, tmp_path):
    """The MP4 path without an encoder installed: a stand-in writer receives the frames."""
    written, opened = [], {}

    class Writer:
        def append_data(self, frame):
            written.append(frame.shape)

        def close(self):
            opened["closed"] = True

    def get_writer(path, **kwargs):
        opened.update(kwargs, path=path)
        return Writer()

    monkeypatch.setattr(jobs, "mp4_encoder", lambda: "imageio-ffmpeg")
    monkeypatch.setattr(iio, "get_writer", get_writer)
    plan = pool_steps(np.arange(9).reshape(3, 3), 2, 1)
    spec = FrameSpec(plan=plan, theme=app_ctx.theme, title="t", formula=("a",), size=(640, 360))
    message = jobs.export_mp4(None, spec, str(tmp_path / "a.mp4"), fps=2.0)
    repeats = [max(1, round(d * 12 / 1000)) for d in media.frame_durations(5, 2.0)]
    assert len(written) == sum(repeats) == 18 + 6 + 6 + 6 + 18
    assert set(written) == {(360, 640, 3)} and opened["closed"] and opened["fps"] == 12.0
    assert "5 frames" in message
