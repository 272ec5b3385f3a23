"""The tensors tab in front of a class and in scenes (issue 9, notes 2.12).

Clicker steps and export frames follow the page on show: on Reshape the elements flow into place one
at a time, on Broadcast the stages step on; Index and Notes have nothing animated. There is no
predict-before-reveal here: indexing, reshape and transpose only move the same numbers, and the
lesson's question is the *shape*, which the view prints beside every tensor.

State keys: ``builder`` ({"shape", "fill", "values"}: the builder's fields), ``tensors`` (every
tensor made, in order: [{"name", "array", "source"}]; one must be "t"), ``shown`` (which of them is
drawn on the left), ``highlight`` (its selected elements, a 0/1 array, or null), ``expression``,
``output`` (texts), ``page`` ("index", "reshape", "broadcast", "notes"), ``index`` ({"text",
"result", "steps"}), ``flow`` ({"kind", "source", "array", "perm", "title", "progress",
"shape_text", "perm_text"}; the result is recomputed), ``broadcast`` ({"a", "b", "op", "names",
"stage", "a_text", "b_text", "op_text"}, or {"error", "shapes"}), ``notes`` ({"example", "ran"}),
``next_result``. Only ``tensors`` is needed; the rest default to an empty page or the first item.
"""

from __future__ import annotations

import math
import re

import numpy as np

from desktopnn.engine.tensors.presets import TENSOR_PRESETS, run_preset
from desktopnn.engine.tensors.shapes import broadcast_stages
from desktopnn.scenes import SceneError, encode_array
from desktopnn.ui.scene_fields import get_array, get_bool, get_dict, get_int, get_list, get_number, get_str

PAGES = ("index", "reshape", "broadcast", "notes")
FILL_KEYS = ("range", "random", "typed")
MAX_ELEMENTS = 10_000
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TensorsPresenter:
    """Clicker steps, export frames and scenes of :class:`TensorsTab`."""

    def _page(self) -> str:
        return PAGES[[self.index_page, self.flow, self.broadcast, self.notes].index(self.pages.currentWidget())]

    def step(self, delta: int) -> bool:
        before = self.current_frame()
        if self._page() == "reshape" and self.flow.canvas.flow:
            self.flow.step() if delta > 0 else self.flow.step_back()
        elif self._page() == "broadcast" and self.broadcast.stages:
            self.broadcast.pause()
            self.broadcast.set_stage(self.broadcast.stage + (1 if delta > 0 else -1))
        else:
            return False
        return self.current_frame() != before

    def frame_count(self) -> int:
        if self._page() == "reshape" and self.flow.canvas.flow:
            return math.ceil(self.flow.canvas.flow_length()) + 1
        if self._page() == "broadcast":
            return len(self.broadcast.stages)
        return 0

    def current_frame(self) -> int:
        if self._page() == "reshape" and self.flow.canvas.flow:
            return math.ceil(self.flow.canvas.flow_progress - 1e-9)
        return self.broadcast.stage if self._page() == "broadcast" else 0

    def show_frame(self, index: int) -> None:
        if self._page() == "reshape" and self.flow.canvas.flow:
            self.flow.pause()
            self.flow.canvas.set_flow_progress(min(float(max(index, 0)), self.flow.canvas.flow_length()))
            self.flow.canvas.repaint()
        elif self._page() == "broadcast":
            self.broadcast.pause()
            self.broadcast.set_stage(index)

    # ---- scenes --------------------------------------------------------------------------------
    def scene_state(self) -> dict:
        entries = self.store.history
        shown = entries.index(self._shown) if self._shown in entries else len(entries) - 1
        hl = self.canvas.blocks[0].highlight if self.canvas.blocks else None
        flow = None
        if self.flow.last is not None:
            f = self.flow.last
            flow = {"kind": f["kind"], "source": f["source"], "array": encode_array(f["src"]), "perm": f["perm"],
                    "shape": list(f["result"].shape), "title": f["title"],
                    "progress": float(self.flow.canvas.flow_progress)}
        bc = self.broadcast.last
        if bc is not None and "error" not in bc:
            bc = {"a": encode_array(bc["a"]), "b": encode_array(bc["b"]), "op": bc["op"], "names": bc["names"],
                  "stage": self.broadcast.stage}
        if bc is not None:
            bc = dict(bc, a_text=self.broadcast.a_edit.text(), b_text=self.broadcast.b_edit.text(),
                      op_text=self.broadcast.op_combo.currentText())
        ix = self.index_page.last
        return {"builder": {"shape": self.shape_edit.text(), "fill": self.fill_combo.currentData(),
                            "values": self.values_edit.text()},
                "tensors": [{"name": e.name, "array": encode_array(e.array), "source": e.source} for e in entries],
                "shown": shown, "highlight": None if hl is None else encode_array(np.asarray(hl, np.uint8)),
                "expression": self.expr_edit.text(), "output": self.output_label.text(), "page": self._page(),
                "index": None if ix is None else {"text": ix["text"], "result": encode_array(ix["result"]),
                                                  "steps": ix["steps"]},
                "flow": flow, "flow_fields": {"shape_text": self.flow.shape_edit.text(),
                                              "perm_text": self.flow.perm_edit.text()},
                "broadcast": bc, "notes": {"example": self.notes.current().key,
                                           "ran": bool(self.notes.output.toPlainText())},
                "next_result": self.store._results}

    def apply_scene(self, state: dict) -> None:
        apply(self, check(state))


