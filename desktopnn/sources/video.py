"""A video file (MP4, WebM, AVI, …) as a looping source: QMediaPlayer → QVideoSink → numpy frames.

Decoding happens in Qt's media backend; a file that cannot be played reports ``failed`` with the
reason instead of raising.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl

from desktopnn.sources.base import FrameSource, video_frame_to_numpy

VIDEO_FILTER = "Videos (*.mp4 *.m4v *.mov *.webm *.mkv *.avi *.ogv);;All files (*)"
START_TIMEOUT_S = 8.0


class VideoFileSource(FrameSource):
    """Plays ``path`` over and over, silently."""

    def __init__(self, path, parent: QObject | None = None, start_timeout_s: float = START_TIMEOUT_S):
        super().__init__(parent)
        self.path = Path(path)
        self._player = None
        self._sink = None
        self._got_frame = False
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(round(start_timeout_s * 1000))
        self._start_timer.timeout.connect(self._on_start_timer_timeout)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"Video: {self.path.name}"

    def start(self) -> None:
        if self._running:
            return
        if not self.path.is_file():
            self._fail(f"{self.path.name}: no such video file.")
            return
        from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

        self._player = QMediaPlayer(self)
        self._sink = QVideoSink(self)
        self._player.setVideoOutput(self._sink)
        self._player.setLoops(QMediaPlayer.Loops.Infinite)
        self._player.errorOccurred.connect(self._on_player_error)
        self._player.mediaStatusChanged.connect(self._on_player_status_changed)
        self._sink.videoFrameChanged.connect(self._on_sink_frame_changed)
        self._got_frame = False
        self._set_running(True)
        self._start_timer.start()
        self._player.setSource(QUrl.fromLocalFile(str(self.path.resolve())))
        self._player.play()

    def stop(self) -> None:
        self._start_timer.stop()
        player, sink = self._player, self._sink
        self._player = self._sink = None
        if sink is not None:
            sink.videoFrameChanged.disconnect(self._on_sink_frame_changed)
        if player is not None:
            player.errorOccurred.disconnect(self._on_player_error)
            player.mediaStatusChanged.disconnect(self._on_player_status_changed)
            player.stop()
            player.deleteLater()
        if sink is not None:
            sink.deleteLater()
        self._set_running(False)

    def _on_sink_frame_changed(self, frame) -> None:
        if not self._running:
            return
        arr = video_frame_to_numpy(frame)
        if arr is not None:
            self._got_frame = True
            self._start_timer.stop()
            self._emit_frame(arr)

    def _on_player_error(self, _error, text: str) -> None:
        if self._running:
            self._fail(f"{self.path.name} could not be played: {text or 'unknown error'}. "
                       "Try an MP4 (H.264) or WebM file.")

    def _on_player_status_changed(self, status) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if self._running and status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._fail(f"{self.path.name} is not a video this app can play (damaged or an unknown format). "
                       "Try an MP4 (H.264) or WebM file.")

    def _on_start_timer_timeout(self) -> None:
        if self._running and not self._got_frame:
            self._fail(f"{self.path.name} showed no picture within {self._start_timer.interval() / 1000:.0f} s; "
                       "it may hold only sound or use a format this system cannot decode.")
