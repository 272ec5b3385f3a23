"""The notes' CNNs in torch (2.13 and 2.8), with safe weight loading.

At the API edge images are channels last, as in Keras and the notes: ``(B, H, W, 3)`` uint8 (0..255)
or float (0..1). Inside, torch's ``(B, C, H, W)`` runs in ``channels_last`` memory on the CPU.

The convolutional base has no fixed input size, so :meth:`NotesCNN.activations` runs it over a whole
camera frame (320×240) to show feature maps, while :meth:`NotesCNN.classify` feeds the 32×32 input the
dense head was trained on (a centre crop of the frame).

Checkpoints are ``safetensors`` files (no code inside them) or, for ``.pt``/``.pth``,
``torch.load(weights_only=True)``. Anything else, a damaged file, weights of another network or a
checksum mismatch raise ValueError with a sentence a student understands, and the model keeps the
weights it had.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from desktopnn.engine.cnn.shapes import CLASS_NAMES

WEIGHTS_DIR = "resources/weights"
NOTES_CNN_FILE = "notes_cnn.safetensors"


def to_input(images, device: torch.device | None = None) -> torch.Tensor:
    """``(H, W, 3)`` or ``(B, H, W, 3)`` uint8/float images → ``(B, 3, H, W)`` float32 in 0..1."""
    x = images if isinstance(images, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(images))
    if x.ndim == 3:
        x = x.unsqueeze(0)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError(f"expected RGB images shaped (height, width, 3) or (batch, height, width, 3); got {tuple(x.shape)}")
    if device is not None:
        x = x.to(device)
    x = x.permute(0, 3, 1, 2)  # (B, 3, H, W), a channels_last view of the NHWC data
    x = x / 255.0 if x.dtype == torch.uint8 else x.float()    # uint8 / 255.0: one pass, the same floats
    if x.device.type == "cpu":
        x = x.contiguous(memory_format=torch.channels_last)
    return x


_FUSED: list = []        # [the oneDNN conv+ReLU op] once known to work here, [None] when it does not


def _fast_cpu(x: torch.Tensor) -> bool:
    """Whether the inference-only CPU paths below apply: no gradient wanted, channels_last CPU data."""
    return ((not torch.is_grad_enabled() or torch.is_inference_mode_enabled()) and x.device.type == "cpu"
            and x.is_contiguous(memory_format=torch.channels_last))


def _conv_relu(conv: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:
    """ReLU(conv(x)). Without gradients, on channels_last CPU data, oneDNN's fused convolution+ReLU
    writes each value once (bit-equal to the two steps; 6.3 against 7.6 ms for the first layer at
    640×480 on one core); otherwise the convolution, then ReLU in place (no second full-size buffer)."""
    if _fast_cpu(x) and _FUSED != [None]:
        try:
            op = _FUSED[0] if _FUSED else torch.ops.mkldnn._convolution_pointwise
            y = op(x, conv.weight, conv.bias, list(conv.padding), list(conv.stride), list(conv.dilation),
                   conv.groups, "relu", [], "")
            if not _FUSED:
                _FUSED.append(op)
            return y
        except (AttributeError, RuntimeError):   # a torch without the op, or weights it cannot take
            _FUSED[:] = [None]
    return conv(x).relu_()


def _max_pool2(x: torch.Tensor) -> torch.Tensor:
    """2×2 max pooling, stride 2 (a last odd row or column is dropped, as ``F.max_pool2d(x, 2)``).

    Without gradients, on channels_last CPU data, as two element-wise maxima of strided views (rows,
    then columns): the same values bit for bit (a maximum picks one of its inputs; NaN wins in both) in
    3.7 against 8.1 ms for the first layer's maps at 640×480 on one core (torch 2.14's channels_last
    max_pool2d). With gradients, max_pool2d (its backward sends each gradient to one input only)."""
    if not _fast_cpu(x) or min(x.shape[-2:]) < 2:
        return F.max_pool2d(x, 2)          # (and its error for a map smaller than the window)
    return _pool_nhwc(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)             # channels_last again


def _pool_nhwc(nhwc: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """2×2 maxima of ``(B, H, W, C)`` data as two element-wise maxima of strided views (rows, then
    columns), into ``out`` if given; an odd last row or column is dropped."""
    h, w = nhwc.shape[1] // 2 * 2, nhwc.shape[2] // 2 * 2
    rows = torch.maximum(nhwc[:, 0:h:2, :w], nhwc[:, 1:h:2, :w])           # (B, H/2, W, C), contiguous
    return torch.maximum(rows[:, :, 0::2], rows[:, :, 1::2], out=out)


BAND_BYTES = 10 << 20     # a convolution's output larger than this, pooled at once, is computed in bands


def _conv_relu_pool_bands(conv: nn.Conv2d, x: torch.Tensor, band_bytes: int | None = None) -> torch.Tensor:
    """``_max_pool2(_conv_relu(conv, x))`` a band of rows at a time, into one output, for a 3×3 "valid"
    convolution with stride 1 on channels_last CPU data without gradients (else the two steps at once).

    Bit-equal to the two steps (each output value is the same sums and maxima of the same inputs): the
    live view showing a deeper layer never holds the whole first layer. At 640×480 that is 39 MB made
    and dropped every frame, and such a block, alternating with the 19 MB maps kept for the screen, left
    the C heap holes it later outgrew (resident memory +39 MB at once, minutes into a run); in bands of
    ~10 MB it costs the same time (6.5 ms on 2 threads here)."""
    plain = (not _fast_cpu(x) or conv.padding != (0, 0) or conv.stride != (1, 1) or conv.dilation != (1, 1)
             or conv.kernel_size != (3, 3))
    band_bytes = BAND_BYTES if band_bytes is None else band_bytes
    b, _c, h, w = x.shape
    ph, pw = (h - 2) // 2, (w - 2) // 2
    per_row = 2 * (w - 2) * conv.out_channels * x.element_size() * b       # one pooled row's convolution
    if plain or ph < 1 or pw < 1 or per_row * ph <= band_bytes:
        return _max_pool2(_conv_relu(conv, x))
    rows = max(1, band_bytes // per_row)
    out = torch.empty((b, ph, pw, conv.out_channels), dtype=x.dtype)         # NHWC: channels_last below
    for a in range(0, ph, rows):
        e = min(ph, a + rows)
        y = _conv_relu(conv, x[:, :, 2 * a:2 * e + 2]).permute(0, 2, 3, 1)     # conv rows 2a .. 2e-1
        _pool_nhwc(y, out=out[:, a:e])
    return out.permute(0, 3, 1, 2)


class ConvNet(nn.Module):
    """A Keras-style Sequential CNN: named conv/pool layers, then Flatten (channels last) and Dense."""

    kind = "convnet"
    input_size = 32
    conv_spec: list[tuple[str, int, str]] = []      # (name, filters, padding) in order, pools between
    pool_after: set[str] = set()
    dense_units = 64

    def __init__(self, class_names: list[str] | None = None):
        super().__init__()
        self.class_names = list(class_names or CLASS_NAMES)
        channels = 3
        for name, filters, padding in self.conv_spec:
            self.add_module(name, nn.Conv2d(channels, filters, 3, padding=1 if padding == "same" else 0))
            channels = filters
        side = self.input_size
        for name, _f, padding in self.conv_spec:
            side = side if padding == "same" else side - 2
            if name in self.pool_after:
                side //= 2
        self.flat_features = side * side * channels
        self.dense1 = nn.Linear(self.flat_features, self.dense_units)
        self.dense2 = nn.Linear(self.dense_units, len(self.class_names))

    # ---- layers, as the notes list them --------------------------------------------------
    def layer_names(self) -> list[str]:
        """Layers with feature maps, in order: ``conv1``, ``pool1``, ``conv2``, ..."""
        out = []
        for i, (name, _f, _p) in enumerate(self.conv_spec):
            out.append(name)
            if name in self.pool_after:
                out.append(f"pool{i + 1}")
        return out

    def layer_channels(self) -> dict[str, int]:
        out, last = {}, 3
        for name in self.layer_names():
            if name.startswith("conv"):
                last = getattr(self, name).out_channels
            out[name] = last
        return out

    def summary(self) -> list[str]:
        """One line per layer in Keras words (Conv2D 32 3×3 relu, MaxPooling2D 2×2, ...)."""
        lines = []
        for name in self.layer_names():
            if name.startswith("conv"):
                conv = getattr(self, name)
                pad = "same" if conv.padding != (0, 0) else "valid"
                lines.append(f"{name}: Conv2D {conv.out_channels} filters 3×3, {pad}, relu")
            else:
                lines.append(f"{name}: MaxPooling2D 2×2")
        lines += [f"flatten: Flatten ({self.flat_features})", f"dense1: Dense {self.dense_units}, relu",
                  f"dense2: Dense {len(self.class_names)} (logits; softmax gives probabilities, notes 2.9)"]
        return lines

    # ---- computing -----------------------------------------------------------------------
    def _features(self, x: torch.Tensor, until: str | None = None, bands: bool = False) -> dict[str, torch.Tensor]:
        """Run the convolutional base on ``(B, 3, H, W)``; every layer's output up to ``until``. With
        ``bands``, a convolution that a pooling follows and that is not ``until`` runs with its pooling
        in bands (:func:`_conv_relu_pool_bands`), so its own output is not in the result."""
        out: dict[str, torch.Tensor] = {}
        for i, (name, _f, _p) in enumerate(self.conv_spec):
            pool = f"pool{i + 1}"
            if bands and name in self.pool_after and name != until:
                x = out[pool] = _conv_relu_pool_bands(getattr(self, name), x)
            else:
                x = out[name] = _conv_relu(getattr(self, name), x)
                if name == until:
                    return out
                if name in self.pool_after:
                    x = out[pool] = _max_pool2(x)
            if pool == until:
                return out
        return out

    def layer_output(self, images, layer: str) -> torch.Tensor:
        """Only ``layer``'s output ``(B, C, H', W')`` for channels-last ``images`` (what the live view asks
        for): as :meth:`activations` gives it, the convolutions before it that a pooling follows run
        with their pooling in bands."""
        if layer not in self.layer_channels():
            raise ValueError(f"{self.kind} has no layer {layer!r}; choose one of {', '.join(self.layer_names())}")
        dev = next(self.parameters()).device
        with torch.inference_mode():
            return self._features(to_input(images, dev), layer, bands=True)[layer]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 3, 32, 32)`` floats in 0..1 → ``(B, classes)`` logits."""
        feats = self._features(x)
        x = feats[self.layer_names()[-1]]
        x = x.permute(0, 2, 3, 1).flatten(1)  # Keras flattens channels last
        return self.dense2(F.relu(self.dense1(x)))

    def activations(self, images, until: str | None = None) -> dict[str, torch.Tensor]:
        """Every conv/pool layer's output ``(B, C, H', W')`` for channels-last ``images`` of any size."""
        dev = next(self.parameters()).device
        with torch.inference_mode():
            return self._features(to_input(images, dev), until)

    def classify(self, images) -> np.ndarray:
        """Softmax probabilities ``(B, classes)`` for channels-last 32×32 images (notes 2.9)."""
        dev = next(self.parameters()).device
        with torch.inference_mode():
            x = to_input(images, dev)
            if x.shape[-2:] != (self.input_size, self.input_size):
                raise ValueError(f"{self.kind} classifies {self.input_size}×{self.input_size} images; "
                                 f"got {x.shape[-1]}×{x.shape[-2]} (use center_crop)")
            return torch.softmax(self(x), dim=1).cpu().numpy()

    # ---- weights -------------------------------------------------------------------------
    def load_weights(self, path, sha256: str | None = None) -> None:
        """Load a checkpoint safely; ValueError (weights unchanged) when it does not fit this network."""
        state, meta = read_checkpoint(path, sha256)
        check_state(self, state, Path(path).name)
        names = meta.get("class_names")
        if names is not None:
            if not isinstance(names, list) or len(names) != len(self.class_names):
                raise ValueError(f"{Path(path).name} names {len(names) if isinstance(names, list) else 'no'} "
                                 f"classes; this network has {len(self.class_names)}")
        self.load_state_dict({k: state[k].to(t.dtype) for k, t in self.state_dict().items()}, strict=True)
        if names is not None:
            self.class_names = [str(n) for n in names]

    def save_weights(self, path, extra: dict | None = None) -> str:
        """Write a safetensors checkpoint with the class names; returns its SHA-256."""
        from safetensors.torch import save_file

        meta = {"network": self.kind, "class_names": json.dumps(self.class_names), **(extra or {})}
        state = {k: v.detach().cpu().contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(path), metadata={k: str(v) for k, v in meta.items()})
        return file_sha256(path)


