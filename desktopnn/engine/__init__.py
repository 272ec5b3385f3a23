"""The engine: pure numpy/torch, no Qt, usable from a notebook.

Conventions follow Keras, as in the course notes: images are channels last ``(H, W, C)`` and kernel
banks are ``(kh, kw, C, K)``.  Importing this package is cheap; torch loads on the first call that
needs it, so the app's window can appear before torch has finished importing.

>>> from desktopnn.engine import conv2d, explain_conv
"""

from __future__ import annotations

import importlib

# public name -> submodule that defines it
_EXPORTS = {
    "conv2d": "conv",
    "feature_maps": "conv",
    "explain_conv": "explain",
    "ConvExplanation": "explain",
    "resolve_padding": "padding",
    "output_size": "padding",
    "output_shape": "padding",
    "KERNEL_PRESETS": "kernels",
    "Kernel": "kernels",
    "kernel_preset": "kernels",
    "EXERCISE": "kernels",
    "NOTES_308": "kernels",
    "get_device": "device",
    "set_device": "device",
    "device_label": "device",
    "run_with_oom_fallback": "device",
    "load_image": "images",
    "sample_images": "images",
    "to_grayscale": "images",
    "pool2d": "pooling",
    "conv_steps": "steps",
    "pool_steps": "steps",
    "Step": "steps",
    "StepPlan": "steps",
    "size_formula": "steps",
    "axis_reads": "steps",
    "expected_reads": "steps",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'desktopnn.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
