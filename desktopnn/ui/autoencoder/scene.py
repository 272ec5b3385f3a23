"""The Encoder & decoder tab's scenes (issue 9; notes 3, 3.0.1): sub-view, bottleneck, digit, noise,
audio source and settings, and the weights of an autoencoder trained in this session.

``check`` validates everything (and loads the saved weights into a fresh model) before anything
changes; ``apply`` sets the controls and the models load or encode in the views' workers. An audio file
that is not there any more falls back to the demo audio with a notice instead of failing the scene.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from desktopnn.engine.audio.config import AUDIO_BOTTLENECKS
from desktopnn.scenes import SceneError
from desktopnn.sources.audio import SAMPLE_RATES
from desktopnn.ui.autoencoder.state import (DEMO, FILE, HOPS, IMAGE_BOTTLENECKS, MIC, NOISE_ORDER, PHASES, VIEWS,
                                            WINDOWS)
from desktopnn.ui.scene_fields import (decode_state_dict, encode_state_dict, get_bool, get_choice, get_dict,
                                       get_int, get_number, get_str, need_dict)


def _data(box) -> list:
    return [box.itemData(i) for i in range(box.count())]


def scene_state(tab) -> dict:
    v, c = tab.images, tab.audio.controls
    kind = c.source_kind()
    out = {"view": "audio" if tab.views.currentWidget() is tab.audio else "images",
           "images": {"bottleneck": int(v.bottleneck.currentData()), "epochs": v.epochs.value(),
                      "digit": v.sample.value(), "noise": v.noise.currentData(), "amount": v.amount.value() / 100,
                      "labels_per_digit": v.per_class.value()},
           "audio": {"source": kind, "sample_rate": int(c.rate.currentData()), "mel": c.mel(),
                     "window_ms": float(c.window.currentData()), "hop": float(c.hop.currentData()),
                     "bottleneck": c.code_size(), "denoise": c.denoise.isChecked(), "noise": c.noise.value(),
                     "phase": c.method.currentData()}}
    if kind == FILE and c.file_path:
        out["audio"]["file"] = c.file_path
    m = v.model
    if m is not None and v.trained_in_session:
        try:
            out["images"]["trained_model"] = {"shape": m.meta(), "weights": encode_state_dict(m.state_dict()),
                                              "loss": [list(map(float, v.history[0])), list(map(float, v.history[1]))]}
        except SceneError as exc:
            tab.notice.emit(str(exc))
    return out


def check(tab, state) -> dict:
    s = need_dict(state)
    v, c = tab.images, tab.audio.controls
    p = {"view": get_choice(s, "view", VIEWS, what="sub-view",
                            default="audio" if tab.views.currentWidget() is tab.audio else "images")}
    i = get_dict(s, "images", default={}, what="image settings")
    p["images"] = {"bottleneck": get_choice(i, "bottleneck", IMAGE_BOTTLENECKS, default=2, what="bottleneck"),
                   "epochs": get_int(i, "epochs", default=30, lo=1, hi=300, what="epochs"),
                   "digit": get_int(i, "digit", default=3, lo=0, hi=v.sample.maximum(), what="digit number"),
                   "noise": get_choice(i, "noise", NOISE_ORDER, default="none", what="noise"),
                   "amount": round(get_number(i, "amount", default=0.3, lo=0.0, hi=1.0, what="noise amount") * 100),
                   "labels_per_digit": get_int(i, "labels_per_digit", default=5, lo=1, hi=50,
                                               what="labels per digit"),
                   "model": None}
    if i.get("trained_model") is not None:
        p["images"]["model"] = _model(need_dict(i["trained_model"], "trained autoencoder"))
    a = get_dict(s, "audio", default={}, what="audio settings")
    p["audio"] = {"source": get_choice(a, "source", [DEMO, MIC, FILE], default=DEMO, what="audio source"),
                  "file": get_str(a, "file", default="", what="audio file", max_len=4096),
                  "sample_rate": get_choice(a, "sample_rate", list(SAMPLE_RATES), default=int(c.rate.currentData()),
                                            what="sample rate"),
                  "mel": get_bool(a, "mel", default=False, what="mel scale"),
                  "window_ms": get_choice(a, "window_ms", WINDOWS, default=11.0, what="window length (ms)"),
                  "hop": get_choice(a, "hop", HOPS, default=0.5, what="hop"),
                  "bottleneck": get_choice(a, "bottleneck", list(AUDIO_BOTTLENECKS), default=8,
                                           what="audio bottleneck"),
                  "denoise": get_bool(a, "denoise", default=False, what="denoising choice"),
                  "noise": get_int(a, "noise", default=10, lo=1, hi=50, what="hiss loudness"),
                  "phase": get_choice(a, "phase", [key for _label, key in PHASES], default="phase", what="phase method")}
    if p["audio"]["source"] == FILE and not p["audio"]["file"]:
        raise SceneError("The scene says to play an audio file but does not name it.")
    return p


def _model(t: dict):
    import torch

    from desktopnn.engine.autoencoder.model import Autoencoder

    shape = get_dict(t, "shape", default={}, what="autoencoder's shape")
    n_in = get_int(shape, "n_in", default=64, lo=1, hi=4096, what="autoencoder's input size")
    code = get_int(shape, "code_size", default=2, lo=1, hi=n_in, what="autoencoder's bottleneck")
    hidden = get_int(shape, "hidden", default=96, lo=1, hi=4096, what="autoencoder's hidden size")
    if n_in != 64:
        raise SceneError("The scene's trained autoencoder is not for the 8×8 digits.")
    model = Autoencoder(n_in, code, hidden)
    want = {k: tuple(w.shape) for k, w in model.state_dict().items()}
    arrays = decode_state_dict(t.get("weights"), want, "autoencoder weights", np.float32)
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(a)) for k, a in arrays.items()})
    model.eval()
    loss = t.get("loss", [[], []])
    if not (isinstance(loss, list) and len(loss) == 2 and all(isinstance(x, list) and len(x) <= 10_000 and
                                                              all(isinstance(y, (int, float)) for y in x) for x in loss)):
        raise SceneError("The scene's loss curves of the trained autoencoder are damaged.")
    return model, (loss[0], loss[1])


def apply(tab, p: dict) -> None:
    v, c = tab.images, tab.audio.controls
    i = p["images"]
    widgets = (v.bottleneck, v.sample, v.noise, v.amount)
    for w in widgets:
        w.blockSignals(True)
    v.bottleneck.setCurrentIndex(_data(v.bottleneck).index(i["bottleneck"]))
    v.sample.setValue(i["digit"])
    v.noise.setCurrentIndex(_data(v.noise).index(i["noise"]))
    v.amount.setValue(i["amount"])
    for w in widgets:
        w.blockSignals(False)
    v.epochs.setValue(i["epochs"])
    v.per_class.setValue(i["labels_per_digit"])
    v.amount_label.setText(f"{i['amount'] / 100:.2f}")
    v.mark_load_chosen()                    # what to load is decided here, not on first view
    v.code_size = i["bottleneck"]
    if i["model"] is not None:
        model, history = i["model"]
        v.restore(model, history)
    elif v.model is None or v.trained_in_session or v.model.code_size != i["bottleneck"]:
        v.load_defaults()
    else:
        v.refresh()
    a = p["audio"]
    before = (c.rate.currentData(), c.mel(), c.window.currentData(), c.hop.currentData(), c.code_size())
    boxes = {c.rate: a["sample_rate"], c.scale: a["mel"], c.window: a["window_ms"], c.hop: a["hop"],
             c.bottleneck: a["bottleneck"], c.method: a["phase"]}
    for box, value in boxes.items():
        box.setCurrentIndex(_data(box).index(value))
    c.denoise.blockSignals(True)
    c.noise.blockSignals(True)
    c.denoise.setChecked(a["denoise"])
    c.noise.setValue(a["noise"])
    c.denoise.blockSignals(False)
    c.noise.blockSignals(False)
    if tab.audio.pipeline is not None:      # streaming now: follow the new settings (else on activate)
        if before[:4] != (a["sample_rate"], a["mel"], a["window_ms"], a["hop"]):
            c.settings_changed.emit("analysis")
        if before[4] != a["bottleneck"]:
            c.settings_changed.emit("bottleneck")
        c.settings_changed.emit("noise")
    source = a["source"]
    if source == FILE and not Path(a["file"]).is_file():
        tab.notice.emit(f"The scene's audio file “{Path(a['file']).name}” is not there: playing the demo audio.")
        source = DEMO
    if source == FILE:
        c.open_file(a["file"])
    elif source == MIC:
        c.choose_mic()                       # a missing microphone falls back to the demo with a notice
    else:
        c.choose_demo()
    tab.views.setCurrentWidget(tab.audio if p["view"] == "audio" else tab.images)
