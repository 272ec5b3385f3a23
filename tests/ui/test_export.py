"""File ▸ Export: a view at projector scale as PNG, its animation as GIF/MP4, cancel, and closing mid-export."""

import os
import sys

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication, QPushButton

from desktopnn import workers
from desktopnn.app import build_window, dispose, make_app
from desktopnn.ui import export as export_mod
from desktopnn.ui.export import MP4_MISSING, gif_plan

sys.path.insert(0, os.path.dirname(__file__))     # pytest runs with --import-mode=importlib
from lesson_fakes import FakeTab, add_fake_tab  # noqa: E402


@pytest.fixture
def window(make_window):
    return make_window(1100, 700)


@pytest.fixture
def fake(window):
    tab = FakeTab(window.ctx, tall=400)
    add_fake_tab(window, tab)
    return tab


def _files(folder):
    return sorted(os.listdir(folder))


def test_png_is_1920x1080_and_the_window_is_left_as_it_was(qtbot, window, fake, tmp_path):
    menu = window.presenter.export_menu
    size, theme, sheet = window.size(), window.ctx.theme, QApplication.instance().styleSheet()
    holder = window._holders[window.tabs.currentIndex()]
    tab_size = fake.size()
    path = tmp_path / "view.png"
    assert menu.export_png(str(path))
    qtbot.waitUntil(lambda: path.exists(), timeout=10000)
    assert menu.runner.wait_idle(5)
    with Image.open(path) as im:
        assert im.size == (1920, 1080)
        rgb = np.asarray(im.convert("RGB"))
    assert tuple(rgb[-1, -1]) == (0, 0, 0)            # the presentation theme's black background
    assert fake.themes_applied[-2].presentation and not fake.themes_applied[-1].presentation
    assert window.size() == size and window.ctx.theme == theme
    assert QApplication.instance().styleSheet() == sheet
    assert fake.styleSheet() == "" and holder.widgetResizable() and fake.size() == tab_size
    assert _files(tmp_path) == ["view.png"]


def test_png_of_a_real_view_in_presentation_mode(qtbot, window, tmp_path):
    window.ctx.themes.set_presentation(True)
    window.select_tab("animator")
    tab = window.current_tab()
    before = (window.size(), tab.size(), window.ctx.theme)
    path = tmp_path / "animator.png"
    assert window.presenter.export_menu.export_png(str(path))
    qtbot.waitUntil(lambda: path.exists(), timeout=10000)
    with Image.open(path) as im:
        assert im.size == (1920, 1080)
    assert (window.size(), tab.size(), window.ctx.theme) == before


def test_gif_has_every_frame_at_projector_size(qtbot, window, fake, tmp_path):
    fake.show_frame(2)
    path = tmp_path / "anim.gif"
    job = window.presenter.export_menu.export_animation("gif", str(path))
    assert job is not None
    with qtbot.waitSignal(job.done, timeout=60000) as done:
        pass
    assert done.args[0].startswith("Saved 5 frames (1920×1080)")
    with Image.open(path) as im:
        assert im.n_frames == 5 and im.size == (1920, 1080)
        frames = []
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGB")))
    assert all(not np.array_equal(frames[i], frames[i + 1]) for i in range(4))
    assert fake.current_frame() == 2 and fake.styleSheet() == ""
    assert _files(tmp_path) == ["anim.gif"]


def test_cancel_leaves_no_file(qtbot, window, fake, tmp_path):
    fake.frames = 40
    path = tmp_path / "cancelled.gif"
    menu = window.presenter.export_menu
    job = menu.export_animation("gif", str(path))
    qtbot.waitUntil(lambda: job.next >= 2, timeout=20000)
    job.progress.findChild(QPushButton).click()        # the dialog's Cancel button
    assert not job.running and fake.styleSheet() == ""
    assert menu._anim_runner.wait_idle(10)
    assert _files(tmp_path) == []
    assert "cancelled" in window.statusBar().currentMessage()