class NotesCNN(ConvNet):
    """Notes 2.13: Conv2D 32 → MaxPool → Conv2D 64 → MaxPool → Conv2D 64 → Flatten → Dense 64 → Dense 10."""

    kind = "notes_cnn"
    conv_spec = [("conv1", 32, "valid"), ("conv2", 64, "valid"), ("conv3", 64, "valid")]
    pool_after = {"conv1", "conv2"}
    dense_units = 64


class KerasExampleCNN(ConvNet):
    """Notes 2.8: three Conv2D 'same' (16, 32, 64) each with MaxPooling, Flatten, Dense 128, Dense classes.

    The notes' ``Rescaling(1./255)`` is :func:`to_input`'s division by 255.
    """

    kind = "notes_2_8"
    conv_spec = [("conv1", 16, "same"), ("conv2", 32, "same"), ("conv3", 64, "same")]
    pool_after = {"conv1", "conv2", "conv3"}
    dense_units = 128


NETWORKS = {NotesCNN.kind: NotesCNN, KerasExampleCNN.kind: KerasExampleCNN}


def file_sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_checkpoint(path, sha256: str | None = None) -> tuple[dict[str, torch.Tensor], dict]:
    """Tensors and metadata of a checkpoint file, checked; ValueError with the reason otherwise."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{p.name}: no such weights file")
    data = p.read_bytes()
    if sha256 is not None:
        got = hashlib.sha256(data).hexdigest()
        if got != sha256.lower():
            raise ValueError(f"{p.name} is not the file it should be: its SHA-256 checksum is {got[:12]}…, "
                             f"expected {sha256[:12]}… (damaged or replaced; reinstall desktopnn)")
    if p.suffix.lower() in (".pt", ".pth"):
        import io
        import pickle

        try:
            obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
            raise ValueError(f"{p.name} is not a torch checkpoint this app can load safely ({exc})") from None
        if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
            raise ValueError(f"{p.name} does not hold a plain dictionary of weights")
        return dict(obj), {}
    try:
        from safetensors import SafetensorError
        from safetensors.torch import load as st_load

        state = st_load(data)
        meta = _safetensors_metadata(data)
    except (SafetensorError, ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{p.name} is not a readable safetensors weights file; it looks damaged ({exc})") from None
    return state, meta


def _safetensors_metadata(data: bytes) -> dict:
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = dict(header.get("__metadata__", {}) or {})
    if "class_names" in meta:
        meta["class_names"] = json.loads(meta["class_names"])
    return meta


def check_state(model: nn.Module, state: dict[str, torch.Tensor], label: str) -> None:
    """ValueError unless ``state`` has exactly the model's tensor names and shapes, all finite."""
    want = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    missing = sorted(set(want) - set(state))
    extra = sorted(set(state) - set(want))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing[:4])}")
        if extra:
            parts.append(f"unexpected {', '.join(extra[:4])}")
        raise ValueError(f"{label} holds weights for a different network ({'; '.join(parts)})")
    for k, shape in want.items():
        if tuple(state[k].shape) != shape:
            raise ValueError(f"{label}: {k} has shape {tuple(state[k].shape)}, this network needs {shape}")
        if not state[k].is_floating_point() or not torch.isfinite(state[k]).all():
            raise ValueError(f"{label}: {k} contains values that are not finite numbers")


