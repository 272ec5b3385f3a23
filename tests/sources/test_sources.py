"""Frame sources: the demo pictures, a missing camera, a bad video file, and falling back to the demo."""

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QImage

from desktopnn.sources import DemoSource, FrameSource, LiveInput, qimage_to_numpy
from desktopnn.sources.camera import CameraSource, cameras, permission_message
from desktopnn.sources.video import VideoFileSource


class FlakySource(FrameSource):
    """Sends a few frames, then stops working the way an unplugged camera does."""

    name = "Flaky camera"

    def __init__(self, frames_before_failing=3):
        super().__init__()
        self.left = frames_before_failing
        self.timer = QTimer(self)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self):
        self.timer.start()
        self._set_running(True)

    def stop(self):
        self.timer.stop()
        self._set_running(False)

    def _tick(self):
        if self.left == 0:
            self._fail("Flaky camera stopped sending pictures.")
            return
        self.left -= 1
        self._emit_frame(np.full((30, 40, 3), 7, np.uint8))


def test_demo_frames_are_deterministic_and_move(qapp):
    a, b = DemoSource(seed=1, size=(160, 120)), DemoSource(seed=1, size=(160, 120))
    f0 = a.render(0)
    assert f0.shape == (120, 160, 3) and f0.dtype == np.uint8 and f0.flags.c_contiguous
    np.testing.assert_array_equal(f0, b.render(0))
    assert not np.array_equal(f0, a.render(15))                 # pans, zooms, the ball moves
    assert not np.array_equal(f0, DemoSource(seed=2, size=(160, 120)).render(0))
    assert f0.std() > 20                                        # a real picture, not a flat colour
    a.set_size((64, 48))
    assert a.render(3).shape == (48, 64, 3)
    assert a.subject(0) != a.subject(90 * 1) or a.subject(0) != a.subject(90 * 2)


def test_demo_source_streams_at_its_rate(qtbot):
    src = DemoSource(size=(80, 60))
    frames = []
    src.frame_ready.connect(frames.append)
    src.start()
    assert src.running
    qtbot.waitUntil(lambda: len(frames) >= 4, timeout=5000)
    src.stop()
    n = len(frames)
    qtbot.wait(120)
    assert len(frames) == n and not src.running                # stop means stop
    np.testing.assert_array_equal(frames[0], src.render(0))     # frame i is render(i)


def test_qimage_to_numpy_handles_padded_rows(qapp):
    img = QImage(3, 2, QImage.Format.Format_RGB888)             # 9 bytes a row, padded to 12
    img.fill(QColor(10, 20, 30))
    img.setPixelColor(2, 1, QColor(200, 100, 50))
    arr = qimage_to_numpy(img)
    assert arr.shape == (2, 3, 3)
    assert tuple(arr[0, 0]) == (10, 20, 30) and tuple(arr[1, 2]) == (200, 100, 50)


def test_missing_camera_gives_the_demo_and_a_notice(qtbot):
    assert cameras() == []                                      # no camera on this machine
    live = LiveInput()
    notices, frames = [], []
    live.notice.connect(notices.append)
    live.frame_ready.connect(frames.append)
    live.start_default(demo_only=False)
    live.start()
    assert live.on_demo()
    assert any("No camera found" in n for n in notices)
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=5000)
    live.shutdown()


def test_camera_source_without_a_camera_fails_with_a_message(qtbot):
    cam = CameraSource()
    with qtbot.waitSignal(cam.failed, timeout=2000) as blocker:
        cam.start()
    assert "No camera found" in blocker.args[0]
    assert not cam.running


def test_permission_message_says_how_to_grant_it():
    text = permission_message()
    assert "refused" in text and ("Settings" in text or "video" in text)


