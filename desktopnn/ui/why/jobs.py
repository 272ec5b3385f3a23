"""What the Why-convolution tab's worker runs: the feature maps before and after the shift. No widgets."""

from __future__ import annotations

from desktopnn.engine.convolution.shift import ShiftResult, shift_demo
from desktopnn.ui.why.state import WhyChoice


def shift_job(choice: WhyChoice) -> ShiftResult:
    """The chosen detector over the chosen picture, unmoved and moved by (dx, dy) (notes 2.4)."""
    return shift_demo(choice.source, choice.kernel, choice.dx, choice.dy)
