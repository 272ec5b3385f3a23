"""Write the bundled lesson scenes of the convolution, why, animator, exercise and tensors tabs (issue 9).

    QT_QPA_PLATFORM=offscreen python tools/lessons_cnn.py   # rewrites desktopnn/resources/lessons/<scene>.dnnscene

Each lesson tab is built, put through its public API into the state that teaches its section of the
course notes, and its full ``scene_state()`` is written with desktopnn.scenes.write. File names and
titles come from desktopnn/resources/lessons/contents.json. tests/ui/test_scenes_*.py open every one.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from desktopnn import scenes  # noqa: E402


def _lab(tab, section: str) -> None:
    """Notes 2–2.3 in the Convolution lab."""
    from desktopnn.engine.convolution.kernels import KERNEL_PRESETS, Kernel

    if section == "2.1":      # one neuron per line direction: horizontal, vertical, two diagonals
        tab.bank.set_kernels([KERNEL_PRESETS[n] for n in ("Sobel y", "Sobel x", "Diagonal ↗ (negative surround)",
                                                          "Diagonal ↘ 3×3 (negative surround)")])
    elif section == "2.2":    # an RGB picture and an m×n×3 kernel make one feature map
        sobel = KERNEL_PRESETS["Sobel x"].values
        tab.bank.set_kernels([Kernel("Sobel x, one slice per channel (3×3×3)", np.repeat(sobel[:, :, None], 3, axis=2),
                                     0.0, "notes 2.2: the kernel's depth equals the image's 3 channels")])
    elif section == "2.3":    # the worked example: 0*-1 + … + 154*1 = 308
        tab.load_notes_308()
    tab.wait_idle(120)


def _animator(tab, section: str) -> None:
    """Notes 2.5 stride 2, 2.6 padding 'same', 2.7 max pooling 7×7 → 3×3, a step or two in."""
    from desktopnn.ui.animator.state import PRESETS

    title, position = {"2.5": ("Stride 2 on the same input (notes 2.5)", 2),
                       "2.6": ("Padding 'same' on the same input (notes 2.6)", 1),
                       "2.7": ("Max pooling 7×7 → 3×3 (notes 2.7)", 1)}[section]
    tab.state.apply_preset([p.title for p in PRESETS].index(title))
    tab.set_position(position)


def _why(tab, section: str) -> None:
    """Notes 2.4: the input moved, the map moved with it; 16 kernels as in notes 2.8's first layer."""
    tab.set_shift(12, 8)
    tab.k_spin.setValue(16)
    tab.wait_idle(120)


def _exercise(tab, section: str) -> None:
    """Notes 2.11: all four kernels of the exercise, nothing answered yet."""
    from desktopnn.ui.exercise.tab import ALL

    tab.select_kernel(ALL)


def _tensors(tab, section: str) -> None:
    """Notes 2.12: the notes' printouts (First: 0, Second: 1, Last: 34) beside the [3, 2, 5] tensor."""
    tab.load_preset("fibonacci")


def main() -> int:
    from desktopnn.app import make_app
    from desktopnn.ui.animator import AnimatorTab
    from desktopnn.ui.base import AppContext
    from desktopnn.ui.convolution import ConvLabTab
    from desktopnn.ui.exercise import ExerciseTab
    from desktopnn.ui.tensors import TensorsTab
    from desktopnn.ui.theme import ThemeManager
    from desktopnn.ui.why import WhyConvTab

    app = make_app()
    themes = ThemeManager(app, presentation=False, screen_height=1080)
    themes.apply()
    ctx = AppContext(themes=themes, demo=True)
    makers = {"convolution": (ConvLabTab, _lab), "animator": (AnimatorTab, _animator), "why": (WhyConvTab, _why),
              "exercise": (ExerciseTab, _exercise), "tensors": (TensorsTab, _tensors)}
    root = scenes.lessons_dir()
    contents = json.loads((root / "contents.json").read_text(encoding="utf-8"))
    written = 0
    for entry in contents["entries"]:
        if entry["tab"] not in makers:
            continue
        cls, configure = makers[entry["tab"]]
        tab = cls(ctx)
        tab.resize(1600, 900)
        tab.wait_idle(120)
        app.processEvents()
        configure(tab, entry["section"])
        app.processEvents()
        scene = scenes.Scene(tab=entry["tab"], state=tab.scene_state(), tab_version=tab.scene_version,
                             title=entry["title"], notes_section=entry["section"])
        scenes.write(root / entry["scene"], scene)
        tab.shutdown()
        tab.deleteLater()
        written += 1
    print(f"wrote {written} scenes to {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
