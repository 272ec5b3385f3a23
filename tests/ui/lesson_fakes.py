"""A small LessonTab that implements the issue-9 contract, for the presenter and export tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QScrollArea, QSlider, QSpinBox, QVBoxLayout, QWidget

from desktopnn.ui.base import LessonTab

COLOURS = ["#d55e00", "#0072b2", "#009e73", "#cc79a7", "#f0e442", "#56b4e9", "#e69f00"]


class Swatch(QWidget):
    """Paints the current frame's colour and number, so that frames differ in pixels."""

    def __init__(self, tab):
        super().__init__()
        self.tab = tab
        self.setMinimumHeight(200)

    def paintEvent(self, event):  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(COLOURS[self.tab.frame % len(COLOURS)]))
        p.setPen(QColor("#000000"))
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, f"frame {self.tab.frame}")
        p.end()


class FakeTab(LessonTab):
    name = "fake"
    title = "Fake lesson"

    def __init__(self, ctx, frames: int = 5, predict: bool = True, tall: int = 3000):
        super().__init__(ctx)
        self.frames, self.frame, self.predict_ok = frames, 0, predict
        self.predict, self.hidden = False, False
        self.calls: list[tuple] = []
        self.themes_applied: list = []
        lay = QVBoxLayout(self)
        self.label = QLabel("frame 0")
        self.button = QPushButton("A button")
        self.button.setToolTip("Does nothing")
        self.edit = QLineEdit("hello")
        self.edit.setToolTip("Type here")
        self.spin = QSpinBox()
        self.spin.setRange(0, 100)
        self.spin.setValue(50)
        self.spin.setToolTip("A number")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("A slider")
        self.custom = QFrame()
        self.custom.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.custom.setProperty("wants_arrows", True)
        self.custom.setToolTip("A custom widget that needs arrows")
        self.swatch = Swatch(self)
        for w in (self.label, self.button, self.edit, self.spin, self.slider, self.custom, self.swatch):
            lay.addWidget(w)
        lay.addStretch(1)
        self.setMinimumHeight(tall)    # taller than the window: its scroll area can scroll

    def apply_theme(self, theme):
        self.themes_applied.append(theme)

    def step(self, delta: int) -> bool:
        self.calls.append(("step", delta))
        if not self.frames:
            return False
        self.show_frame(min(max(self.frame + delta, 0), self.frames - 1))
        self.hidden = self.predict
        return True

    def frame_count(self) -> int:
        return self.frames

    def current_frame(self) -> int:
        return self.frame

    def show_frame(self, index: int) -> None:
        self.frame = index
        self.label.setText(f"frame {index}")
        self.swatch.update()

    def supports_predict(self) -> bool:
        return self.predict_ok

    def set_predict(self, on: bool) -> None:
        self.calls.append(("set_predict", on))
        self.predict = on
        self.hidden = on

    def reveal(self) -> bool:
        self.calls.append(("reveal",))
        was, self.hidden = self.hidden, False
        return was


def add_fake_tab(window, tab: LessonTab) -> int:
    """Put ``tab`` into the window as an extra lesson (as if tabs.py listed it) and show it."""
    from desktopnn.ui.tabs import TabSpec

    holder = QScrollArea()
    holder.setWidgetResizable(True)
    holder.setFrameShape(QFrame.Shape.NoFrame)
    index = len(window.specs)
    window.specs.append(TabSpec("tests.ui.lesson_fakes", "FakeTab", tab.name, tab.title))
    window._holders.append(holder)
    tab.notice.connect(window.show_notice)
    holder.setWidget(tab)
    window._built[index] = tab
    window.tabs.addTab(holder, tab.title)
    window.tabs.setCurrentIndex(index)
    return index
