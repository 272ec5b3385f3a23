"""The tensors lesson's scenes (issue 9, notes 2.12): every tensor made, the builder, and each page.

State keys: ``builder`` ({"shape", "fill", "values"}: the builder's fields), ``tensors`` (every
tensor made, in order: [{"name", "array", "source"}]; one must be "t"), ``shown`` (which of them is
drawn on the left), ``highlight`` (its selected elements, a 0/1 array, or null), ``expression``,
``output`` (texts), ``page`` ("index", "reshape", "broadcast", "notes"), ``index`` ({"text",
"result", "steps"}), ``flow`` ({"kind", "source", "array", "perm", "shape", "title", "progress"};
the result is recomputed), ``flow_fields`` ({"shape_text", "perm_text"}), ``broadcast`` ({"a",
"b", "op", "names", "stage", "a_text", "b_text", "op_text"}, or {"error", "shapes"}), ``notes``
({"example", "ran"}), ``next_result``. Only ``tensors`` is needed; the rest default to an empty page or the first item.
"""

from __future__ import annotations

import re

import numpy as np

from desktopnn.engine.tensors.presets import TENSOR_PRESETS, run_preset
from desktopnn.engine.tensors.shapes import broadcast_stages
from desktopnn.scenes import SceneError, encode_array
from desktopnn.ui.scene_fields import get_array, get_bool, get_dict, get_int, get_list, get_number, get_str
from desktopnn.ui.tensors.state import FILL_KEYS, MAX_ELEMENTS, PAGES

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def scene_state(tab) -> dict:
    """Everything on show, as plain data for a scene file."""
    hl = tab.canvas.blocks[0].highlight if tab.canvas.blocks else None
    ix = tab.index_page.last
    return {"builder": tab.builder.fields(),
            "tensors": [{"name": e.name, "array": encode_array(e.array), "source": e.source}
                        for e in tab.store.history],
            "shown": tab.shown_row(), "highlight": None if hl is None else encode_array(np.asarray(hl, np.uint8)),
            "expression": tab.expr_edit.text(), "output": tab.output_label.text(), "page": tab.page(),
            "index": None if ix is None else {"text": ix["text"], "result": encode_array(ix["result"]),
                                              "steps": ix["steps"]},
            "flow": _flow_state(tab.flow), "flow_fields": {"shape_text": tab.flow.shape_edit.text(),
                                                           "perm_text": tab.flow.perm_edit.text()},
            "broadcast": _broadcast_state(tab.broadcast),
            "notes": {"example": tab.notes.current().key, "ran": bool(tab.notes.output.toPlainText())},
            "next_result": tab.store.results_named}


def _flow_state(flow) -> dict | None:
    f = flow.last
    if f is None:
        return None
    return {"kind": f["kind"], "source": f["source"], "array": encode_array(f["src"]), "perm": f["perm"],
            "shape": list(f["result"].shape), "title": f["title"], "progress": float(flow.canvas.flow_progress)}


def _broadcast_state(panel) -> dict | None:
    bc = panel.last
    if bc is None:
        return None
    if "error" not in bc:
        bc = {"a": encode_array(bc["a"]), "b": encode_array(bc["b"]), "op": bc["op"], "names": bc["names"],
              "stage": panel.stage}
    return dict(bc, a_text=panel.a_edit.text(), b_text=panel.b_edit.text(), op_text=panel.op_combo.currentText())


def _tensor(obj, what: str) -> np.ndarray:
    a = obj if isinstance(obj, (int, float)) and not isinstance(obj, bool) else None
    arr = np.asarray(a) if a is not None else get_array(obj, what, max_ndim=4)
    if arr.size > MAX_ELEMENTS:
        raise SceneError(f"The scene's {what} has {arr.size} elements; this view draws at most {MAX_ELEMENTS}.")
    return arr


def check(tab, state) -> dict:
    """Everything in ``state`` validated (tensor names, sizes, shapes, pages); nothing changes here."""
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
    """Show a checked scene: the tensors made, the builder, every page, the tensor on show."""
    tab.flow.pause()
    tab.broadcast.pause()
    tab.restore_tensors(plan["tensors"], plan["next_result"])
    tab.builder.set_fields(*plan["builder"])
    tab.show_error(None)
    _apply_index(tab.index_page, plan["index"])
    _apply_flow(tab.flow, plan["flow"], plan["flow_fields"])
    _apply_broadcast(tab.broadcast, plan["broadcast"])
    key, ran = plan["notes"]
    tab.notes.select(key)
    tab.notes.output.setPlainText("")
    if ran:
        tab.notes.show_output(run_preset(key).output)
    tab.show_entry(plan["shown"], highlight=plan["highlight"])
    tab.expr_edit.setText(plan["expression"])
    tab.output_label.setText(plan["output"])
    tab.show_page(plan["page"])


def _apply_index(page, ix) -> None:
    if ix is None:
        page.clear()
    else:
        page.show_result(*ix)


def _apply_flow(flow, f, fields: tuple[str, str]) -> None:
    flow.shape_edit.setText(fields[0])
    flow.perm_edit.setText(fields[1])
    if f is None:
        flow.clear()
    else:
        flow.show_flow(f["kind"], f["source"], f["src"], f["result"], f["title"], perm=f["perm"])
        flow.set_progress(f["progress"])


def _apply_broadcast(panel, bc) -> None:
    if bc is None:
        panel.clear()
        return
    if "error" in bc:
        panel.show_error(bc["error"], bc["shapes"])
    else:
        panel.show_operands(bc["a"], bc["b"], bc["op"], bc["names"])
        panel.set_stage(bc["stage"])
    a_text, b_text, op_text = bc["texts"]
    panel.a_edit.setText(a_text)
    panel.b_edit.setText(b_text)
    panel.op_combo.setCurrentText(op_text)
