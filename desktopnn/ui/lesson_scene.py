"""Checks for the CNN lesson tabs' scene states, and the predict-before-reveal hint (issue 9).

A tab's ``apply_scene`` reads every field through these helpers *before* it changes anything, so a
bad or hand-written scene is refused with a sentence a lecturer understands (DESIGN rule 5). Missing
fields take the given default; unknown fields are ignored by the callers.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QLabel

from desktopnn.scenes import SceneError, decode_array

PREDICT_HINT = "Predict: guess the value marked “?”, then reveal it (Page Down)"


def _name(key: str) -> str:
    return f"“{key}”"


def get_int(state: dict, key: str, default, lo: int, hi: int) -> int:
    v = state.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise SceneError(f"The scene's {_name(key)} should be a whole number, not {v!r}.")
    if not lo <= int(v) <= hi:
        raise SceneError(f"The scene's {_name(key)} is {int(v)}; it must be from {lo} to {hi}.")
    return int(v)


def get_number(state: dict, key: str, default, lo: float = -math.inf, hi: float = math.inf) -> float:
    v = state.get(key, default)
    if isinstance(v, str):
        from desktopnn.ui.grid import parse_number   # '1/9', '-2,8': what a person may type

        try:
            v = parse_number(v)
        except ValueError as exc:
            raise SceneError(f"The scene's {_name(key)}: {exc}.") from None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise SceneError(f"The scene's {_name(key)} should be a number, not {v!r}.")
    if not lo <= v <= hi:
        raise SceneError(f"The scene's {_name(key)} is {v:g}; it must be from {lo:g} to {hi:g}.")
    return float(v)


def get_bool(state: dict, key: str, default: bool) -> bool:
    v = state.get(key, default)
    if not isinstance(v, bool):
        raise SceneError(f"The scene's {_name(key)} should be true or false, not {v!r}.")
    return v


def get_str(state: dict, key: str, default: str, choices=None) -> str:
    v = state.get(key, default)
    if not isinstance(v, str):
        raise SceneError(f"The scene's {_name(key)} should be text, not {v!r}.")
    if choices is not None and v not in choices:
        raise SceneError(f"The scene's {_name(key)} is “{v}”; it must be one of: {', '.join(map(str, choices))}.")
    return v


def get_dict(state: dict, key: str) -> dict | None:
    v = state.get(key)
    if v is None:
        return None
    if not isinstance(v, dict):
        raise SceneError(f"The scene's {_name(key)} should be a group of settings, not {type(v).__name__}.")
    return v


def get_list(state: dict, key: str, default=None) -> list | None:
    v = state.get(key, default)
    if v is None:
        return None
    if not isinstance(v, list):
        raise SceneError(f"The scene's {_name(key)} should be a list, not {type(v).__name__}.")
    return v


def get_pair(state: dict, key: str, default, lo: int, hi: int, size: int = 2) -> tuple[int, ...]:
    v = state.get(key, default)
    if not isinstance(v, (list, tuple)) or len(v) != size:
        raise SceneError(f"The scene's {_name(key)} should be {size} whole numbers, not {v!r}.")
    return tuple(get_int({key: x}, key, 0, lo, hi) for x in v)


def get_array(obj, what: str, max_ndim: int = 4) -> np.ndarray:
    """An array stored with encode_array, or (hand-written) plain nested lists of numbers."""
    if isinstance(obj, list):
        try:
            a = np.asarray(obj, dtype=np.float64)
        except (ValueError, TypeError):
            raise SceneError(f"The scene's {what} should be rows of numbers of equal length.") from None
        if not np.all(np.isfinite(a)):
            raise SceneError(f"The scene's {what} holds values that are not finite numbers.")
    else:
        a = decode_array(obj, what)
    if a.ndim > max_ndim or a.size == 0:
        raise SceneError(f"The scene's {what} has shape {a.shape}, which this view cannot show.")
    return a


def cell_list(items, what: str, bounds) -> list[tuple[int, ...]]:
    """A list of cells like [[k, r, c], ...]; ``bounds`` is the exclusive upper limit of each index."""
    if not isinstance(items, list):
        raise SceneError(f"The scene's {what} should be a list of cells.")
    out = []
    for item in items:
        if (not isinstance(item, (list, tuple)) or len(item) != len(bounds)
                or any(isinstance(x, bool) or not isinstance(x, int) for x in item)
                or any(not 0 <= x < b for x, b in zip(item, bounds))):
            raise SceneError(f"The scene's {what} has a cell {item!r} outside "
                             f"{'×'.join(str(b) for b in bounds)}.")
        out.append(tuple(item))
    return out


def hidden_lines(lines: list[str], names: list[str], bias_text: str) -> list[str]:
    """Arithmetic with every result replaced by "?": ``a*b + c*d = ?``; the sums line by channel names."""
    out = []
    for line in lines:
        if "(bias)" in line:
            terms = [n for n in names if n] or ["sum"]
            out.append(" + ".join(terms) + f" + {bias_text} (bias) = ?")
        elif " = " in line:
            out.append(line[:line.rfind(" = ")] + " = ?")
        else:
            out.append(line)
    return out


def predict_hint_label() -> QLabel:
    """The small "Predict: guess, then reveal" line a view shows while predict-before-reveal is on."""
    label = QLabel(PREDICT_HINT)
    label.setProperty("role", "heading")
    label.setWordWrap(True)   # unwrapped, it widened the view past a projector's width
    label.setToolTip("Predict before reveal is on: each new value is hidden until you reveal it "
                     "(Page Down, or the clicker's forward key), then the next step hides the next one")
    label.setVisible(False)
    return label
