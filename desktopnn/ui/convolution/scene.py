"""The Convolution lab's scenes (issue 9): image, kernel bank, parameters and the explained cell.

State keys (all optional in a hand-written scene; a missing key takes the lab's default):

- ``image``: ``{"source": "Photo: chelsea", "sample": "chelsea"}`` for a bundled photo, or
  ``{"source": "File: cat.png" | "Numbers: …", "array": <encode_array or nested lists>}`` for a
  person's own photo (the pixels the lab uses, at most 640 a side) or a grid of numbers (at most 12×12,
  grayscale or RGB). Default: the lab's default photo.
- ``kernels``: ``[{"name", "values" (kh×kw or kh×kw×depth, depth 1 or 3), "bias", "about"}]``, 1 to 12;
  default: the lab's four default kernels.
- ``stride`` (1–8, default 1), ``padding`` ("valid", "same", "full" or a number of cells 0–6; default
  "valid"), ``relu`` (default false), ``policy`` ("grayscale" or "replicate", default "grayscale"),
  ``colormap`` (a label of the colours box, or null to follow the theme).
- ``cell``: ``[kernel, row, col]`` of the explained output cell (0-based), or null for the middle of
  the first map.
"""

from __future__ import annotations

import numpy as np

from desktopnn.engine.images import load_image
from desktopnn.engine.convolution.kernels import Kernel
from desktopnn.engine.convolution.lab import GRAYSCALE, REPLICATE, fit_depth
from desktopnn.engine.convolution.padding import output_shape
from desktopnn.scenes import SceneError, encode_array
from desktopnn.ui.convolution.state import (COLORMAPS, GRID_PRESETS, MAX_GRID, MAX_KERNELS, MAX_PAD_CELLS,
                                            MAX_PHOTO_SIDE, MAX_SIDE, MAX_STRIDE, OWN_GRID, PAD_MODES, default_kernels,
                                            default_sample)
from desktopnn.ui.grid import MAX_MAGNITUDE
from desktopnn.ui.scene_fields import (get_array, get_bool, get_dict, get_int, get_list, get_number, get_str,
                                      shown)


def scene_state(tab) -> dict:
    inp = tab.inputs
    name = inp.source.removeprefix("Photo: ")
    if not inp.is_grid and inp.source.startswith("Photo: ") and name in inp.samples:
        image = {"source": inp.source, "sample": name}
    else:
        image = {"source": inp.source, "array": encode_array(inp.image)}
    kernels = [{"name": k.name, "values": encode_array(np.asarray(k.values, dtype=np.float64)),
                "bias": float(k.bias), "about": k.about} for k in tab.bank.kernels()]
    cell = tab.current_cell()
    return {"image": image, "kernels": kernels, "stride": tab.stride.value(), "padding": tab.padding_spec(),
            "relu": tab.relu.isChecked(), "policy": tab.policy_value(),
            "colormap": tab.colormap_choice(),
            "cell": list(cell) if cell else None}


def _image(tab, spec: dict | None) -> tuple[str, np.ndarray, bool]:
    """(label, pixels, is_grid) of the scene's image, checked."""
    samples = tab.inputs.samples
    if spec is None:
        spec = {"sample": default_sample(samples)}
    if "sample" in spec:
        name = get_str(spec, "sample", default="", choices=list(samples))
        try:
            return f"Photo: {name}", load_image(str(samples[name]), max_side=MAX_PHOTO_SIDE), False
        except ValueError as exc:
            raise SceneError(f"The scene's photo “{name}” cannot be opened: {exc}.") from None
    if "array" not in spec:
        raise SceneError("The scene's image names neither a bundled photo (“sample”) nor its numbers (“array”).")
    source = get_str(spec, "source", default="")
    arr = get_array(spec["array"], "image", max_ndim=3, max_abs=MAX_MAGNITUDE)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 1 or (arr.ndim == 3 and arr.shape[2] != 3):
        raise SceneError(f"The scene's image has shape {arr.shape}: it must be rows × columns, grayscale or RGB.")
    grid = source.startswith("Numbers") or (not source and max(arr.shape[:2]) <= MAX_GRID)
    if grid:
        if max(arr.shape[:2]) > MAX_GRID:
            raise SceneError(f"The scene's grid of numbers is {arr.shape[0]}×{arr.shape[1]}; "
                             f"the lab edits grids of at most {MAX_GRID}×{MAX_GRID}.")
        return (source if source in GRID_PRESETS else OWN_GRID), arr.astype(np.float64), True
    if max(arr.shape[:2]) > MAX_PHOTO_SIDE:
        raise SceneError(f"The scene's photo is {arr.shape[1]}×{arr.shape[0]} pixels; the lab uses photos of at "
                         f"most {MAX_PHOTO_SIDE} pixels a side (it shrinks them when it opens a file).")
    if arr.min() < 0 or arr.max() > 255 or not np.allclose(arr, np.round(arr)):
        raise SceneError("The scene's photo must hold whole numbers from 0 to 255.")
    label = source if source.startswith(("File: ", "Photo: ")) else f"File: {source or 'photo from a scene'}"
    if label.startswith("Photo: ") and label.removeprefix("Photo: ") in samples:
        label = "File: " + label.removeprefix("Photo: ")      # a changed copy must not pose as the sample
    return label, np.round(arr).astype(np.uint8), False


