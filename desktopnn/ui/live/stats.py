"""Frames drawn, their latency from capture to pixels, and the read-out of both (part of the live tab).

A frame counts as drawn when Qt has finished painting its mosaic (the canvas says so); a tab that is
not on screen counts it when its pictures are set."""

from __future__ import annotations

import time


class FrameStatsMixin:
    """Counting and showing frames of :class:`~desktopnn.ui.live.tab.LiveTab`."""

    def _on_canvas_painted(self, paint_ms: float) -> None:
        """The mosaic's pixels are on screen: the frame set last counts as drawn, its latency measured."""
        if self._unpainted is not None:
            stamp, stages = self._unpainted
            self._unpainted = None
            self._count_drawn(stamp, {**stages, "paint_ms": paint_ms})

    def _count_drawn(self, stamp: float, stages: dict) -> None:
        now = time.perf_counter()
        latency = (now - stamp) * 1000
        self.stage_log.append(stages)
        self.latencies.append(latency)
        self._fps_times.append(now)
        self.frames_drawn += 1
        if self.frames_drawn == 1:
            self._on_fps_timer_timeout()            # replace "starting…" at once
        self.frame_drawn.emit(latency)

    def _on_fps_timer_timeout(self) -> None:
        times = self._fps_times
        now = time.perf_counter()
        while times and now - times[0] > 2.0:
            times.popleft()
        window = min(2.0, now - self._active_since) if self._active_since else 2.0
        measured = window >= 0.5 or self.frozen
        fps = len(times) / window if measured and not self.frozen else 0.0   # frames drawn per second
        lat = sorted(self.latencies)
        unit = "frame" if f"{fps:.0f}" == "1" else "frames"
        text = f"{fps:.0f} {unit} per second" if measured else "measuring frames per second…"
        if lat:
            text += f"\nlatency {lat[len(lat) // 2]:.0f} ms (p95 {lat[min(len(lat) - 1, int(len(lat) * 0.95))]:.0f})"
        if self.result is not None:
            text += f"\ncompute {self.result.compute_ms:.0f} ms\n{self.input.current.name}"
        self.stats.setText(text)
        if measured:
            self.fps_changed.emit(fps)
