"""The animator's scenes (issue 9): input, operation, every parameter, the step on show (notes 2.5–2.7).

State keys (all optional in a hand-written scene): ``preset`` (a preset's title: the starting point
for the keys not given; default the first preset, max pooling 7×7 → 3×3), ``image`` (rows × cols or
rows × cols × channels, at most 16×16×4), ``op`` ("conv", "max", "avg"), ``kernel`` (kh × kw or
kh × kw × channels, at most 7×7; one slice is copied to every channel), ``bias``, ``pool``,
``stride``, ``dilation`` (pairs), ``padding`` ("valid", "same", "full", "explicit"), ``explicit``
(top, bottom, left, right), ``source`` and ``preset_title`` (the texts on show), ``position`` (0 =
before the first step), ``channel`` (the channel on show) and ``speed`` (steps per second).
"""

from __future__ import annotations

import numpy as np

from desktopnn.engine.convolution.steps import conv_steps, pool_steps
from desktopnn.scenes import SceneError, encode_array
from desktopnn.ui.animator.state import (MAX_CHANNELS, MAX_DILATION, MAX_INPUT, MAX_PAD, MAX_STRIDE, MAX_WINDOW,
                                         OP_TITLES, PAD_MODES, PRESETS, SPEEDS)
from desktopnn.ui.grid import MAX_MAGNITUDE
from desktopnn.ui.scene_fields import get_array, get_int, get_number, get_pair, get_str


def scene_state(tab) -> dict:
    """Everything on show, as plain data for a scene file."""
    st = tab.state
    return {"image": encode_array(st.image), "op": st.op, "kernel": encode_array(st.kernel), "bias": float(st.bias),
            "pool": list(st.pool), "stride": list(st.stride), "padding": st.padding, "explicit": list(st.explicit),
            "dilation": list(st.dilation), "source": st.source, "preset_title": st.preset_title,
            "position": tab.position, "channel": tab.channel, "speed": tab.speed_per_s}


def _base(title: str | None) -> dict:
    """The values a preset sets (as AnimatorState.apply_preset does, from a fresh state)."""
    titles = [p.title for p in PRESETS]
    if title is not None and title not in titles:
        raise SceneError(f"The scene starts from a preset “{title}” that this desktopnn does not have.")
    v = PRESETS[titles.index(title) if title else 0].values()
    if v["kernel"] is None:                   # a fresh state's kernel: all ones
        v["kernel"] = np.ones((3, 3, 1))
    return v


def check(tab, state) -> dict:
    """Everything in ``state`` validated against the animator's own limits; nothing changes here."""
    if not isinstance(state, dict):
        raise SceneError("The scene's state for the animator is not a group of settings.")
    preset = state.get("preset")
    if preset is not None and not isinstance(preset, str):
        raise SceneError("The scene's “preset” should be a preset's title.")
    v = _base(preset)
    if "image" in state:
        img = get_array(state["image"], "input", max_ndim=3, max_abs=MAX_MAGNITUDE)
        v["image"] = (img[:, :, None] if img.ndim == 2 else img[:, None, None] if img.ndim == 1 else img).astype(float)
    h, w, chans = v["image"].shape
    if not (1 <= h <= MAX_INPUT and 1 <= w <= MAX_INPUT and 1 <= chans <= MAX_CHANNELS):
        raise SceneError(f"The scene's input is {h}×{w} with {chans} channels; the animator takes at most "
                         f"{MAX_INPUT}×{MAX_INPUT} with 1 to {MAX_CHANNELS} channels.")
    if "kernel" in state:
        k = get_array(state["kernel"], "kernel", max_ndim=3, max_abs=MAX_MAGNITUDE)
        if k.ndim != 2 and k.ndim != 3:
            raise SceneError(f"The scene's kernel has shape {k.shape}: it must be rows × columns (× channels).")
        v["kernel"] = (k[:, :, None] if k.ndim == 2 else k).astype(float)
    k = v["kernel"]
    if k.shape[2] == 1 and chans > 1:
        k = np.repeat(k, chans, axis=2)
    if k.shape[2] != chans or not (1 <= k.shape[0] <= MAX_WINDOW and 1 <= k.shape[1] <= MAX_WINDOW):
        raise SceneError(f"The scene's kernel is {k.shape[0]}×{k.shape[1]}×{k.shape[2]}; it must be at most "
                         f"{MAX_WINDOW}×{MAX_WINDOW} with one slice per input channel ({chans}, notes 2.2).")
    v["kernel"] = k.copy()
    v["op"] = get_str(state, "op", default=v["op"], choices=list(OP_TITLES))
    v["bias"] = get_number(state, "bias", default=v["bias"], lo=-999, hi=999)
    v["pool"] = get_pair(state, "pool", default=v["pool"], lo=1, hi=MAX_WINDOW)
    v["stride"] = get_pair(state, "stride", default=v["stride"], lo=1, hi=MAX_STRIDE)
    v["dilation"] = get_pair(state, "dilation", default=v["dilation"], lo=1, hi=MAX_DILATION)
    v["padding"] = get_str(state, "padding", default=v["padding"], choices=PAD_MODES)
    v["explicit"] = get_pair(state, "explicit", default=v["explicit"], lo=0, hi=MAX_PAD, size=4)
    v["source"] = get_str(state, "source", default=v["source"])
    title = get_str(state, "preset_title", default=v["preset_title"])
    v["preset_title"] = title if title in [p.title for p in PRESETS] else ""
    spec = tuple(v["explicit"]) if v["padding"] == "explicit" else v["padding"]
    try:
        if v["op"] == "conv":
            total = len(conv_steps(v["image"], v["kernel"], v["bias"], v["stride"], spec, v["dilation"]))
        else:
            total = len(pool_steps(v["image"], v["pool"], v["stride"], spec, v["op"]))
    except ValueError:
        total = 0                       # saved while the settings could not work: shown with the reason
    return {"values": v, "position": get_int(state, "position", default=0, lo=0, hi=total),
            "channel": get_int(state, "channel", default=0, lo=0, hi=chans - 1),
            "speed": get_number(state, "speed", default=tab.speed_per_s, lo=min(SPEEDS), hi=max(SPEEDS))}


def apply(tab, plan: dict) -> None:
    """Show a checked scene: the settings, the channel, the speed and the step on show."""
    tab.pause()
    tab.state.restore(plan["values"])   # the panel syncs; the tab makes the step list
    tab.set_channel(plan["channel"])
    tab.set_speed(plan["speed"])
    tab.forget_reveal()
    tab.set_position(plan["position"])