def _tensor(obj, what: str) -> np.ndarray:
    a = obj if isinstance(obj, (int, float)) and not isinstance(obj, bool) else None
    arr = np.asarray(a) if a is not None else get_array(obj, what, max_ndim=4)
    if arr.size > MAX_ELEMENTS:
        raise SceneError(f"The scene's {what} has {arr.size} elements; this view draws at most {MAX_ELEMENTS}.")
    return arr


def check(state) -> dict:
    if not isinstance(state, dict):
        raise SceneError("The scene's state for the tensors view is not a group of settings.")
    items = get_list(state, "tensors")
    if not items:
        raise SceneError("The scene's tensors view has no tensors (it needs at least t).")
    tensors = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "array" not in item:
            raise SceneError(f"The scene's tensor {i + 1} has no values.")
        name = get_str(item, "name", default="")
        if not NAME.match(name):
            raise SceneError(f"The scene's tensor {i + 1} has the name “{name}”, which is not a name.")
        tensors.append((name, _tensor(item["array"], f"tensor {name}"), get_str(item, "source", default="scene")))
    if "t" not in [n for n, _a, _s in tensors]:
        raise SceneError("The scene's tensors view needs a tensor called t.")
    plan = {"tensors": tensors, "shown": get_int(state, "shown", default=len(tensors) - 1, lo=0, hi=len(tensors) - 1)}
    shown = tensors[plan["shown"]][1]
    plan["highlight"] = None
    if state.get("highlight") is not None:
        hl = get_array(state["highlight"], "highlight", max_ndim=4)
        if hl.shape != shown.shape:
            raise SceneError(f"The scene's highlight has shape {hl.shape}; the tensor shown has {shown.shape}.")
        plan["highlight"] = hl.astype(bool)
    b = get_dict(state, "builder") or {}
    plan["builder"] = (get_str(b, "shape", default="3, 2, 5"), get_str(b, "fill", default="range", choices=FILL_KEYS),
                       get_str(b, "values", default=""))
    plan["expression"], plan["output"] = get_str(state, "expression", default=""), get_str(state, "output", default="")
    plan["page"] = get_str(state, "page", default="index", choices=PAGES)
    ix = get_dict(state, "index")
    plan["index"] = None if ix is None else (
        get_str(ix, "text", default=""), _tensor(ix.get("result", [0]), "index result"),
        [get_str({"s": s}, "s", default="") for s in get_list(ix, "steps", default=[])])
    plan["flow"] = _flow(get_dict(state, "flow"))
    ff = get_dict(state, "flow_fields") or {}
    plan["flow_fields"] = (get_str(ff, "shape_text", default="5, -1"), get_str(ff, "perm_text", default=""))
    plan["broadcast"] = _broadcast(get_dict(state, "broadcast"))
    n = get_dict(state, "notes") or {}
    plan["notes"] = (get_str(n, "example", default=TENSOR_PRESETS[0].key, choices=[p.key for p in TENSOR_PRESETS]),
                     get_bool(n, "ran", default=False))
    plan["next_result"] = get_int(state, "next_result", default=0, lo=0, hi=10**6)
    return plan


def _flow(f: dict | None):
    if f is None:
        return None
    kind = get_str(f, "kind", default="reshape", choices=("reshape", "transpose"))
    src = _tensor(f.get("array"), "reshape/transpose input")
    try:
        if kind == "reshape":
            result = src.reshape([get_int({"n": n}, "n", default=1, lo=1, hi=MAX_ELEMENTS)
                                  for n in get_list(f, "shape", default=[src.size])])
        else:
            perm = get_list(f, "perm")
            result = src.transpose(perm) if perm is not None else src.T
    except (ValueError, TypeError) as exc:
        raise SceneError(f"The scene's {kind} cannot be done: {exc}.") from None
    perm = get_list(f, "perm") if kind == "transpose" else None
    n = src.size
    return {"kind": kind, "source": get_str(f, "source", default="t"), "src": src, "result": result, "perm": perm,
            "title": get_str(f, "title", default=kind),
            "progress": get_number(f, "progress", default=0.0, lo=0.0, hi=n - 1 + max(3.0, n / 6))}


