"""The notes' Keras CNNs as an editable list of layers, and a ``model.summary()`` table (notes 2.8, 2.13).

A model is a list of :class:`Layer` specs (Conv2D, MaxPooling2D, Dropout, Flatten, Dense, Rescaling),
as a Keras ``Sequential`` lists its layers. :class:`SequentialCNN` builds it in torch with Keras's
conventions: images channels last at the edge, ``Flatten`` in channels-last order, so parameter
counts, shapes and the flattened vector match Keras. Module names (``conv1``, ``dense1`` …) match
:class:`desktopnn.engine.cnn.notes_cnn.NotesCNN`, so the notes' 2.13 weights load into either class.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
import torch.nn as nn
import torch.nn.functional as F

KINDS = ("rescaling", "conv", "pool", "dropout", "flatten", "dense")
KERAS_TYPES = {"rescaling": "Rescaling", "conv": "Conv2D", "pool": "MaxPooling2D", "dropout": "Dropout",
               "flatten": "Flatten", "dense": "Dense"}
KERAS_NAMES = {"rescaling": "rescaling", "conv": "conv2d", "pool": "max_pooling2d", "dropout": "dropout",
               "flatten": "flatten", "dense": "dense"}


@dataclass(frozen=True)
class Layer:
    """One Keras layer. ``size``: filters (conv), units (dense), pool size (pool); ``rate``: dropout."""

    kind: str
    size: int = 0
    kernel: int = 3
    padding: str = "valid"
    relu: bool = True
    rate: float = 0.0

    def describe(self) -> str:
        if self.kind == "conv":
            return f"Conv2D({self.size}, {self.kernel}×{self.kernel}, padding='{self.padding}'" \
                   f"{', relu' if self.relu else ''})"
        if self.kind == "pool":
            return f"MaxPooling2D({self.size or 2}×{self.size or 2})"
        if self.kind == "dropout":
            return f"Dropout({self.rate:g})"
        if self.kind == "dense":
            return f"Dense({self.size}{', relu' if self.relu else ''})"
        if self.kind == "rescaling":
            return "Rescaling(1./255)"
        return "Flatten()"


def notes_2_13(classes: int = 10) -> list[Layer]:
    """Notes 2.13: Conv2D 32 → MaxPool → Conv2D 64 → MaxPool → Conv2D 64 → Flatten → Dense 64 → Dense 10."""
    return [Layer("conv", 32), Layer("pool", 2), Layer("conv", 64), Layer("pool", 2), Layer("conv", 64),
            Layer("flatten"), Layer("dense", 64), Layer("dense", classes, relu=False)]


def notes_2_8(classes: int = 10) -> list[Layer]:
    """Notes 2.8: Rescaling, Conv2D 16/32/64 'same' + ReLU each with MaxPooling, Flatten, Dense 128, Dense."""
    out = [Layer("rescaling")]
    for filters in (16, 32, 64):
        out += [Layer("conv", filters, padding="same"), Layer("pool", 2)]
    return out + [Layer("flatten"), Layer("dense", 128), Layer("dense", classes, relu=False)]


def dense_only(classes: int = 10, units: int = 128) -> list[Layer]:
    """A network without convolution: Flatten → Dense → Dense (the pixel-shuffle experiment, notes 1.2)."""
    return [Layer("flatten"), Layer("dense", units), Layer("dense", classes, relu=False)]


PRESETS = {"Notes 2.13 (CIFAR-10 example)": notes_2_13, "Notes 2.8 (Keras example)": notes_2_8,
           "Dense only (no convolution)": dense_only}


def with_classes(layers: list[Layer], classes: int) -> list[Layer]:
    """The same layers with the last Dense sized to ``classes`` outputs."""
    out = list(layers)
    for i in range(len(out) - 1, -1, -1):
        if out[i].kind == "dense":
            out[i] = replace(out[i], size=classes, relu=False)
            return out
    raise ValueError("the model needs a final Dense layer with one unit per class")


@dataclass(frozen=True)
class SummaryRow:
    name: str            # Keras's automatic name: conv2d, conv2d_1, max_pooling2d …
    keras_type: str
    shape: tuple         # output shape without the batch axis, channels last as Keras prints it
    params: int
    layer: Layer

    @property
    def shape_text(self) -> str:
        return "(None, " + ", ".join(str(s) for s in self.shape) + ")"


def plan(layers: list[Layer], input_shape: tuple[int, int, int]) -> list[SummaryRow]:
    """Output shape and parameter count of every layer, as Keras's ``model.summary()`` reports them.

    Raises ValueError with a sentence a student understands when the layers do not fit together.
    """
    h, w, c = input_shape
    flat: int | None = None
    rows: list[SummaryRow] = []
    seen: dict[str, int] = {}
    for i, layer in enumerate(layers):
        if layer.kind not in KINDS:
            raise ValueError(f"layer {i + 1}: unknown kind {layer.kind!r}")
        base = KERAS_NAMES[layer.kind]
        n = seen.get(base, 0)
        seen[base] = n + 1
        name = base if n == 0 else f"{base}_{n}"
        params = 0
        if layer.kind in ("conv", "pool") and flat is not None:
            raise ValueError(f"layer {i + 1} ({layer.describe()}) needs an image, but Flatten already made a vector")
        if layer.kind == "conv":
            if layer.size < 1 or layer.kernel < 1:
                raise ValueError(f"layer {i + 1}: a Conv2D needs at least 1 filter of at least 1×1")
            params = (layer.kernel * layer.kernel * c + 1) * layer.size
            if layer.padding == "valid":
                h, w = h - layer.kernel + 1, w - layer.kernel + 1
            if h < 1 or w < 1:
                raise ValueError(f"layer {i + 1} ({layer.describe()}): the image has shrunk to nothing; "
                                 f"remove a layer or use padding='same'")
            c = layer.size
            shape = (h, w, c)
        elif layer.kind == "pool":
            k = layer.size or 2
            if h // k < 1 or w // k < 1:
                raise ValueError(f"layer {i + 1} ({layer.describe()}): a {h}×{w} image is too small to pool")
            h, w = h // k, w // k
            shape = (h, w, c)
        elif layer.kind == "flatten":
            if flat is not None:
                raise ValueError(f"layer {i + 1}: the data is already flat")
            flat = h * w * c
            shape = (flat,)
        elif layer.kind == "dense":
            if flat is None:
                raise ValueError(f"layer {i + 1} ({layer.describe()}) needs a vector: put a Flatten before it")
            if layer.size < 1:
                raise ValueError(f"layer {i + 1}: a Dense layer needs at least 1 unit")
            params = (flat + 1) * layer.size
            flat = layer.size
            shape = (flat,)
        elif layer.kind == "dropout":
            if not 0.0 <= layer.rate < 1.0:
                raise ValueError(f"layer {i + 1}: a dropout rate is between 0 and 1 (got {layer.rate:g})")
            shape = (flat,) if flat is not None else (h, w, c)
        else:  # rescaling
            shape = (h, w, c)
        rows.append(SummaryRow(name, KERAS_TYPES[layer.kind], shape, params, layer))
    if flat is None or not layers or layers[-1].kind != "dense":
        raise ValueError("the model must end with Flatten and a Dense layer (one output per class)")
    return rows


def summary_text(rows: list[SummaryRow]) -> str:
    """The table as Keras prints it, with the totals."""
    lines = [f"{'Layer (type)':<32}{'Output Shape':<24}{'Param #':>10}", "=" * 66]
    for r in rows:
        lines.append(f"{r.name + ' (' + r.keras_type + ')':<32}{r.shape_text:<24}{r.params:>10,}")
    total = sum(r.params for r in rows)
    lines += ["=" * 66, f"Total params: {total:,}", f"Trainable params: {total:,}", "Non-trainable params: 0"]
    return "\n".join(lines)


class SequentialCNN(nn.Module):
    """A Keras-style Sequential network built from :class:`Layer` specs; ``(B, C, H, W)`` in 0..1 → logits."""

    kind = "sequential_cnn"

    def __init__(self, layers: list[Layer], input_shape: tuple[int, int, int], class_names: list[str]):
        super().__init__()
        self.layers_spec = list(layers)
        self.input_shape = tuple(input_shape)
        self.class_names = list(class_names)
        self.rows = plan(self.layers_spec, self.input_shape)
        if self.rows[-1].shape != (len(self.class_names),):
            raise ValueError(f"the last layer has {self.rows[-1].shape[0]} outputs but there are "
                             f"{len(self.class_names)} classes")
        self._order: list[tuple[str, Layer]] = []
        counts = {"conv": 0, "dense": 0, "dropout": 0}
        channels = self.input_shape[2]
        for layer, row in zip(self.layers_spec, self.rows):
            name = layer.kind
            if layer.kind == "conv":
                counts["conv"] += 1
                name = f"conv{counts['conv']}"
                pad = layer.kernel // 2 if layer.padding == "same" else 0
                self.add_module(name, nn.Conv2d(channels, layer.size, layer.kernel, padding=pad))
                channels = layer.size
            elif layer.kind == "dense":
                counts["dense"] += 1
                name = f"dense{counts['dense']}"
                prev = int(torch.tensor(self._prev_shape(row)).prod())
                self.add_module(name, nn.Linear(prev, layer.size))
            elif layer.kind == "dropout":
                counts["dropout"] += 1
                name = f"dropout{counts['dropout']}"
                self.add_module(name, nn.Dropout(layer.rate))
            self._order.append((name, layer))

    def _prev_shape(self, row: SummaryRow) -> tuple:
        i = self.rows.index(row)
        return self.rows[i - 1].shape if i else self.input_shape

    @property
    def param_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, x: torch.Tensor, until: int | None = None) -> torch.Tensor:
        """``(B, C, H, W)`` floats in 0..1 → ``(B, classes)`` logits (or layer ``until``'s output)."""
        for i, (name, layer) in enumerate(self._order):
            if layer.kind == "conv":
                x = getattr(self, name)(x)
                x = F.relu(x) if layer.relu else x
            elif layer.kind == "pool":
                x = F.max_pool2d(x, layer.size or 2)
            elif layer.kind == "flatten":
                x = x.permute(0, 2, 3, 1).flatten(1)  # Keras flattens channels last
            elif layer.kind == "dense":
                x = getattr(self, name)(x)
                x = F.relu(x) if layer.relu else x
            elif layer.kind == "dropout":
                x = getattr(self, name)(x)
            # rescaling: images arrive already divided by 255 (desktopnn.engine.cnn.notes_cnn.to_input)
            if until is not None and i == until:
                return x
        return x
