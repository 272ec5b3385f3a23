"""What every lesson tab provides to the main window."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktopnn.ui.theme import Theme, ThemeManager


class Bus(QObject):
    """Messages between tabs, e.g. the Convolution lab sending a patch of numbers to the animator."""

    patch_for_animator = Signal(object, str)   # 2-D or (H, W, C) numpy array, description
    show_tab = Signal(str)                      # a tab's ``name``: the main window switches to it

    def __init__(self):
        super().__init__()
        # tabs are built on first view: the last patch waits here for an animator built later
        self.pending_patch: tuple[object, str] | None = None
        self.patch_for_animator.connect(self._remember_patch)

    def _remember_patch(self, patch, description: str) -> None:
        self.pending_patch = (patch, description)


@dataclass
class AppContext:
    """Shared, read-mostly things a tab may need."""

    themes: ThemeManager
    demo: bool = False              # use built-in demo sources even when devices exist
    options: dict = field(default_factory=dict)
    bus: Bus = field(default_factory=Bus)

    @property
    def theme(self) -> Theme:
        return self.themes.theme


class LessonTab(QWidget):
    """Base class of a tab. Subclasses set ``name`` (CLI/file name) and ``title`` (tab label)."""

    name = "lesson"
    title = "Lesson"
    live = False                 # live views report frames per second

    fps_changed = Signal(float)
    notice = Signal(str)         # a message for the status bar

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx

    def apply_theme(self, theme: Theme) -> None:
        """Resize custom drawing and plots for ``theme`` (presentation mode included)."""

    def accepts_images(self) -> bool:
        return False

    def open_image(self, path: str) -> bool:
        """Load an image file chosen in File ▸ Open image…; return whether it was accepted."""
        return False

    def activate(self) -> None:
        """The tab became visible: start live sources."""

    def deactivate(self) -> None:
        """The tab was hidden: pause live sources."""

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until background work has finished (screenshots, tests, benchmarks)."""
        return True

    def shutdown(self) -> None:
        """Stop timers, workers and devices. Called once, before the window closes."""
