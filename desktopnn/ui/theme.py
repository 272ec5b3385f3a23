"""Normal and presentation looks (DESIGN: every tab honours presentation mode).

Presentation mode makes every text at least 1/40 of the screen height (27 px on a 1080p projector),
scales grid cells and numbers with it, and switches to a high-contrast palette (white and yellow on
black, contrast above 7:1). Tabs receive a :class:`Theme` in ``apply_theme`` and size their custom
drawing from ``text_px`` and ``cell_px``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    presentation: bool
    text_px: int
    cell_px: int
    background: str
    panel: str
    text: str
    muted: str
    accent: str       # the thing being explained right now (receptive field, current window)
    accent2: str      # a second highlight (the output cell)
    padding: str      # padding cells, drawn distinctly from data cells
    good: str
    bad: str
    grid_line: str
    colormap: str     # default pyqtgraph colour map name (colour-blind safe)

    def font(self, scale: float = 1.0, bold: bool = False, mono: bool = False) -> QFont:
        f = QFont("DejaVu Sans Mono" if mono else QApplication.font().family())
        if mono:
            f.setStyleHint(QFont.StyleHint.Monospace)
        f.setPixelSize(max(1, round(self.text_px * scale)))
        f.setBold(bold)
        return f

    def qcolor(self, name: str) -> QColor:
        return QColor(getattr(self, name))

    def stylesheet(self) -> str:
        px = self.text_px
        return f"""
        * {{ font-size: {px}px; }}
        QWidget {{ color: {self.text}; }}
        QMainWindow, QDialog, QTabWidget::pane, QScrollArea, QScrollArea > QWidget > QWidget {{ background: {self.background}; }}
        QGroupBox {{ border: 1px solid {self.grid_line}; border-radius: 4px; margin-top: {px}px; padding-top: {px // 3}px; }}
        QGroupBox::title {{ subcontrol-origin: margin; left: 8px; padding: 0 4px; font-weight: bold; }}
        QTabBar::tab {{ padding: {px // 3}px {px}px; }}
        QTabBar::tab:selected {{ color: {self.accent if self.presentation else self.text}; font-weight: bold; }}
        QToolTip {{ color: {self.text}; background: {self.panel}; border: 1px solid {self.grid_line}; }}
        QLabel[role="error"] {{ color: {self.bad}; font-weight: bold; }}
        QLabel[role="good"] {{ color: {self.good}; font-weight: bold; }}
        QLabel[role="heading"] {{ font-size: {round(px * 1.25)}px; font-weight: bold; }}
        QLabel[role="mono"] {{ font-family: "DejaVu Sans Mono", monospace; }}
        """


NORMAL_COLOURS = dict(
    background="#f6f6f4", panel="#ffffff", text="#1a1a1a", muted="#5a5a5a", accent="#d55e00",
    accent2="#0072b2", padding="#d9d2e9", good="#007a5a", bad="#b00020", grid_line="#9a9a9a",
    colormap="viridis")
PRESENTATION_COLOURS = dict(
    background="#000000", panel="#111111", text="#ffffff", muted="#e0e0e0", accent="#ffd700",
    accent2="#56b4e9", padding="#4b3a6b", good="#7cff9b", bad="#ff8080", grid_line="#c8c8c8",
    colormap="cividis")

NORMAL_TEXT_PX = 14


def make_theme(presentation: bool, screen_height: int = 1080) -> Theme:
    if presentation:
        text_px = max(27, math.ceil(screen_height / 40))
        return Theme(True, text_px, round(text_px * 2.4), **PRESENTATION_COLOURS)
    return Theme(False, NORMAL_TEXT_PX, 40, **NORMAL_COLOURS)


def make_palette(t: Theme) -> QPalette:
    """The QPalette of ``t`` (the application's, or one view's when it is exported at projector scale)."""
    pal = QPalette()
    for role, colour in [(QPalette.ColorRole.Window, t.background), (QPalette.ColorRole.Base, t.panel),
                         (QPalette.ColorRole.AlternateBase, t.background), (QPalette.ColorRole.Text, t.text),
                         (QPalette.ColorRole.WindowText, t.text), (QPalette.ColorRole.ButtonText, t.text),
                         (QPalette.ColorRole.Button, t.panel), (QPalette.ColorRole.ToolTipBase, t.panel),
                         (QPalette.ColorRole.ToolTipText, t.text), (QPalette.ColorRole.Highlight, t.accent2),
                         (QPalette.ColorRole.HighlightedText, t.background if t.presentation else "#ffffff"),
                         (QPalette.ColorRole.PlaceholderText, t.muted)]:
        pal.setColor(role, QColor(colour))
    return pal


class ThemeManager(QObject):
    """Holds the current theme and applies it to the application (font, palette, style sheet)."""

    theme_changed = Signal(object)

    def __init__(self, app: QApplication, presentation: bool = False, screen_height: int | None = None):
        super().__init__(app)
        self._app = app
        self._screen_height = screen_height
        self.theme = make_theme(presentation, self.screen_height())

    def screen_height(self) -> int:
        if self._screen_height:
            return self._screen_height
        screen = self._app.primaryScreen()
        return screen.geometry().height() if screen is not None else 1080

    def set_screen_height(self, height: int | None) -> None:
        self._screen_height = height
        self.set_presentation(self.theme.presentation, force=True)

    def set_presentation(self, on: bool, force: bool = False) -> None:
        if on == self.theme.presentation and not force:
            return
        self.theme = make_theme(on, self.screen_height())
        self.apply()

    def apply(self) -> None:
        t = self.theme
        font = QFont(self._app.font())
        font.setPixelSize(t.text_px)
        self._app.setFont(font)
        self._app.setPalette(make_palette(t))
        self._app.setStyleSheet(t.stylesheet())
        self.theme_changed.emit(t)