def _kernels(items: list | None) -> list[Kernel]:
    if items is None:
        return default_kernels()
    if not 1 <= len(items) <= MAX_KERNELS:
        raise SceneError(f"The scene has {len(items)} kernels; the bank holds 1 to {MAX_KERNELS}.")
    out = []
    for i, item in enumerate(items):
        what = f"kernel {i + 1}"
        if not isinstance(item, dict) or "values" not in item:
            raise SceneError(f"The scene's {what} has no values.")
        values = get_array(item["values"], f"{what}'s values", max_ndim=3, max_abs=MAX_MAGNITUDE)
        if values.ndim == 3 and values.shape[2] == 1:
            values = values[:, :, 0]
        if values.ndim < 2 or any(not 1 <= n <= MAX_SIDE for n in values.shape[:2]) or \
                (values.ndim == 3 and values.shape[2] != 3):
            raise SceneError(f"The scene's {what} has shape {values.shape}: a kernel is 1 to {MAX_SIDE} rows by "
                             f"1 to {MAX_SIDE} columns, with depth 1 or 3 (notes 2.2).")
        out.append(Kernel(get_str(item, "name", default=f"Kernel {i + 1}"), values.astype(np.float64),
                          get_number(item, "bias", default=0.0, lo=-MAX_MAGNITUDE, hi=MAX_MAGNITUDE), get_str(item, "about", default="")))
    return out


def check(tab, state) -> dict:
    """Everything in ``state`` validated; raises SceneError and changes nothing."""
    if not isinstance(state, dict):
        raise SceneError("The scene's state for the Convolution lab is not a group of settings.")
    label, image, is_grid = _image(tab, get_dict(state, "image"))
    kernels = _kernels(get_list(state, "kernels"))
    padding = state.get("padding", "valid")
    if isinstance(padding, str):
        padding = get_str(state, "padding", default="valid", choices=PAD_MODES)
    else:
        padding = get_int(state, "padding", default=0, lo=0, hi=MAX_PAD_CELLS)
    plan = {"label": label, "image": image, "grid": is_grid, "kernels": kernels,
            "stride": get_int(state, "stride", default=1, lo=1, hi=MAX_STRIDE), "padding": padding,
            "relu": get_bool(state, "relu", default=False),
            "policy": get_str(state, "policy", default=GRAYSCALE, choices=(GRAYSCALE, REPLICATE)), "colormap": None}
    if state.get("colormap") is not None:
        plan["colormap"] = get_str(state, "colormap", default="", choices=[c[0] for c in COLORMAPS])
    chans = 1 if image.ndim == 2 else 3
    try:
        fitted, ks = fit_depth(np.zeros((1, 1, chans)), [k.values for k in kernels], plan["policy"])
        shapes = []
        for i, k in enumerate(ks):
            depth = 1 if k.ndim == 2 else k.shape[2]
            if depth != fitted.shape[2]:
                raise ValueError(f"kernel {i + 1} has depth {depth} but the image has {chans} "
                                 f"channel{'s' if chans > 1 else ''} (notes 2.2: they must be equal)")
            shapes.append(output_shape(image.shape[:2], k.shape[:2], plan["stride"], padding))
    except ValueError as exc:
        raise SceneError(f"The scene's kernels cannot slide over its image: {exc}.") from None
    cell = state.get("cell")
    if cell is not None:
        if (not isinstance(cell, list) or len(cell) != 3 or any(isinstance(x, bool) or not isinstance(x, int)
                                                                 for x in cell)
                or not 0 <= cell[0] < len(kernels)):
            raise SceneError(f"The scene's explained cell {shown(cell)} should be [kernel, row, col] of one of its "
                             f"{len(kernels)} kernels (counting from 0).")
        oh, ow = shapes[cell[0]]
        if not (0 <= cell[1] < oh and 0 <= cell[2] < ow):
            raise SceneError(f"The scene's explained cell (row {cell[1]}, col {cell[2]}) is outside kernel "
                             f"{cell[0] + 1}'s {oh}×{ow} feature map.")
        cell = tuple(cell)
    plan["cell"] = cell
    return plan


def apply(tab, plan: dict) -> None:
    """Set every control from a checked plan; the maps follow from the worker (wait_idle waits)."""
    inp = tab.inputs
    if plan["grid"]:
        inp.set_grid_image(plan["image"], plan["label"])
    else:
        inp.set_photo(plan["image"], plan["label"])
    tab.bank.set_kernels(plan["kernels"])
    tab.stride.setValue(plan["stride"])
    tab.set_padding(plan["padding"])
    tab.relu.setChecked(plan["relu"])
    tab.set_policy(plan["policy"])
    tab.choose_colormap(plan["colormap"])
    tab.restart_on_cell(plan["cell"])
