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

    def is_busy(self) -> bool:
        """Whether results of the last change are still on their way (a coalesced edit not yet sent, a
        worker still computing). Never blocks: slide export polls it from a timer instead of waiting."""
        return False

    def shutdown(self) -> None:
        """Stop timers, workers and devices. Called once, before the window closes."""

    # ---- the presenter's clicker and animation export (issue 9) ---------------------------
    # PageDown/Right call step(+1), PageUp/Left step(-1), from the main window, whatever has focus
    # (except where a text field or number box needs the arrows). A view with an animation (a
    # sliding window, time steps of an RNN, passes of dropout…) moves one step and returns True.
    def step(self, delta: int) -> bool:
        """Move the view's animation ``delta`` steps (+1 forward, -1 back); False if it has none."""
        return False

    def frame_count(self) -> int:
        """Frames of the view's animation, for GIF/MP4 export (0: nothing to export as a movie)."""
        return 0

    def current_frame(self) -> int:
        """The frame now shown (0 ≤ current_frame() < frame_count())."""
        return 0

    def show_frame(self, index: int) -> None:
        """Show frame ``index`` now, drawn synchronously, so that ``grab()`` right after captures it.

        Export walks 0 … frame_count()-1 and then puts the view back on the frame it was on.
        """

    # ---- predict before reveal (issue 9) ---------------------------------------------------
    # With prediction on, the value the class should guess (the output cell being computed, the
    # pooled maximum, a softmax probability, the next h_t) is drawn as "?" until reveal(). The
    # clicker's forward key first reveals what is hidden, then steps; each new step hides again.
    def supports_predict(self) -> bool:
        return False

    def set_predict(self, on: bool) -> None:
        """Turn predict-before-reveal on or off for this view (off shows everything at once)."""

    def reveal(self) -> bool:
        """Show the hidden value(s); False when nothing was hidden."""
        return False

    # ---- scenes (issue 9) --------------------------------------------------------------------
    # A scene is this view's full state (image, kernels, parameters, step, model…) as JSON-ready
    # data; desktopnn.scenes wraps it in a versioned file. ``scene_version`` is the version of the
    # dict this class writes; bump it when the layout changes and teach migrate_scene the old one.
    scene_version = 1

    def scene_state(self) -> dict:
        """The view's state as plain JSON types (images through desktopnn.scenes.encode_array)."""
        return {}

    def migrate_scene(self, state: dict, version: int) -> dict:
        """Turn a state written with an older ``scene_version`` into the current layout.

        Raise desktopnn.scenes.SceneError with a sentence a lecturer understands when it cannot be.
        """
        from desktopnn.scenes import SceneError

        raise SceneError(f"This scene was saved with version {version} of the {self.title} view, "
                         f"which this desktopnn (version {self.scene_version} of that view) cannot read.")

    def apply_scene(self, state: dict) -> None:
        """Restore a state from scene_state() (current version). Validate everything first and raise
        desktopnn.scenes.SceneError before changing anything, so a bad file damages nothing on screen."""
        if state:
            from desktopnn.scenes import SceneError

            raise SceneError(f"The {self.title} view has no scenes to restore.")
