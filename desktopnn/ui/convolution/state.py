"""The Convolution lab's state: the limits, defaults and choices a scene saves and checks against.

No widgets: the panels, the tab and scene.py all read these, so scene.py never needs the tab.
"""

from __future__ import annotations

import numpy as np

from desktopnn.engine.convolution.kernels import EXERCISE_IMAGE, KERNEL_PRESETS, NOTES_308, Kernel
from desktopnn.engine.convolution.lab import GRAYSCALE, REPLICATE

THROTTLE_MS = 30                 # edits within this many ms are coalesced into one recompute

# (label, pyqtgraph name, diverging): colour-blind-safe first (notes: colour is a reading aid, not data)
COLORMAPS = [("viridis", "viridis", False), ("cividis", "cividis", False), ("magma", "magma", False),
             ("grey", "CET-L1", False), ("blue–white–red (signed)", "CET-D1", True)]

# ---- the image ------------------------------------------------------------------------------
MAX_PHOTO_SIDE = 640
MAX_GRID = 12
OWN_GRID = "Numbers: your own grid"
GRID_PRESETS = {
    "Numbers: notes 2.3 (5×5 RGB)": NOTES_308["image"],
    "Numbers: exercise 2.11 (4×5)": EXERCISE_IMAGE,
    "Numbers: your own (6×6)": np.array([[0, 0, 0, 0, 0, 255], [0, 0, 0, 0, 255, 0], [0, 0, 0, 255, 0, 0],
                                         [0, 0, 255, 0, 0, 0], [0, 255, 0, 0, 0, 0], [255, 0, 0, 0, 0, 0]],
                                        dtype=np.float64),
}


def default_sample(samples) -> str:
    """The photo the lab opens with: the cat when it is bundled."""
    return "chelsea" if "chelsea" in samples else next(iter(samples))


# ---- the kernels ------------------------------------------------------------------------------
MAX_KERNELS = 12
MAX_SIDE = 7
DEFAULT_KERNELS = ["Sobel x", "Sobel y", "Laplacian", "Diagonal ↗ (negative surround)"]


def default_kernels() -> list[Kernel]:
    """The bank the lab opens with."""
    return [KERNEL_PRESETS[n] for n in DEFAULT_KERNELS]


# ---- the parameters ---------------------------------------------------------------------------
PADDINGS = ["valid", "same", "full", "cells"]     # the padding box; "cells" takes a number of cells
PAD_MODES = ("valid", "same", "full")
MAX_PAD_CELLS = 6
MAX_STRIDE = 8
POLICIES = [("grayscale the image", GRAYSCALE), ("same kernel on R, G, B, summed", REPLICATE)]
PRESET_308 = "Notes 2.3 (= 308)"