class FakeWriter:
    def __init__(self, path, fps):
        self.path, self.fps, self.frames = path, fps, []

    def append_data(self, rgb):
        self.frames.append(rgb.shape)

    def close(self):
        with open(self.path, "wb") as f:
            f.write(b"fake mp4")
        FakeWriter.last = self


def test_mp4_with_a_stand_in_writer(qtbot, window, fake, tmp_path):
    path = tmp_path / "anim.mp4"
    job = window.presenter.export_menu.export_animation("mp4", str(path), writer_factory=FakeWriter)
    with qtbot.waitSignal(job.done, timeout=60000):
        pass
    assert path.read_bytes() == b"fake mp4"
    assert set(FakeWriter.last.frames) == {(1080, 1920, 3)} and len(FakeWriter.last.frames) >= 5
    assert _files(tmp_path) == ["anim.mp4"]


def test_mp4_with_the_real_encoder_has_every_frame(qtbot, window, fake, tmp_path):
    """imageio-ffmpeg is in the test extra, so the real MP4 path runs (CI included)."""
    import imageio.v3 as iio

    path = tmp_path / "anim.mp4"
    job = window.presenter.export_menu.export_animation("mp4", str(path))
    assert job is not None
    with qtbot.waitSignal(job.done, timeout=120000):
        pass
    frames = list(iio.imiter(path, plugin="FFMPEG"))
    assert frames and frames[0].shape == (1080, 1920, 3)
    # the animation moved: the fake tab fills each frame with another colour, far beyond codec noise
    first, last = (np.asarray(f, dtype=np.int16) for f in (frames[0], frames[-1]))
    assert np.abs(first - last).mean() > 5     # measured 13.9; codec noise stays well under 1
    assert _files(tmp_path) == ["anim.mp4"]


def test_mp4_without_an_encoder_says_how_to_get_one(qtbot, window, fake, tmp_path, monkeypatch):
    from desktopnn.ui.presenter import menus

    monkeypatch.setattr(menus, "mp4_encoder", lambda: None)
    monkeypatch.setattr(export_mod, "mp4_encoder", lambda: None)
    shown = []
    monkeypatch.setattr(menus.QMessageBox, "information", lambda *a: shown.append(a[2]))
    window.presenter.export_menu.export_animation_dialog("mp4")
    assert shown == [MP4_MISSING] and "imageio-ffmpeg" in window.statusBar().currentMessage()
    assert window.presenter.export_menu.export_animation("mp4", str(tmp_path / "x.mp4")) is None
    assert _files(tmp_path) == []
    window.presenter.export_menu.refresh()
    assert "imageio-ffmpeg" in window.presenter.export_menu.act_mp4.toolTip()


def test_animation_items_disabled_without_frames(window):
    still = FakeTab(window.ctx, frames=0)
    add_fake_tab(window, still)
    menu = window.presenter.export_menu
    menu.menu.aboutToShow.emit()
    assert not menu.act_gif.isEnabled() and not menu.act_mp4.isEnabled()
    assert "no animation" in menu.act_gif.toolTip()
    assert menu.act_png.isEnabled()
    assert window.act_shot in menu.menu.actions()          # the window-size screenshot lives here too


def test_gif_plan_scales_down_long_animations():
    indices, size = gif_plan(5)
    assert indices == [0, 1, 2, 3, 4] and size == (1920, 1080)
    indices, size = gif_plan(5000)
    assert len(indices) == 600 and indices[0] == 0 and indices[-1] == 4999
    assert len(indices) * size[0] * size[1] <= export_mod.GIF_BUDGET_BYTES


def test_closing_the_window_mid_export_stops_cleanly(qtbot, tmp_path):
    app = make_app()
    w = build_window(app, demo=True, screen_height=1080)
    w.show()
    tab = FakeTab(w.ctx, frames=60, tall=400)
    add_fake_tab(w, tab)
    job = w.presenter.export_menu.export_animation("gif", str(tmp_path / "closed.gif"))
    qtbot.waitUntil(lambda: job.next >= 1, timeout=20000)
    w.close()
    dispose(app, w)
    qtbot.wait(300)
    assert not [t for t in workers.live_runner_threads() if "export" in t.name]
    assert _files(tmp_path) == []
