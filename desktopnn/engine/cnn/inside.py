"""Seeing inside the classifier: softmax step by step (2.9), dropout (2.10), flattening (1.2).

Every function returns plain numbers for a view to draw; the arithmetic is done by torch itself
(``torch.softmax``, ``F.dropout``), so what the lesson shows is what training really does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from desktopnn.engine.cnn.notes_cnn import to_input


@dataclass
class SoftmaxSteps:
    """Notes 2.9: probabilities are e^logit divided by the sum of all e^logit."""

    class_names: list[str]
    logits: np.ndarray        # (K,)
    shift: float              # subtracted from every logit before exp (0 unless a logit is huge)
    exps: np.ndarray          # (K,) e^(logit - shift)
    total: float              # sum of exps
    probs: np.ndarray         # (K,) exps / total
    top: int

    def rows(self) -> list[tuple[str, float, float, float]]:
        return [(n, float(l), float(e), float(p)) for n, l, e, p in zip(self.class_names, self.logits, self.exps, self.probs)]


def softmax_steps(logits, class_names: list[str] | None = None) -> SoftmaxSteps:
    """Logits → exponentials → sum → probabilities, in float64 so the printed numbers add up.

    When the largest logit is above 50, every logit is shifted down by it first (the result is the
    same, e^a / Σe^b = e^(a−m) / Σe^(b−m)); ``shift`` says by how much.
    """
    z = np.asarray(logits, np.float64).reshape(-1)
    if z.size == 0 or not np.all(np.isfinite(z)):
        raise ValueError("softmax needs at least one finite logit")
    names = list(class_names) if class_names is not None else [str(i) for i in range(z.size)]
    shift = float(z.max()) if z.max() > 50 else 0.0
    exps = np.exp(z - shift)
    total = float(exps.sum())
    probs = exps / total
    return SoftmaxSteps(names, z, shift, exps, total, probs, int(np.argmax(z)))


def predict_steps(model, image: np.ndarray) -> SoftmaxSteps:
    """Classify one ``(H, W, 3)`` uint8 image (resized to the model's input) and explain the softmax."""
    from desktopnn.engine.cnn.datasets import resize_rgb

    h, w, _c = model.input_shape
    img = image if image.shape[:2] == (h, w) and image.ndim == 3 else resize_rgb(image, h)
    model.eval()
    with torch.inference_mode():
        logits = model(to_input(img[None], next(model.parameters()).device))[0].double().cpu().numpy()
    return softmax_steps(logits, model.class_names)


# ---- dropout (notes 2.10) ----------------------------------------------------------------------
@dataclass
class DropoutPass:
    before: np.ndarray        # (units,) the dense layer's ReLU output
    mask: np.ndarray          # (units,) True where a unit was kept
    after: np.ndarray         # (units,) after dropout: 0 where dropped, kept ones scaled by 1/(1-rate)


def dropout_passes(inputs: np.ndarray, units: int = 32, rate: float = 0.5, passes: int = 8,
                   training: bool = True, seed: int = 0) -> list[DropoutPass]:
    """The same input through Dense(units, relu) → Dropout(rate) ``passes`` times.

    In training mode torch drops a fresh random set of units each pass and scales the rest by
    1/(1−rate); in inference mode (``training=False``) nothing is dropped and nothing is scaled.
    """
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"the dropout rate must be at least 0 and below 1 (got {rate:g})")
    x = torch.as_tensor(np.asarray(inputs, np.float32).reshape(1, -1))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        dense = torch.nn.Linear(x.shape[1], units)
        with torch.no_grad():
            dense.bias.uniform_(0.3, 0.9)             # most units fire, so a dropped unit is visible
            before = F.relu(dense(x))[0]
            out = []
            for _ in range(passes):
                keep = F.dropout(torch.ones(units), rate, training=training)   # 0 or 1/(1-rate)
                after = before * keep
                out.append(DropoutPass(before.numpy().copy(), (keep > 0).numpy(), after.numpy().copy()))
    return out


