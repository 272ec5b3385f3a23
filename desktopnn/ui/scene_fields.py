"""Reading one field of a scene's state with a check (issue 9), for every tab's ``apply_scene``.

A tab reads every field through these helpers *before* it changes anything, so a bad or hand-written
scene is refused with a sentence a lecturer understands (DESIGN rule 5): each helper returns the value
and raises :class:`desktopnn.scenes.SceneError` when it has the wrong type or is out of range.

Conventions shared by all helpers:

* a missing or null field takes ``default`` (a hand-written lesson scene may give only what matters);
  the default is checked like a stored value, except that a ``None`` default is returned as it is;
* ``what`` names the field in the message ("learning rate"); left out, the message quotes the key
  (“stride”);
* unknown fields are ignored by the callers.

No Qt here: typed numbers ('1/9') are parsed by :func:`desktopnn.ui.grid.parse_number`, imported only
when a scene holds one.
"""

from __future__ import annotations

import math
import reprlib

import numpy as np

from desktopnn.scenes import SceneError, decode_array, encode_array


def _name(key: str, what: str | None) -> str:
    return what if what is not None else f"“{key}”"


_SHORT = reprlib.Repr()      # a stored value in a message, cut short: a field may hold a million-element list
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlong, _SHORT.maxother = 2, 6, 4, 24, 40


def shown(v) -> str:
    """A stored value as a message quotes it: text in quotes, anything long cut short."""
    if isinstance(v, str):
        return f"“{v}”" if len(v) <= 40 else f"“{v[:39]}…”"
    return _SHORT.repr(v)


def _value(state: dict, key: str, default):
    v = state.get(key)
    return default if v is None else v


def need_dict(state, what: str = "saved state") -> dict:
    if not isinstance(state, dict):
        raise SceneError(f"The scene's {what} should be a group of settings, not {type(state).__name__}.")
    return state


def get_dict(state: dict, key: str, *, default=None, what: str | None = None) -> dict | None:
    v = state.get(key)
    if v is None:
        return default
    return need_dict(v, _name(key, what))


def get_list(state: dict, key: str, *, default=None, what: str | None = None) -> list | None:
    v = _value(state, key, default)
    if v is None:
        return None
    if not isinstance(v, list):
        raise SceneError(f"The scene's {_name(key, what)} should be a list, not {type(v).__name__}.")
    return v


def get_choice(state: dict, key: str, choices, *, default, what: str | None = None):
    v = _value(state, key, default)
    if v is None:
        return None
    if isinstance(v, bool) or v not in list(choices):
        raise SceneError(f"The scene's {_name(key, what)} is {shown(v)}; "
                         f"it must be one of: {', '.join(map(str, choices))}.")
    return v


