"""The camera's frame conversion in every pixel format QtMultimedia may hand over (issue 16).

A short generated clip (colour bars that move from frame to frame) is encoded into each pixel format
the way a webcam driver delivers it (YUV as BT.601 video range, rows padded to Qt's alignment), fed
through a QMediaCaptureSession into a QVideoSink, as a camera's frames are, and every frame the sink
hands over goes through ``video_frame_to_numpy``: the colours must come back.
"""

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtMultimedia import QMediaCaptureSession, QVideoFrame, QVideoFrameFormat, QVideoFrameInput, QVideoSink

from desktopnn.sources.base import video_frame_to_numpy

W, H, FRAMES = 58, 46, 12       # 58 is no multiple of Qt's row alignment: every row comes padded
BARS = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0], [255, 255, 0], [0, 255, 255],
                 [128, 128, 128], [200, 30, 90], [20, 160, 220]], np.uint8)
YUV = ("Format_NV12", "Format_NV21", "Format_YUYV", "Format_UYVY", "Format_YUV420P")
RGB32 = {"Format_BGRA8888": "BGRA", "Format_BGRX8888": "BGRX", "Format_RGBA8888": "RGBA", "Format_RGBX8888": "RGBX",
         "Format_ARGB8888": "ARGB", "Format_XRGB8888": "XRGB", "Format_ABGR8888": "ABGR", "Format_XBGR8888": "XBGR"}


def clip_frame(i: int) -> np.ndarray:
    """Frame ``i``: bars 6 pixels wide, moved 2 pixels a frame (even: chroma pairs never straddle a bar)."""
    cols = (np.arange(W) + 2 * i) // 6 % len(BARS)
    return np.ascontiguousarray(np.broadcast_to(BARS[cols], (H, W, 3)))


def bt601(rgb: np.ndarray):
    r, g, b = (rgb[..., k].astype(np.float64) for k in range(3))
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    return [np.clip(np.rint(c), 0, 255).astype(np.uint8) for c in (y, u, v)]


def _plane(frame, i: int, rows: int) -> np.ndarray:
    return np.frombuffer(frame.bits(i), np.uint8).reshape(-1, frame.bytesPerLine(i))[:rows]


def _write_yuv(frame, name: str, rgb: np.ndarray) -> None:
    y, u, v = bt601(rgb)
    _plane(frame, 0, H)[:, :W] = y if name not in ("Format_YUYV", "Format_UYVY") else 0
    u2, v2 = u[::2, ::2], v[::2, ::2]
    if name in ("Format_NV12", "Format_NV21"):
        pair = (u2, v2) if name == "Format_NV12" else (v2, u2)
        _plane(frame, 1, H // 2)[:, :W] = np.stack(pair, -1).reshape(H // 2, W)
    elif name == "Format_YUV420P":
        _plane(frame, 1, H // 2)[:, :W // 2] = u2
        _plane(frame, 2, H // 2)[:, :W // 2] = v2
    else:                           # 4:2:2 packed, two pixels in four bytes
        order = (y[:, 0::2], u[:, 0::2], y[:, 1::2], v[:, 0::2])
        if name == "Format_UYVY":
            order = (order[1], order[0], order[3], order[2])
        _plane(frame, 0, H)[:, :2 * W] = np.stack(order, -1).reshape(H, 2 * W)


def encode(rgb: np.ndarray, name: str, alpha: int = 255) -> QVideoFrame:
    """``rgb`` as a QVideoFrame in pixel format ``name``, laid out as a driver fills it."""
    fmt = QVideoFrameFormat(QSize(W, H), getattr(QVideoFrameFormat.PixelFormat, name))
    fmt.setColorSpace(QVideoFrameFormat.ColorSpace.ColorSpace_BT601)
    fmt.setColorRange(QVideoFrameFormat.ColorRange.ColorRange_Video)
    frame = QVideoFrame(fmt)
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    if name in YUV:
        _write_yuv(frame, name, rgb)
    else:
        px = np.empty((H, W, 4), np.uint8)
        for k, ch in enumerate(RGB32[name]):
            px[..., k] = rgb[..., "RGB".index(ch)] if ch in "RGB" else alpha
        _plane(frame, 0, H)[:, :4 * W] = px.reshape(H, 4 * W)
    frame.unmap()
    return frame


@pytest.mark.parametrize("name", YUV + tuple(RGB32))
def test_a_clip_in_every_pixel_format_keeps_its_colours(qtbot, name):
    session, feed, sink = QMediaCaptureSession(), QVideoFrameInput(), QVideoSink()
    session.setVideoFrameInput(feed)
    session.setVideoSink(sink)
    got = []
    sink.videoFrameChanged.connect(lambda f: got.append((f.pixelFormat().name, video_frame_to_numpy(f))))
    for i in range(FRAMES):
        assert feed.sendVideoFrame(encode(clip_frame(i), name))
        qtbot.waitUntil(lambda: len(got) == i + 1, timeout=2000)
    tolerance = 2 if name in YUV else 0           # YUV: rounding in the conversion and back
    for i, (fmt, arr) in enumerate(got):
        assert fmt == name                        # handed over as sent, not converted on the way
        assert arr.shape == (H, W, 3) and arr.dtype == np.uint8 and arr.flags.c_contiguous
        err = np.abs(arr.astype(int) - clip_frame(i).astype(int)).max()
        assert err <= tolerance, f"frame {i}: colours off by {err}"


@pytest.mark.parametrize("name", [n for n, order in RGB32.items() if "A" in order])
def test_an_alpha_byte_left_at_zero_does_not_blacken_the_picture(name):
    """Some drivers leave the fourth byte 0; Qt's own conversion (premultiplied) made such frames black."""
    rgb = clip_frame(0)
    np.testing.assert_array_equal(video_frame_to_numpy(encode(rgb, name, alpha=0)), rgb)


@pytest.mark.parametrize("name", YUV + tuple(RGB32))
def test_every_format_was_laid_out_with_padded_rows(name):
    """The clip exercises reading past each row's padding (58 pixels is no multiple of Qt's alignment)."""
    frame = encode(clip_frame(0), name)
    assert frame.map(QVideoFrame.MapMode.ReadOnly)
    width_bytes = {"Format_YUYV": 2 * W, "Format_UYVY": 2 * W}.get(name, W if name in YUV else 4 * W)
    assert frame.bytesPerLine(0) > width_bytes
    frame.unmap()


def test_an_empty_frame_is_none():
    assert video_frame_to_numpy(QVideoFrame()) is None and video_frame_to_numpy(None) is None