def shipped_weights() -> tuple[Path, dict]:
    """The bundled notes-CNN weights file and its JSON card (class names, SHA-256, accuracy)."""
    root = resources.files("desktopnn").joinpath(WEIGHTS_DIR)
    path = Path(str(root.joinpath(NOTES_CNN_FILE)))
    card_path = path.with_suffix(".json")
    if not card_path.is_file():
        raise ValueError(f"the trained weights' description {card_path.name} is missing; reinstall desktopnn")
    return path, json.loads(card_path.read_text(encoding="utf-8"))


def load_notes_cnn(device: torch.device | None = None) -> NotesCNN:
    """The notes' 2.13 CNN with the weights shipped in the package (checksum verified), ready to run."""
    path, card = shipped_weights()
    model = NotesCNN(card.get("class_names"))
    model.load_weights(path, sha256=card.get("sha256"))
    model.eval()
    if device is not None:
        model.to(device)
    if device is None or device.type == "cpu":
        model.to(memory_format=torch.channels_last)
    return model


def center_crop(image, size: int = 32):
    """The centre square of an ``(H, W, 3)`` uint8 frame, resized to ``size``×``size`` (area average).

    A numpy frame gives a numpy array; a torch frame a uint8 tensor on its own device."""
    h, w = image.shape[:2]
    side = min(h, w)
    y, x = (h - side) // 2, (w - side) // 2
    square = image[y:y + side, x:x + side]
    is_tensor = isinstance(square, torch.Tensor)
    crop = (square if is_tensor else torch.from_numpy(np.ascontiguousarray(square))).permute(2, 0, 1)[None].float()
    small = F.interpolate(crop, size=(size, size), mode="area")
    out = small[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8)
    return out if is_tensor else out.numpy()
