"""The Train tab's scenes (issue 9): sub-view, data set, layers, training settings, the softmax, dropout
and flatten examples, and the model trained in this session (its weights), so that a lecturer can
train the night before and show that model in class (notes 1.1–1.2, 2.8–2.10, 2.13).

``check`` validates the whole state (and builds the saved model, checking every weight's shape) before
anything changes; ``apply`` sets the controls, then the data set loads and the model is evaluated in
the tab's workers.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from desktopnn.engine.cnn.layers import KINDS, PRESETS, Layer, notes_2_13, plan, with_classes
from desktopnn.engine.cnn.train import OPTIMIZERS
from desktopnn.scenes import SceneError
from desktopnn.ui.scene_fields import (decode_state_dict, encode_state_dict, get_bool, get_choice, get_dict,
                                       get_int, get_number, get_str, need_dict)
from desktopnn.ui.train.state import DATASET_NAMES, DATASETS, INPUT_SHAPES, SIDES, VIEWS

LAYER_FIELDS = {f.name for f in fields(Layer)}


def trained_in_session(origin: str) -> bool:
    return origin.startswith("trained")


def dataset_key(ds) -> str | None:
    name = getattr(ds, "name", None)
    return next((k for k, v in DATASET_NAMES.items() if v == name), None)


def scene_state(tab) -> dict:
    st, tv, dv, fv = tab.state, tab.train_view, tab.dropout_view, tab.flatten_view
    out = {"view": VIEWS[tab.views.currentIndex()],
           "model": {"preset": st.preset, "layers": [vars(layer).copy() for layer in st.layers]},
           "training": {"epochs": tv.epochs.value(), "batch_size": tv.batch.value(),
                        "learning_rate": float(tv.lr.value()), "optimizer": tv.optimizer.currentText(),
                        "seed": tv.seed.value(), "resume": tv.resume.isChecked()},
           "softmax": {"image": tab.softmax_view.index.value()},
           "dropout": {"mode": "training" if dv.training.isChecked() else "inference",
                       "rate": round(dv.rate.value(), 4), "units": dv.units.value(), "speed": dv.speed.value(),
                       "pass": dv.pass_index(), "playing": not dv.play.isChecked()},
           "flatten": {"size": SIDES[fv.side.currentText()], "pixel": list(fv.pixel),
                       "experiment_data": "shapes" if fv.data.currentIndex() == 0 else "dataset",
                       "epochs": fv.epochs.value()}}
    key = dataset_key(st.dataset)
    if key is not None:
        out["dataset"] = key
    m = st.model
    if m is not None and trained_in_session(st.model_origin):
        try:
            weights = encode_state_dict(m.state_dict())
        except SceneError as exc:
            tab.notice.emit(str(exc))
        else:
            out["trained_model"] = {"origin": st.model_origin, "input_shape": list(m.input_shape),
                                    "class_names": list(m.class_names),
                                    "layers": [vars(layer).copy() for layer in m.layers_spec], "weights": weights}
    return out


def _layers(obj, what: str) -> list[Layer]:
    if not isinstance(obj, list) or not obj or len(obj) > 40:
        raise SceneError(f"The scene's {what} must be a list of 1 to 40 layers.")
    out = []
    for i, d in enumerate(obj, 1):
        if not isinstance(d, dict) or d.get("kind") not in KINDS or not set(d) <= LAYER_FIELDS:
            raise SceneError(f"Layer {i} of the scene's {what} is not a layer (a kind among {', '.join(KINDS)}).")
        out.append(Layer(kind=d["kind"], size=get_int(d, "size", default=0, lo=0, hi=4096, what=f"layer {i}'s size"),
                         kernel=get_int(d, "kernel", default=3, lo=1, hi=11, what=f"layer {i}'s kernel"),
                         padding=get_choice(d, "padding", ["valid", "same"], default="valid",
                                            what=f"layer {i}'s padding"),
                         relu=get_bool(d, "relu", default=True, what=f"layer {i}'s ReLU"),
                         rate=get_number(d, "rate", default=0.0, lo=0.0, hi=0.95, what=f"layer {i}'s dropout rate")))
    return out


def check(tab, state) -> dict:
    """Everything validated (SceneError otherwise); the saved model is built here, off screen."""
    s = need_dict(state)
    st = tab.state
    if tab.runners["fit"].busy:
        raise SceneError("A training (or the shuffle experiment) is running: stop it first, then open the scene.")
    p = {"view": get_choice(s, "view", VIEWS, default=VIEWS[tab.views.currentIndex()], what="sub-view"),
         "dataset": get_choice(s, "dataset", list(DATASETS), default=None, what="data set")}
    key = p["dataset"] or dataset_key(st.dataset) or "digits"
    classes = 10 if st.dataset is None or p["dataset"] is not None else st.dataset.classes
    shape = INPUT_SHAPES[key] if st.dataset is None or p["dataset"] is not None else st.dataset.input_shape
    m = get_dict(s, "model", default={}, what="model")
    p["preset"] = get_str(m, "preset", default="", what="model preset", max_len=80)
    if p["preset"] and p["preset"] not in PRESETS:
        p["preset"] = ""
    if "layers" in m:
        p["layers"] = _layers(m["layers"], "model")
    elif p["preset"]:
        p["layers"] = PRESETS[p["preset"]]()
    else:
        p["layers"] = None
    if p["layers"] is not None:
        try:
            plan(with_classes(p["layers"], classes), shape)
        except ValueError as exc:
            raise SceneError(f"The scene's model cannot be built: {exc}.") from None
    t = get_dict(s, "training", default={}, what="training settings")
    p["training"] = (get_int(t, "epochs", default=10, lo=1, hi=200, what="number of epochs"),
                     get_int(t, "batch_size", default=32, lo=1, hi=1024, what="batch size"),
                     get_number(t, "learning_rate", default=0.001, lo=0.0001, hi=1.0, what="learning rate"),
                     get_choice(t, "optimizer", list(OPTIMIZERS), default="adam", what="optimizer"),
                     get_int(t, "seed", default=0, lo=0, hi=99999, what="seed"),
                     get_bool(t, "resume", default=False, what="“continue” choice"))
    p["image"] = get_int(get_dict(s, "softmax", default={}, what="softmax settings"), "image", default=0, lo=0,
                         hi=10 ** 6, what="test image number")
    d = get_dict(s, "dropout", default={}, what="dropout settings")
    p["dropout"] = (get_choice(d, "mode", ["training", "inference"], default="training", what="dropout mode"),
                    get_number(d, "rate", default=0.5, lo=0.0, hi=0.9, what="dropout rate"),
                    get_int(d, "units", default=12, lo=4, hi=24, what="units"),
                    get_int(d, "speed", default=2, lo=1, hi=10, what="speed"),
                    get_int(d, "pass", default=0, lo=0, hi=10 ** 4, what="dropout pass"),
                    get_bool(d, "playing", default=True, what="dropout animation"))
    f = get_dict(s, "flatten", default={}, what="flatten settings")
    side = get_choice(f, "size", list(SIDES.values()), default=8, what="flatten image size")
    pixel = f.get("pixel", [3, 3] if side == 8 else [side // 2 - 1, side // 2 - 1])
    if (not isinstance(pixel, list) or len(pixel) != 2 or any(isinstance(v, bool) or not isinstance(v, int)
                                                               or not 0 <= v < side for v in pixel)):
        raise SceneError(f"The scene's flatten pixel must be [row, column] inside the {side}×{side} image.")
    p["flatten"] = (side, tuple(pixel),
                    get_choice(f, "experiment_data", ["shapes", "dataset"], default="shapes", what="experiment data"),
                    get_int(f, "epochs", default=5, lo=1, hi=50, what="epochs"))
    p["model"] = None
    if s.get("trained_model") is not None:
        p["model"] = _model(need_dict(s["trained_model"], "trained model"))
    return p


def _model(t: dict):
    """The saved model rebuilt and loaded (a SceneError names what is wrong)."""
    import torch

    from desktopnn.engine.cnn.layers import SequentialCNN

    layers = _layers(t.get("layers"), "trained model's layers")
    shape = t.get("input_shape")
    names = t.get("class_names")
    if not (isinstance(shape, list) and len(shape) == 3 and all(isinstance(v, int) and 1 <= v <= 512 for v in shape)):
        raise SceneError("The scene's trained model has no valid input shape (height, width, channels).")
    if not (isinstance(names, list) and 2 <= len(names) <= 1000 and all(isinstance(n, str) for n in names)):
        raise SceneError("The scene's trained model has no valid list of class names.")
    origin = get_str(t, "origin", default="trained (from a scene)", what="model's origin", max_len=200)
    try:
        model = SequentialCNN(layers, tuple(shape), names)
    except ValueError as exc:
        raise SceneError(f"The scene's trained model cannot be built: {exc}.") from None
    want = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    arrays = decode_state_dict(t.get("weights"), want, "trained weights", np.float32)
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(a)) for k, a in arrays.items()})
    model.eval()
    return model, origin


def apply(tab, p: dict) -> None:
    """Set the controls from a checked plan; data, model, evaluation and prediction follow in workers."""
    tv, dv, fv = tab.train_view, tab.dropout_view, tab.flatten_view
    epochs, batch, lr, optimizer, seed, resume = p["training"]
    tv.epochs.setValue(epochs)
    tv.batch.setValue(batch)
    tv.lr.setValue(lr)
    tv.optimizer.setCurrentText(optimizer)
    tv.seed.setValue(seed)
    tv.resume.setChecked(resume)
    mode, rate, units, speed, index, playing = p["dropout"]
    for w in (dv.training, dv.inference, dv.rate, dv.units):
        w.blockSignals(True)
    (dv.training if mode == "training" else dv.inference).setChecked(True)
    dv.rate.setValue(rate)
    dv.units.setValue(units)
    for w in (dv.training, dv.inference, dv.rate, dv.units):
        w.blockSignals(False)
    dv.speed.setValue(speed)
    dv.recompute()
    dv.show_pass(min(index, dv.pass_count() - 1))
    dv.play.setChecked(not playing)
    side, pixel, data, f_epochs = p["flatten"]
    fv.set_side(side)
    fv.select_pixel(*pixel)
    fv.data.setCurrentIndex(0 if data == "shapes" else 1)
    fv.epochs.setValue(f_epochs)
    tab.views.setCurrentIndex(VIEWS.index(p["view"]))
    tab.softmax_view.hidden = False
    tab.pending_scene = p
    continue_scene(tab)


def continue_scene(tab) -> None:
    """The data set first (loading in the worker if it differs), then layers, model and prediction."""
    p = tab.pending_scene
    st = tab.state
    if p is None or st.dataset is None:       # still starting: the tab calls this again when loaded
        return
    want = p["dataset"]
    if want is not None and DATASET_NAMES[want] != st.dataset.name:
        tab.data_view.source.setCurrentText(DATASETS[want])
        p["dataset"] = None
        tab.load_dataset(DATASETS[want])      # its finish calls continue_scene again
        return
    tab.pending_scene = None
    if p["layers"] is not None:
        st.set_layers(p["layers"], p["preset"] or "")
    if p["model"] is not None:
        model, origin = p["model"]
        st.set_layers(model.layers_spec, p["preset"] or "")
        st.set_model(model, origin)
        tab.evaluate()
    elif st.model is None or list(st.model.layers_spec) != list(st.layers):
        if st.dataset.name == DATASET_NAMES["digits"] and list(st.layers) == notes_2_13(st.dataset.classes):
            _use_shipped(tab, p)              # the notes' CNN on the digits: the trained model, not random
            return
        tab.build_fresh_model()
    _show_image(tab, p)


def _use_shipped(tab, p: dict) -> None:
    def then(model):
        tab.state.set_layers(model.layers_spec, p["preset"] or "")
        _show_image(tab, p)

    tab.load_shipped_model(then=then)


def _show_image(tab, p: dict) -> None:
    sv = tab.softmax_view
    sv.index.blockSignals(True)
    sv.index.setValue(p["image"])
    sv.index.blockSignals(False)
    tab.predict_sample(sv.index.value())
