"""The lesson tabs, in the order of the course notes. Only tabs that work are listed.

Entries are ``(module, class, name, title)``; the module is imported only when its tab is first
shown, so start-up does not pay for lessons nobody has opened yet (nor for torch or librosa).
A two-element entry ``(module, class)`` is also accepted; its module is imported to read the name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

TAB_CLASSES: list[tuple[str, ...]] = [
    ("desktopnn.ui.convolution", "ConvLabTab", "convolution", "Convolution lab"),
    ("desktopnn.ui.exercise", "ExerciseTab", "exercise", "Exercise (2.11)"),
    ("desktopnn.ui.why", "WhyConvTab", "why", "Why convolution (2.4)"),
    ("desktopnn.ui.animator", "AnimatorTab", "animator", "Stride, padding & pooling"),
    ("desktopnn.ui.tensors", "TensorsTab", "tensors", "Tensors (2.12)"),
    ("desktopnn.ui.live", "LiveTab", "live", "Live feature maps"),
    ("desktopnn.ui.train", "TrainTab", "train", "Train a CNN (2.8–2.13)"),
    ("desktopnn.ui.autoencoder", "AutoencoderTab", "autoencoder", "Encoder & decoder (3)"),
    ("desktopnn.ui.rnn", "RnnTab", "rnn", "RNN (4)"),
]


@dataclass(frozen=True)
class TabSpec:
    module: str
    cls: str
    name: str
    title: str

    def load(self) -> type:
        return getattr(importlib.import_module(self.module), self.cls)


def tab_specs() -> list[TabSpec]:
    specs = []
    for entry in TAB_CLASSES:
        if len(entry) == 4:
            specs.append(TabSpec(*entry))
        else:
            mod, cls = entry
            klass = getattr(importlib.import_module(mod), cls)
            specs.append(TabSpec(mod, cls, klass.name, klass.title))
    return specs


def tab_classes() -> list[type]:
    return [spec.load() for spec in tab_specs()]
