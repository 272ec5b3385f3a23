"""Why convolution's scenes (issue 9; notes 2.4).

Keys (all optional): "source" (an input picture's name), "kernel" (a detector's name), "dx", "dy"
(the shift, -24…24 pixels), "kernels" (K, 1…512). Nothing here is animated: the clicker's step() is
the base class's False, and there is no value to predict.
"""

from __future__ import annotations

from dataclasses import asdict

from desktopnn.scenes import SceneError
from desktopnn.ui.scene_fields import get_int, get_str
from desktopnn.ui.why.state import KERNEL_CHOICES, MAX_KERNELS, MAX_SHIFT, MIN_KERNELS, WhyChoice, source_names


def scene_state(tab) -> dict:
    return asdict(tab.choice())


def check(tab, state) -> WhyChoice:
    """Everything in ``state`` validated; raises SceneError and changes nothing."""
    if not isinstance(state, dict):
        raise SceneError("The scene's state for “Why convolution” is not a group of settings.")
    return WhyChoice(source=get_str(state, "source", default=source_names()[0], choices=source_names()),
                     kernel=get_str(state, "kernel", default=KERNEL_CHOICES[0], choices=KERNEL_CHOICES),
                     dx=get_int(state, "dx", default=0, lo=-MAX_SHIFT, hi=MAX_SHIFT),
                     dy=get_int(state, "dy", default=0, lo=-MAX_SHIFT, hi=MAX_SHIFT),
                     kernels=get_int(state, "kernels", default=1, lo=MIN_KERNELS, hi=MAX_KERNELS))


def apply(tab, plan: WhyChoice) -> None:
    tab.set_choice(plan)             # recomputes in the worker
