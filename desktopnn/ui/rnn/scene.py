"""The RNN tab's scenes (issue 9): sub-view, sequence, settings, the time step and the trained weights.

``scene_state`` writes the weights of the trained RNN (W_hx, W_hh, b_h, W_hy, b_y: the numbers the
memory cell shows) so that a scene shows the very same numbers in class. ``check`` validates a state
completely before anything changes; ``apply`` then sets the controls and retrains in the tab's worker,
and the scene's weights replace the trained ones when that training arrives.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from desktopnn.engine.rnn.memory import SEQUENCE_PRESETS, parse_sequence, vocabulary
from desktopnn.scenes import SceneError, encode_array
from desktopnn.ui.rnn.state import ACTIVATIONS, HIDDEN_SIZES, VIEW_NAMES, WEIGHT_NAMES
from desktopnn.ui.scene_fields import (decode_state_dict, get_bool, get_choice, get_dict, get_int, get_number,
                                       need_dict)


def scene_state(tab) -> dict:
    st = tab.state
    tv, fv = tab.train_view, tab.forecast_view
    out = {"view": VIEW_NAMES[tab.views.currentIndex()], "preset": st.preset or "typed",
           "sequence": list(st.items), "hidden_size": st.hidden_size, "activation": st.activation, "t": st.t,
           "types_phase": tab.types_view.diagram.phase, "types_playing": tab.types_view.play_button.isChecked(),
           "highlight": tab.unroll_view.diagram.highlight,
           "bptt": {"loss": tv.loss_mode.currentData(), "w_hh_scale": round(tv.w_hh_scale(), 6),
                    "window": tv.window.value(), "step": tv.revealed},
           "forecast": {"season": fv.period.value(), "noise": round(fv.noise.value(), 4),
                        "window": fv.window.value()}}
    res = st.result
    if res is not None and res.items == st.items and res.hidden_size == st.hidden_size:
        m = res.rnn
        out["weights"] = {k: encode_array(getattr(m, k).numpy()) for k in WEIGHT_NAMES}
    return out


def check(tab, state) -> dict:
    """Everything in ``state`` validated and normalised (SceneError otherwise); nothing changes here."""
    s = need_dict(state)
    plan = {"view": get_choice(s, "view", VIEW_NAMES, default=VIEW_NAMES[tab.views.currentIndex()], what="sub-view")}
    preset = get_choice(s, "preset", list(SEQUENCE_PRESETS) + ["typed"], default=None, what="sequence preset")
    seq = s.get("sequence")
    if seq is not None:
        if not isinstance(seq, list) or not all(isinstance(i, str) for i in seq):
            raise SceneError("The scene's sequence must be a list of item names, e.g. [\"white shirt\", \"red shirt\"].")
        try:
            items = parse_sequence("\n".join(seq))
        except ValueError as exc:
            raise SceneError(f"The scene's sequence cannot be used: {exc}.") from None
        if len(items) != len(seq):
            raise SceneError("The scene's sequence has empty items.")
        if preset is None:
            preset = next((k for k, v in SEQUENCE_PRESETS.items() if list(v) == items), "typed")
    elif preset is not None and preset != "typed":
        items = list(SEQUENCE_PRESETS[preset])
    elif preset == "typed":
        raise SceneError("The scene says “my own sequence” but gives no sequence.")
    else:
        items, preset = list(tab.state.items), tab.state.preset or "typed"
    plan.update(items=items, preset=preset,
                hidden_size=get_int(s, "hidden_size", default=4, lo=HIDDEN_SIZES[0], hi=HIDDEN_SIZES[1],
                                    what="hidden size"),
                activation=get_choice(s, "activation", ACTIVATIONS, default="tanh", what="activation"))
    plan["t"] = get_int(s, "t", default=0, lo=0, hi=len(items) - 1, what="time step t")
    plan["types_phase"] = get_int(s, "types_phase", default=0, lo=0, hi=999, what="sequence-types step")
    plan["types_playing"] = get_bool(s, "types_playing", default=True, what="sequence-types animation")
    plan["highlight"] = get_choice(s, "highlight", ["W_hh", "W_hx", "b_h"], default="W_hh", what="highlighted weight")
    b = get_dict(s, "bptt", default={}, what="training settings")
    scale = get_number(b, "w_hh_scale", default=1.0, lo=0.1, hi=10.0, what="W_hh multiplier")
    plan["bptt"] = {"loss": get_choice(b, "loss", ["last", "total"], default="last", what="back-propagated loss"),
                    "scale": round(100 * math.log10(scale)),
                    "window": get_int(b, "window", default=0, lo=0, hi=60, what="truncation window"),
                    "step": get_int(b, "step", default=0, lo=0, hi=60, what="backward-pass step")}
    f = get_dict(s, "forecast", default={}, what="forecast settings")
    plan["forecast"] = {"season": get_int(f, "season", default=24, lo=4, hi=100, what="season length"),
                        "noise": get_number(f, "noise", default=0.5, lo=0.0, hi=5.0, what="forecast noise"),
                        "window": get_int(f, "window", default=12, lo=2, hi=60, what="forecast window")}
    plan["weights"] = None
    if s.get("weights") is not None:
        v, h = len(vocabulary(items)), plan["hidden_size"]
        shapes = {"W_hx": (v, h), "W_hh": (h, h), "b_h": (h,), "W_hy": (h, v), "b_y": (v,)}
        plan["weights"] = decode_state_dict(s["weights"], shapes, "RNN weights", np.float64)
    return plan


def apply(tab, plan: dict) -> None:
    """Set every control from a checked ``plan``; training (and the weights) follow in the worker."""
    st = tab.state
    key = (tuple(plan["items"]), plan["hidden_size"], plan["activation"])
    tab.set_scene_weights(key if plan["weights"] is not None else None, plan["weights"])
    for w in (tab.preset, tab.hidden, tab.activation):
        w.blockSignals(True)
    tab.preset.setCurrentIndex(max(0, tab.preset.findData(plan["preset"])))
    if plan["preset"] == "typed":
        tab.typed.setText(", ".join(plan["items"]))
    tab.hidden.setValue(plan["hidden_size"])
    tab.activation.setCurrentText(plan["activation"])
    for w in (tab.preset, tab.hidden, tab.activation):
        w.blockSignals(False)
    tab.error.setVisible(False)
    changed = (list(plan["items"]), plan["hidden_size"], plan["activation"]) != (st.items, st.hidden_size,
                                                                                st.activation)
    st.items, st.preset = list(plan["items"]), plan["preset"]
    st.hidden_size, st.activation = plan["hidden_size"], plan["activation"]
    st.t = plan["t"]
    st.revealed = plan["t"]
    if changed or plan["weights"] is not None:
        st.result = None if changed else st.result
        st.settings_changed.emit()          # views refresh; the tab retrains in its worker
    st.step_changed.emit(st.t)
    tv = tab.train_view
    b = plan["bptt"]
    for w in (tv.loss_mode, tv.scale, tv.window):
        w.blockSignals(True)
    tv.loss_mode.setCurrentIndex(max(0, tv.loss_mode.findData(b["loss"])))
    tv.scale.setValue(b["scale"])
    tv.window.setValue(b["window"])
    for w in (tv.loss_mode, tv.scale, tv.window):
        w.blockSignals(False)
    tab.set_scene_bptt_step(b["step"] or None)
    tv.recompute()
    fv = tab.forecast_view
    f = plan["forecast"]
    for w in (fv.period, fv.noise, fv.window):
        w.blockSignals(True)
    fv.period.setValue(f["season"])
    fv.noise.setValue(f["noise"])
    fv.window.setValue(f["window"])
    for w in (fv.period, fv.noise, fv.window):
        w.blockSignals(False)
    if fv.series is not None and fv.source.startswith("generated"):
        fv.use_generated()
    tab.types_view.play_button.setChecked(plan["types_playing"])
    tab.types_view.diagram.set_phase(plan["types_phase"])
    tab.unroll_view.set_highlight(plan["highlight"])
    tab.views.setCurrentIndex(VIEW_NAMES.index(plan["view"]))


def with_weights(result, weights: dict):
    """A trained MemoryResult whose RNN has the scene's weights (its predictions and accuracy follow)."""
    import torch

    from desktopnn.engine.rnn.cell import SimpleRNN
    from desktopnn.engine.rnn.memory import _accuracy

    t = {k: torch.as_tensor(np.asarray(v, np.float64)) for k, v in weights.items()}
    net = SimpleRNN(t["W_hx"], t["W_hh"], t["b_h"], t["W_hy"], t["b_y"], activation=result.activation)
    with torch.no_grad():
        run = net.forward(result.xs())
    pred = run.logits.argmax(-1).tolist()
    res = replace(result, rnn=net, rnn_pred=pred, rnn_acc=_accuracy(pred, result.targets))
    return res, run.a.numpy().copy(), run.h.numpy().copy()