def _broadcast(b: dict | None):
    if b is None:
        return None
    texts = (get_str(b, "a_text", default=""), get_str(b, "b_text", default=""),
             get_str(b, "op_text", default="+", choices=("+", "-", "*", "/")))
    if "error" in b:
        shapes = get_list(b, "shapes")
        return {"error": get_str(b, "error", default=""), "shapes": shapes, "texts": texts}
    a, c = _tensor(b.get("a"), "broadcast operand A"), _tensor(b.get("b"), "broadcast operand B")
    op = get_str(b, "op", default="*", choices=("+", "-", "*", "/"))
    try:
        stages = broadcast_stages(a, c, op)
    except Exception as exc:                   # noqa: BLE001 (the engine's refusal, in its words)
        raise SceneError(f"The scene's broadcast cannot be done: {exc}.") from None
    names = get_list(b, "names", default=["A", "B"])
    if len(names) != 2 or not all(isinstance(x, str) for x in names):
        raise SceneError("The scene's broadcast names should be two texts, e.g. [\"A\", \"B\"].")
    return {"a": a, "b": c, "op": op, "names": tuple(names),
            "stage": get_int(b, "stage", default=0, lo=0, hi=len(stages) - 1),
            "texts": texts}


def apply(tab, plan: dict) -> None:
    from desktopnn.ui.tensors.store import TensorStore

    tab.flow.pause()
    tab.broadcast.pause()
    store = TensorStore()
    tab.history.blockSignals(True)
    tab.history.clear()
    for name, arr, source in plan["tensors"]:
        entry = store.add(name, arr, source)
        tab.history.addItem(entry.label())
    store._results = plan["next_result"]
    tab.store = store
    shape, fill, values = plan["builder"]
    tab.shape_edit.setText(shape)
    tab.fill_combo.setCurrentIndex(FILL_KEYS.index(fill))
    tab.values_edit.setText(values)
    tab.build_error.hide()
    tab.show_error(None)
    ix = plan["index"]
    if ix is None:
        tab.index_page.last = None
        tab.index_page.canvas.set_blocks([])
    else:
        tab.index_page.show_result(*ix)
    f = plan["flow"]
    tab.flow.shape_edit.setText(plan["flow_fields"][0])
    tab.flow.perm_edit.setText(plan["flow_fields"][1])
    if f is None:
        tab.flow.last = None
        tab.flow.canvas.set_blocks([])
        tab.flow.canvas.set_flow([], 0.0)
        tab.flow._set_controls_enabled(False)
    else:
        tab.flow.show_flow(f["kind"], f["source"], f["src"], f["result"], f["title"], perm=f["perm"])
        tab.flow.pause()
        tab.flow.canvas.set_flow_progress(min(f["progress"], tab.flow.canvas.flow_length()))
    bc = plan["broadcast"]
    if bc is None:
        tab.broadcast.last, tab.broadcast.stages = None, []
        tab.broadcast.canvas.set_blocks([])
    elif "error" in bc:
        tab.broadcast.show_error(bc["error"], bc["shapes"])
    else:
        tab.broadcast.show_operands(bc["a"], bc["b"], bc["op"], bc["names"])
        tab.broadcast.set_stage(bc["stage"])
    if bc is not None:
        a_text, b_text, op_text = bc["texts"]
        tab.broadcast.a_edit.setText(a_text)
        tab.broadcast.b_edit.setText(b_text)
        tab.broadcast.op_combo.setCurrentText(op_text)
    key, ran = plan["notes"]
    tab.notes.select(key)
    tab.notes.output.setPlainText("")
    if ran:
        tab.notes.show_output(run_preset(key).output)
    entry = store.history[plan["shown"]]
    tab.history.setCurrentRow(plan["shown"])
    tab.history.blockSignals(False)
    tab.show_tensor(entry.name, highlight=plan["highlight"], entry=entry)
    tab.expr_edit.setText(plan["expression"])
    tab.output_label.setText(plan["output"])
    tab.pages.setCurrentWidget({"index": tab.index_page, "reshape": tab.flow, "broadcast": tab.broadcast,
                                "notes": tab.notes}[plan["page"]])
