"""Overlays a lecturer draws over the window: a blank screen, a spotlight or laser dot, a zoom lens.

Each overlay is a child widget of the main window, raised above everything else. The spotlight and
the lens let mouse events through (``WA_TransparentForMouseEvents``), so the view under them stays
usable; they follow the pointer by polling ``QCursor.pos()`` while shown (and from the presenter's
event filter on mouse moves), which works whatever widget is under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QPainter, QPainterPath, QPen, QPixmap, QRadialGradient
from PySide6.QtWidgets import QWidget

from desktopnn.ui.theme import Theme


class BlankOverlay(QWidget):
    """The whole window in black (or white), menus included, pointer hidden. Any key or click ends it."""

    dismissed = Signal()

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.colour = QColor("#000000")
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setToolTip("")
        self.hide()

    def blank(self, white: bool = False) -> None:
        self.colour = QColor("#ffffff" if white else "#000000")
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), self.colour)
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.dismissed.emit()
        event.accept()


class _Follower(QWidget):
    """A mouse-transparent overlay over ``area()`` that follows the pointer."""

    def __init__(self, window: QWidget, area, theme: Theme):
        super().__init__(window)
        self._area = area
        self.theme = theme
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.centre = QPoint(-10_000, -10_000)
        self._poll = QTimer(self)
        self._poll.setInterval(33)                 # ~30 Hz: smooth enough, nearly free when still
        self._poll.timeout.connect(self.follow_cursor)
        self.hide()

    def start(self) -> None:
        self.sync_geometry()
        self.raise_()
        self.show()
        self.follow_cursor()
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()
        self.hide()

    def sync_geometry(self) -> None:
        self.setGeometry(self._area())

    def follow_cursor(self) -> None:
        self.move_to(self.mapFromGlobal(QCursor.pos()))

    def move_to(self, pos: QPoint) -> None:
        """Centre the overlay's circle on ``pos`` (this widget's coordinates)."""
        if pos == self.centre:
            return
        old = self.centre
        self.centre = QPoint(pos)
        self.update(self.dirty_rect(old).united(self.dirty_rect(pos)))

    def dirty_rect(self, c: QPoint) -> QRect:
        r = self.reach() + 4
        return QRect(c.x() - r, c.y() - r, 2 * r, 2 * r)

    def reach(self) -> int:
        return 0


class Spotlight(_Follower):
    """Dims the view except a soft circle around the pointer; or, as a laser dot, just a bright dot."""

    MIN_RADIUS = 40

    def __init__(self, window: QWidget, area, theme: Theme):
        super().__init__(window, area, theme)
        self.laser = False
        self.radius = 0

    def start(self, laser: bool = False) -> None:
        self.laser = laser
        super().start()
        if not self.radius:
            self.radius = max(self.MIN_RADIUS, self.height() // 6)
        self.update()

    def resize_by(self, factor: float) -> None:
        self.radius = int(min(max(self.radius * factor, self.MIN_RADIUS), max(self.MIN_RADIUS, self.height() // 2)))
        self.update()

    def dot_radius(self) -> int:
        return max(8, round(self.theme.text_px * 0.45))

    def reach(self) -> int:
        return self.dot_radius() * 3 if self.laser else self.radius

    def dirty_rect(self, c: QPoint) -> QRect:
        if self.laser:
            return super().dirty_rect(c)
        return self.rect()    # the dimmed area moves with the circle

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        accent = QColor(self.theme.accent)
        c = QPointF(self.centre)
        if self.laser:
            r = self.dot_radius()
            glow = QRadialGradient(c, r * 3)
            glow.setColorAt(0.0, QColor(accent.red(), accent.green(), accent.blue(), 200))
            glow.setColorAt(0.35, QColor(accent.red(), accent.green(), accent.blue(), 120))
            glow.setColorAt(1.0, QColor(accent.red(), accent.green(), accent.blue(), 0))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(glow)
            p.drawEllipse(c, r * 3, r * 3)
            p.setBrush(accent)
            p.setPen(QPen(QColor("#000000"), 2))
            p.drawEllipse(c, r, r)
            p.end()
            return
        r = float(self.radius)
        dim = QColor(0, 0, 0, 170)
        outside = QPainterPath()
        outside.setFillRule(Qt.FillRule.OddEvenFill)
        outside.addRect(QRectF(self.rect()))
        outside.addEllipse(c, r, r)
        p.fillPath(outside, dim)
        soft = QRadialGradient(c, r)                   # a soft edge inside the circle
        soft.setColorAt(0.82, QColor(0, 0, 0, 0))
        soft.setColorAt(1.0, dim)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(soft)
        p.drawEllipse(c, r, r)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(accent, max(2, self.theme.text_px // 9)))
        p.drawEllipse(c, r, r)
        p.end()


class ZoomLens(_Follower):
    """A round magnifier that follows the pointer, drawn from a grab of the view refreshed at 10 Hz."""

    FACTORS = (2.0, 2.5, 3.0, 3.5, 4.0)

    def __init__(self, window: QWidget, area, theme: Theme, source):
        super().__init__(window, area, theme)
        self._source = source                 # () -> QWidget to magnify (the central widget)
        self.factor = 2.0
        self.pixmap = QPixmap()
        self._refresh = QTimer(self)
        self._refresh.setInterval(100)
        self._refresh.timeout.connect(self.regrab)

    def start(self) -> None:
        super().start()
        self.regrab()
        self._refresh.start()

    def stop(self) -> None:
        self._refresh.stop()
        super().stop()
        self.pixmap = QPixmap()

    def regrab(self) -> None:
        """Take a new picture of the view (live views stay live under the lens)."""
        src = self._source()
        if src is not None and self.isVisible():
            self.pixmap = src.grab()
            self.update(self.dirty_rect(self.centre))

    def change_factor(self, steps: int) -> None:
        i = min(range(len(self.FACTORS)), key=lambda k: abs(self.FACTORS[k] - self.factor))
        self.factor = self.FACTORS[min(max(i + steps, 0), len(self.FACTORS) - 1)]
        self.update(self.dirty_rect(self.centre))

    def lens_radius(self) -> int:
        return max(60, min(self.width(), self.height()) // 4)

    def reach(self) -> int:
        return self.lens_radius() + self.theme.text_px * 2

    def paintEvent(self, event) -> None:  # noqa: N802
        if self.pixmap.isNull() or not self.rect().contains(self.centre):
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        r, c, f = self.lens_radius(), QPointF(self.centre), self.factor
        dpr = self.pixmap.devicePixelRatio()
        half = r / f
        source = QRectF((c.x() - half) * dpr, (c.y() - half) * dpr, 2 * half * dpr, 2 * half * dpr)
        target = QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r)
        clip = QPainterPath()
        clip.addEllipse(c, r, r)
        p.save()
        p.setClipPath(clip)
        p.fillRect(target, QColor(self.theme.background))
        p.drawPixmap(target, self.pixmap, source)
        p.restore()
        width = max(3, self.theme.text_px // 7)
        p.setPen(QPen(QColor("#000000"), width + 4))
        p.drawEllipse(c, r, r)
        p.setPen(QPen(QColor(self.theme.accent), width))
        p.drawEllipse(c, r, r)
        # the magnification, in a small label under the lens
        label = f"{f:g}×"
        font = self.theme.font(0.8, bold=True)
        p.setFont(font)
        box = QRectF(c.x() - r / 2, c.y() + r - self.theme.text_px * 0.2, r, self.theme.text_px * 1.4)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 200))
        p.drawRoundedRect(box.adjusted(r * 0.25, 0, -r * 0.25, 0), 6, 6)
        p.setPen(QColor("#ffffff"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        p.end()