def test_source_failing_mid_stream_falls_back_to_the_demo(qtbot):
    live = LiveInput(DemoSource(size=(80, 60)))
    notices, frames = [], []
    live.notice.connect(notices.append)
    live.frame_ready.connect(frames.append)
    flaky = FlakySource()
    live.use(flaky)
    live.start()
    qtbot.waitUntil(lambda: bool(notices), timeout=5000)        # no exception, a notice instead
    assert notices == ["Flaky camera stopped sending pictures."]
    assert live.on_demo() and live.demo.running and not flaky.running
    qtbot.waitUntil(lambda: any(f.shape == (60, 80, 3) for f in frames), timeout=5000)
    assert sum(f.shape == (30, 40, 3) for f in frames) == 3
    live.shutdown()
    assert not live.demo.running


@pytest.mark.parametrize("content", [None, b"this is not a video" * 100])
def test_bad_video_file_is_a_clear_message(qtbot, tmp_path, content):
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    src = VideoFileSource(path, start_timeout_s=5)
    with qtbot.waitSignal(src.failed, timeout=8000) as blocker:
        src.start()
    msg = blocker.args[0]
    assert msg.startswith("clip.mp4")
    assert ("no such video file" in msg) if content is None else ("could not be played" in msg or "not a video" in msg)
    assert not src.running


def test_bad_video_falls_back_to_demo_through_live_input(qtbot, tmp_path):
    live = LiveInput(DemoSource(size=(80, 60)))
    notices = []
    live.notice.connect(notices.append)
    live.start()
    live.use_video(tmp_path / "missing.webm")
    qtbot.waitUntil(lambda: bool(notices), timeout=3000)
    assert "no such video file" in notices[0] and live.on_demo() and live.demo.running
    live.shutdown()


def write_clip(qtbot, path, frames=20, fps=10):
    """A tiny Motion-JPEG clip written by Qt's own recorder (no ffmpeg binary needed)."""
    from PySide6.QtCore import QSize, QUrl
    from PySide6.QtMultimedia import QMediaCaptureSession, QMediaFormat, QMediaRecorder, QVideoFrame, QVideoFrameInput

    fmt = QMediaFormat(QMediaFormat.FileFormat.Matroska)
    fmt.setVideoCodec(QMediaFormat.VideoCodec.MotionJPEG)
    session, inp, rec = QMediaCaptureSession(), QVideoFrameInput(), QMediaRecorder()
    session.setVideoFrameInput(inp)
    session.setRecorder(rec)
    rec.setMediaFormat(fmt)
    rec.setOutputLocation(QUrl.fromLocalFile(str(path)))
    rec.setVideoResolution(QSize(64, 48))
    rec.setVideoFrameRate(fps)
    sent = [0]

    def send():
        if sent[0] >= frames:
            rec.stop()
            return
        img = QImage(64, 48, QImage.Format.Format_RGB32)
        img.fill(QColor(sent[0] * 12, 100, 200))
        frame = QVideoFrame(img)
        frame.setStartTime(sent[0] * 1_000_000 // fps)
        frame.setEndTime((sent[0] + 1) * 1_000_000 // fps)
        if inp.sendVideoFrame(frame):
            sent[0] += 1

    inp.readyToSendVideoFrame.connect(send)
    rec.record()
    QTimer.singleShot(50, send)
    qtbot.waitUntil(lambda: sent[0] >= frames and rec.recorderState() == QMediaRecorder.RecorderState.StoppedState,
                    timeout=15000)
    assert path.stat().st_size > 0


def test_video_file_plays_and_loops(qtbot, tmp_path):
    path = tmp_path / "clip.mkv"
    write_clip(qtbot, path)                                   # 20 frames, 2 seconds
    src = VideoFileSource(path)
    frames, failures = [], []
    src.frame_ready.connect(frames.append)
    src.failed.connect(failures.append)
    src.start()
    assert src.name == "Video: clip.mkv"
    qtbot.waitUntil(lambda: len(frames) > 24, timeout=10000)  # more frames than the clip has: it looped
    src.stop()
    assert failures == [] and not src.running
    assert frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    reds = [int(f[24, 32, 0]) for f in frames]
    assert max(reds) - min(reds) > 100                        # the picture changes through the clip