# ---- flattening (notes 1.2) --------------------------------------------------------------------
def flat_index(row: int, col: int, channel: int, shape: tuple[int, int, int]) -> int:
    """Position of pixel (row, col, channel) in Keras's Flatten of an ``(H, W, C)`` image (channels last)."""
    h, w, c = shape
    if not (0 <= row < h and 0 <= col < w and 0 <= channel < c):
        raise ValueError(f"pixel ({row}, {col}, {channel}) is outside a {h}×{w}×{c} image")
    return (row * w + col) * c + channel


def neighbour_indices(row: int, col: int, shape: tuple[int, int, int], channel: int = 0) -> dict[str, int]:
    """The pixel and its four neighbours (up, down, left, right) as positions in the flat vector.

    Left and right stay ``C`` apart; up and down land ``W × C`` places away: in the vector, the pixel
    just above is far from the pixel it touches in the picture. Neighbours outside the image are left out.
    """
    h, w, _c = shape
    out = {"pixel": flat_index(row, col, channel, shape)}
    for name, (dr, dc) in {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}.items():
        r, c = row + dr, col + dc
        if 0 <= r < h and 0 <= c < w:
            out[name] = flat_index(r, c, channel, shape)
    return out


def pixel_permutation(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A fixed random order of the ``height × width`` pixel positions (the same for every image)."""
    return np.random.default_rng(seed).permutation(height * width)


def shuffle_pixels(images: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Apply one pixel permutation to every ``(N, H, W, C)`` image; each pixel keeps its channels."""
    n, h, w, c = images.shape
    if perm.shape != (h * w,):
        raise ValueError(f"the permutation has {perm.size} positions, the images {h * w} pixels")
    return np.ascontiguousarray(images.reshape(n, h * w, c)[:, perm].reshape(n, h, w, c))


def shuffled_dataset(data, seed: int = 0):
    """The same data set with one fixed pixel shuffle applied to every image (train, validation, test)."""
    from dataclasses import replace

    h, w, _c = data.input_shape
    perm = pixel_permutation(h, w, seed)
    return replace(data, name=f"{data.name}, pixels shuffled", x_train=shuffle_pixels(data.x_train, perm),
                   x_val=shuffle_pixels(data.x_val, perm), x_test=shuffle_pixels(data.x_test, perm))


@dataclass
class ShuffleResult:
    """Test accuracy of a dense network and a CNN, on the original and on the pixel-shuffled images."""

    accuracy: dict[tuple[str, str], float]     # (network, "original"/"shuffled") -> test accuracy
    curves: dict[tuple[str, str], list[float]]  # validation accuracy per epoch
    epochs: int


def shuffle_experiment(data, epochs: int = 6, seed: int = 0, report=None, alive=None, device=None) -> ShuffleResult:
    """Notes 1.2: a dense network does not care where pixels are, so a fixed shuffle costs it nothing;
    a CNN looks at neighbouring pixels, so the shuffle destroys what it uses."""
    from desktopnn.engine.cnn.layers import dense_only, notes_2_13, with_classes
    from desktopnn.engine.cnn.train import TrainConfig, build_model, evaluate, fit

    shuffled = shuffled_dataset(data, seed)
    runs = [(net, which) for net in ("dense", "cnn") for which in ("original", "shuffled")]
    acc, curves = {}, {}
    for i, (net, which) in enumerate(runs):
        layers = with_classes(dense_only() if net == "dense" else notes_2_13(), data.classes)
        ds = data if which == "original" else shuffled
        model = build_model(layers, ds.input_shape, ds.class_names, seed)
        cfg = TrainConfig(epochs=epochs, batch_size=32, learning_rate=1e-3, optimizer="adam", seed=seed)

        def step(frac, hist, i=i, key=(net, which)):
            curves[key] = list(hist.val_accuracy)
            if report is not None:
                report((i + frac) / len(runs), dict(curves))

        res = fit(model, ds, cfg, report=step, alive=alive, device=device)
        curves[(net, which)] = list(res.history.val_accuracy)
        acc[(net, which)] = evaluate(res.model, ds.x_test, ds.y_test).accuracy
        if report is not None:
            report((i + 1) / len(runs), dict(curves))
    return ShuffleResult(acc, curves, epochs)
