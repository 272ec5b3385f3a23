"""The lesson tabs, in the order of the course notes. Only tabs that work are listed."""

from __future__ import annotations

import importlib

# (module, class); each class has ``name`` and ``title``
TAB_CLASSES: list[tuple[str, str]] = [
    ("desktopnn.ui.conv_lab", "ConvLabTab"),
]


def tab_classes() -> list[type]:
    return [getattr(importlib.import_module(mod), cls) for mod, cls in TAB_CLASSES]
