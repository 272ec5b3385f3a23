"""Stride, padding and pooling in motion (notes 2.5 stride, 2.6 padding, 2.7 max pooling).

The engine precomputes the steps (:func:`desktopnn.engine.conv_steps` / ``pool_steps``); a QTimer
walks the index. Keys for a presenter's clicker: Space plays/pauses, Right/Page Down steps forward,
Left/Page Up steps back, Home/End jump to the start/end. Exports render frames off the UI thread.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSlider,
                               QVBoxLayout, QWidget)

from desktopnn.engine.convolution.steps import StepPlan
from desktopnn.ui.animator import scene
from desktopnn.ui.animator.controls import ControlsPanel
from desktopnn.ui.animator.frames import FrameSpec, export_size
from desktopnn.ui.animator.jobs import export_gif, export_mp4, export_png
from desktopnn.ui.animator.presenter import PresenterMixin
from desktopnn.ui.animator.stage import GridStage
from desktopnn.ui.animator.state import SPEEDS, AnimatorState, step_text
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.lesson_scene import predict_hint_label
from desktopnn.ui.media import MP4_MISSING, mp4_encoder
from desktopnn.ui.theme import Theme
from desktopnn.workers import LatestJobRunner

GENERAL_FORMULA = "output = floor((n + p_total − d·(k−1) − 1) / s) + 1"
EXPORT_FILTERS = {"gif": "Animated GIF (*.gif)", "mp4": "MP4 video (*.mp4)", "png": "PNG image (*.png)"}


class AnimatorTab(PresenterMixin, LessonTab):
    """Stride, padding and pooling, step by step on real numbers (notes 2.5–2.7)."""

    name = "animator"
    title = "Stride, padding & pooling"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.state = AnimatorState(self)
        self.plan: StepPlan | None = None
        self.error = ""
        self.position = 0
        self.channel = 0
        self._export_kind = ""
        self._predict = False
        self._revealed_at = -1       # the position whose value the class has seen (predict before reveal)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.runner = LatestJobRunner("animator-export", self)
        self.runner.finished.connect(self._on_export_finished)
        self.runner.failed.connect(self._on_export_failed)
        self.runner.progressed.connect(self._on_export_progressed)
        self._build()
        self.state.changed.connect(self._on_state_changed)
        ctx.bus.patch_for_animator.connect(self._on_patch_received)
        pending = getattr(ctx.bus, "pending_patch", None)
        if pending is not None:   # sent before this tab was built (tabs are built on first view)
            ctx.bus.pending_patch = None
            self._load_patch(*pending)
        self._on_state_changed()
        self.set_speed(1.0)
        self.apply_theme(ctx.theme)

    # ---- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        self.panel = ControlsPanel(self.state)
        self.panel.channel_changed.connect(self._on_channel_changed)
        self.panel.export_requested.connect(self._on_export_requested)
        self.panel.cancel_requested.connect(self.cancel_export)
        self.panel.notice.connect(self.notice)
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll = scroll
        outer.addWidget(scroll)
        stage = QVBoxLayout()
        outer.addLayout(stage, 1)
        self.heading = QLabel()
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.grids = GridStage()
        self.grids.input.value_edited.connect(self._on_input_edited)
        self.grids.input.edit_rejected.connect(lambda _r, _c, msg: self._say(msg))
        self.formula = QLabel()
        self.formula.setProperty("role", "mono")
        self.formula.setWordWrap(True)
        self.formula.setToolTip("n: input size, p_total: padding before + after, k: window size, "
                                "d: dilation, s: stride; worked out for rows and for columns")
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.step_heading = QLabel()
        self.arithmetic = QLabel()
        self.arithmetic.setProperty("role", "mono")
        self.arithmetic.setWordWrap(True)
        self.arithmetic.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.arithmetic.setToolTip("The arithmetic of the step on show")
        for w in (self.heading, self.source):
            stage.addWidget(w)
        stage.addWidget(self.grids, 1)
        self.predict_hint = predict_hint_label()
        # the step and its arithmetic come first: on a projector the hint below them may need scrolling
        for w in (self.formula, self.error_label, self.step_heading, self.arithmetic, self.predict_hint):
            stage.addWidget(w)
        stage.addLayout(self._build_transport())

    def _build_transport(self) -> QHBoxLayout:
        row = QHBoxLayout()
        def button(text, tip, slot):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            row.addWidget(b)
            return b

        self.start_btn = button("|◀ Start", "Back to the start (Home)", self.go_start)
        self.back_btn = button("◀ Back", "One step back (Left or Page Up)", self.step_back)
        self.play_btn = button("▶ Play", "Play or pause the animation (Space)", self.toggle_play)
        self.step_btn = button("Step ▶", "One step forward (Right or Page Down)",
                               self.step_forward)
        self.end_btn = button("End ▶|", "Jump to the finished output (End)", self.go_end)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setToolTip("Playing speed, in steps per second")
        self.speed.valueChanged.connect(lambda i: self.set_speed(SPEEDS[i]))
        self.speed_label = QLabel()
        row.addSpacing(12)
        row.addWidget(QLabel("Speed"))
        row.addWidget(self.speed, 1)
        row.addWidget(self.speed_label)
        self.position_label = QLabel()
        self.position_label.setToolTip("Steps done out of the total (one step per output cell)")
        row.addSpacing(12)
        row.addWidget(self.position_label)
        self._transport = [self.start_btn, self.back_btn, self.play_btn, self.step_btn, self.end_btn]
        keys = [("Space", self.toggle_play), ("Right", self.step_forward), ("PgDown", self.step_forward),
                ("Left", self.step_back), ("PgUp", self.step_back), ("Home", self.go_start), ("End", self.go_end)]
        self.shortcuts = []
        for key, slot in keys:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
            self.shortcuts.append(sc)
        return row

    # ---- animation -------------------------------------------------------------------------------
    @property
    def steps_total(self) -> int:
        return len(self.plan) if self.plan is not None else 0

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_position(self, position: int) -> None:
        self.position = max(0, min(int(position), self.steps_total))
        self._refresh()

    def step_forward(self) -> None:
        self.set_position(self.position + 1)

    def step_back(self) -> None:
        self.pause()
        self.set_position(self.position - 1)

    def go_start(self) -> None:
        self.pause()
        self.set_position(0)

    def go_end(self) -> None:
        self.pause()
        self.set_position(self.steps_total)

    def play(self) -> None:
        if not self.steps_total:
            return
        if self.position >= self.steps_total:
            self.set_position(0)
        self.timer.start()
        self._update_play_button()

    def pause(self) -> None:
        self.timer.stop()
        self._update_play_button()

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def set_speed(self, steps_per_second: float) -> None:
        self.speed_per_s = float(steps_per_second)
        self.timer.setInterval(max(20, round(1000 / self.speed_per_s)))
        nearest = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed_per_s))
        self.speed.blockSignals(True)
        self.speed.setValue(nearest)
        self.speed.blockSignals(False)
        self.speed_label.setText(f"{self.speed_per_s:g} step{'s' if self.speed_per_s != 1 else ''}/s")

    def _on_timer_timeout(self) -> None:
        if self.position >= self.steps_total:
            self.pause()
            return
        self.step_forward()
        if self.position >= self.steps_total:
            self.pause()

    def _update_play_button(self) -> None:
        self.play_btn.setText("‖ Pause" if self.playing else "▶ Play")

    # ---- state -> screen ---------------------------------------------------------------------------
    def _on_state_changed(self) -> None:
        old = self.steps_total
        try:
            self.plan, self.error = self.state.plan(), ""
        except ValueError as exc:
            self.plan, self.error = None, str(exc)
        if self.steps_total != old or self.plan is None:
            self.pause()
            self.position = 0
        self.channel = min(self.channel, self.state.image.shape[2] - 1)
        self._refresh()

    def set_channel(self, channel: int) -> None:
        """Show ``channel`` of the input on the grids and in the side panel's channel list."""
        self.panel.show_channel.setCurrentIndex(channel)
        self.channel = channel

    def _on_channel_changed(self, channel: int) -> None:
        self.channel = channel
        self._refresh()

    def _refresh(self) -> None:
        st, plan = self.state, self.plan
        self.heading.setText(st.summary() + (f": {st.image.shape[0]}×{st.image.shape[1]} → "
                                             f"{plan.out_shape[0]}×{plan.out_shape[1]}" if plan else ""))
        self.source.setText(st.source)
        self.source.setVisible(bool(st.source))
        self.formula.setText("\n".join([GENERAL_FORMULA, *st.formula_lines()]))
        self.grids.show(st, plan, self.position, self.channel, self.value_hidden())
        if plan is None:
            self.error_label.setText("This combination cannot work: " + self.error + ".")
            self.step_heading.setText("")
            self.arithmetic.setText("")
        else:
            self.error_label.setText("")
            head, lines = step_text(plan, self.position, self.channel)
            if self.value_hidden():
                lines = self.hide_results(lines)
            self.step_heading.setText(head)
            self.arithmetic.setText("<br>".join(html.escape(ln) for ln in lines))
        self.error_label.setVisible(plan is None)
        self.position_label.setText(f"{self.position} / {self.steps_total}")
        for b in self._transport:
            b.setEnabled(plan is not None)

    # ---- edits -------------------------------------------------------------------------------------
    def _on_input_edited(self, r: int, c: int, value: float) -> None:
        pads = self.state.pads() or (0, 0, 0, 0)
        rr, cc = r - pads[0], c - pads[2]
        h, w = self.state.image.shape[:2]
        if not (0 <= rr < h and 0 <= cc < w):
            self._refresh()   # puts the padding value back
            self._say("That is a padding cell: it is not part of the input. Change the padding in the side panel.")
            return
        self.state.set_input_value(rr, cc, self.channel, value)

    def _on_patch_received(self, array, description: str) -> None:
        if getattr(self.ctx.bus, "pending_patch", None) is not None:
            self.ctx.bus.pending_patch = None   # taken here; a later animator must not load it again
        if self._load_patch(array, description):
            self.ctx.bus.show_tab.emit(self.name)

    def _load_patch(self, array, description: str) -> bool:
        try:
            note = self.state.set_input(array, f"From the Convolution lab: {description}")
        except ValueError as exc:
            self._say(f"The animator could not take that patch: {exc}")
            return False
        self._say("Patch loaded into the animator" + (f" ({note})" if note else ""))
        return True

    def _say(self, text: str) -> None:
        self.notice.emit(text)

    # ---- export ------------------------------------------------------------------------------------
    def frame_spec(self) -> FrameSpec | None:
        if self.plan is None:
            return None
        theme = self.ctx.theme
        return FrameSpec(plan=self.plan, theme=theme, title=self.heading.text(),
                         formula=tuple(self.formula.text().split("\n")), channel=self.channel,
                         size=export_size(theme), family=self.font().family())

    def _on_export_requested(self, kind: str) -> None:
        if kind == "mp4" and mp4_encoder() is None:
            self.panel.set_exporting(False, MP4_MISSING)
            self._say(MP4_MISSING)
            return
        suffix = f"-step{self.position}" if kind == "png" else ""
        path, _ = QFileDialog.getSaveFileName(self, f"Export {kind.upper()}", f"animator{suffix}.{kind}",
                                              EXPORT_FILTERS[kind])
        if path:
            if not path.lower().endswith("." + kind):
                path += "." + kind
            self.export(kind, path)

    def export(self, kind: str, path: str) -> bool:
        """Start exporting to ``path`` (``kind`` is "gif", "mp4" or "png"); False when there is nothing to do."""
        spec = self.frame_spec()
        if spec is None:
            self.panel.set_exporting(False, "Nothing to export: " + self.error)
            return False
        if kind == "mp4" and mp4_encoder() is None:
            self.panel.set_exporting(False, MP4_MISSING)
            return False
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            self.panel.set_exporting(False, f"The folder {folder} does not exist")
            return False
        self._export_kind = kind
        self.panel.set_exporting(True, f"Exporting {kind.upper()}…")
        if kind == "gif":
            self.runner.submit(export_gif, spec, path, self.speed_per_s)
        elif kind == "mp4":
            self.runner.submit(export_mp4, spec, path, self.speed_per_s)
        else:
            self.runner.submit(export_png, spec, path, self.position)
        return True

    def cancel_export(self) -> None:
        self.runner.cancel()
        self.panel.set_exporting(False, "Export cancelled")

    def _on_export_progressed(self, _job: int, fraction: float, _payload) -> None:
        self.panel.progress.setValue(round(fraction * 100))

    def _on_export_finished(self, _job: int, message: str) -> None:
        self.panel.set_exporting(False, message)
        self._say(message)

    def _on_export_failed(self, _job: int, message: str, _exc) -> None:
        self.panel.set_exporting(False, f"Export failed: {message}")
        self._say(f"Export failed: {message}")

    # ---- LessonTab -----------------------------------------------------------------------------------
    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    def apply_theme(self, theme: Theme) -> None:
        self.panel.apply_theme(theme)
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.scroll.setFixedWidth(self.panel.width() + bar + 2 * self.scroll.frameWidth() + 2)
        self.grids.apply_theme(theme)
        mono = theme.font(1.0, mono=True)
        for label in (self.formula, self.arithmetic):
            label.setFont(mono)
            label.setStyleSheet(f"font-family: 'DejaVu Sans Mono'; font-size: {theme.text_px}px;")
        self.source.setStyleSheet(f"color: {theme.muted};")
        colour = theme.accent if theme.presentation else theme.accent2
        self.step_heading.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.arithmetic.setMinimumHeight(round(theme.text_px * 1.3 * 3))
        self._refresh()

    def activate(self) -> None:
        # keys (and a presenter's clicker) work at once, even when the tab bar had the focus
        if self.focusWidget() is None or not self.isAncestorOf(self.focusWidget()):
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def deactivate(self) -> None:
        self.pause()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self.runner.wait_idle(timeout)

    def is_busy(self) -> bool:
        return self.runner.busy      # its own GIF/MP4 export; the play timer is an animation, not work

    def shutdown(self) -> None:
        self.timer.stop()
        self.runner.shutdown()
        try:
            self.ctx.bus.patch_for_animator.disconnect(self._on_patch_received)
        except (RuntimeError, TypeError):
            pass