def get_int(state: dict, key: str, *, default, lo: int, hi: int, what: str | None = None) -> int | None:
    v = _value(state, key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise SceneError(f"The scene's {_name(key, what)} should be a whole number, not {shown(v)}.")
    if not lo <= int(v) <= hi:
        raise SceneError(f"The scene's {_name(key, what)} is {shown(int(v))}; it must be from {lo} to {hi}.")
    return int(v)


def get_number(state: dict, key: str, *, default, lo: float = -math.inf, hi: float = math.inf,
               what: str | None = None) -> float | None:
    """A finite number; text a person may type ('1/9', '-2,8') is read too."""
    v = _value(state, key, default)
    if v is None:
        return None
    if isinstance(v, str):
        from desktopnn.ui.grid import parse_number

        try:
            v = parse_number(v)
        except ValueError as exc:
            raise SceneError(f"The scene's {_name(key, what)}: {exc}.") from None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not _finite(v):
        raise SceneError(f"The scene's {_name(key, what)} should be a number, not {shown(v)}.")
    if not lo <= v <= hi:
        raise SceneError(f"The scene's {_name(key, what)} is {v:g}; it must be from {lo:g} to {hi:g}.")
    return float(v)


def _finite(v: int | float) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:        # an int past a float's range
        return False


def get_bool(state: dict, key: str, *, default: bool, what: str | None = None) -> bool:
    v = _value(state, key, default)
    if not isinstance(v, bool):
        raise SceneError(f"The scene's {_name(key, what)} should be true or false, not {shown(v)}.")
    return v


def get_str(state: dict, key: str, *, default: str, what: str | None = None, choices=None,
            max_len: int | None = None) -> str:
    """Text; with ``choices``, one of them; with ``max_len``, at most that many characters."""
    v = _value(state, key, default)
    if not isinstance(v, str):
        raise SceneError(f"The scene's {_name(key, what)} should be text, not {shown(v)}.")
    if choices is not None:
        get_choice({key: v}, key, choices, default=None, what=what)
    if max_len is not None and len(v) > max_len:
        raise SceneError(f"The scene's {_name(key, what)} is too long ({len(v)} characters; at most {max_len}).")
    return v


def get_pair(state: dict, key: str, *, default, lo: int, hi: int, size: int = 2,
             what: str | None = None) -> tuple[int, ...]:
    """``size`` whole numbers from ``lo`` to ``hi``, such as a stride (rows, columns)."""
    v = _value(state, key, default)
    if not isinstance(v, (list, tuple)) or len(v) != size:
        raise SceneError(f"The scene's {_name(key, what)} should be {size} whole numbers, not {shown(v)}.")
    return tuple(get_int({key: x}, key, default=0, lo=lo, hi=hi, what=what) for x in v)


def get_array(obj, what: str, max_ndim: int = 4, max_abs: float | None = None) -> np.ndarray:
    """An array stored with encode_array, or (hand-written) plain nested lists of numbers; with
    ``max_abs``, no value larger than that (pixels and kernels: grid.MAX_MAGNITUDE)."""
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
    if max_abs is not None and float(np.max(np.abs(a))) > max_abs:
        raise SceneError(f"The scene's {what} holds {float(np.max(np.abs(a))):g}; values here go from "
                         f"{-max_abs:g} to {max_abs:g}.")
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
            raise SceneError(f"The scene's {what} has a cell {shown(item)} outside "
                             f"{'×'.join(str(b) for b in bounds)}.")
        out.append(tuple(item))
    return out


# ---- model weights ----------------------------------------------------------------------------
MAX_WEIGHT_BYTES = 20 * 1024 * 1024      # a small CNN is ~0.5 MB; a scene is not a model store


def encode_state_dict(state_dict) -> dict:
    """torch tensors (or arrays) → JSON, one encode_array each; SceneError when over MAX_WEIGHT_BYTES."""
    arrays = {k: np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v) for k, v in state_dict.items()}
    size = sum(a.nbytes for a in arrays.values())
    if size > MAX_WEIGHT_BYTES:
        raise SceneError(f"The trained model's weights take {size / 1e6:.0f} MB; a scene holds at most "
                         f"{MAX_WEIGHT_BYTES / 1e6:.0f} MB of weights, so they were left out. "
                         "Save the model itself (Save model…) to keep them.")
    return {k: encode_array(a) for k, a in arrays.items()}


def decode_state_dict(obj, shapes: dict, what: str, dtype=np.float64) -> dict:
    """Named arrays (encode_array each) with exactly the given names and shapes."""
    if not isinstance(obj, dict):
        raise SceneError(f"The scene's {what} are not a group of named arrays.")
    missing = [k for k in shapes if k not in obj]
    extra = [k for k in obj if k not in shapes]
    if missing or extra:
        raise SceneError(f"The scene's {what} do not belong to this network"
                         f"{' (missing ' + ', '.join(missing[:3]) + ')' if missing else ''}"
                         f"{' (unknown ' + ', '.join(extra[:3]) + ')' if extra else ''}.")
    out = {}
    for name, shape in shapes.items():
        a = decode_array(obj[name], f"{what} ({name})")
        if tuple(a.shape) != tuple(shape):
            raise SceneError(f"The scene's {what}: {name} has shape {tuple(a.shape)}, expected {tuple(shape)}.")
        out[name] = a.astype(dtype)
    return out
