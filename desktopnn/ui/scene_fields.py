"""Reading one field of a scene's state with a check (issue 9), for the tabs' ``apply_scene``.

Every helper returns the value (or ``default`` when the key is missing or null: a hand-written lesson
scene may give only what matters) and raises :class:`desktopnn.scenes.SceneError` with a sentence a
lecturer understands when the value has the wrong type or is out of range. Tabs check everything
first, then apply. (Used by the live, train, autoencoder and RNN tabs.)
"""

from __future__ import annotations

import math

import numpy as np

from desktopnn.scenes import SceneError, decode_array, encode_array


def need_dict(state, what: str = "saved state") -> dict:
    if not isinstance(state, dict):
        raise SceneError(f"The scene's {what} is not a group of settings.")
    return state


def get_dict(state: dict, key: str, what: str) -> dict:
    v = state.get(key)
    if v is None:
        return {}
    return need_dict(v, what)


def get_choice(state: dict, key: str, choices, default, what: str):
    v = state.get(key)
    if v is None:
        return default
    if isinstance(v, bool) or v not in list(choices):
        raise SceneError(f"The scene's {what} is {v!r}; it must be one of: {', '.join(map(str, choices))}.")
    return v


def get_int(state: dict, key: str, lo: int, hi: int, default: int, what: str) -> int:
    v = state.get(key)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise SceneError(f"The scene's {what} must be a whole number, not {v!r}.")
    if not lo <= int(v) <= hi:
        raise SceneError(f"The scene's {what} is {int(v)}; it must be from {lo} to {hi}.")
    return int(v)


def get_float(state: dict, key: str, lo: float, hi: float, default: float, what: str) -> float:
    v = state.get(key)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise SceneError(f"The scene's {what} must be a number, not {v!r}.")
    if not lo <= v <= hi:
        raise SceneError(f"The scene's {what} is {v:g}; it must be from {lo:g} to {hi:g}.")
    return float(v)


def get_bool(state: dict, key: str, default: bool, what: str) -> bool:
    v = state.get(key)
    if v is None:
        return default
    if not isinstance(v, bool):
        raise SceneError(f"The scene's {what} must be true or false, not {v!r}.")
    return v


def get_str(state: dict, key: str, default: str, what: str, max_len: int = 4096) -> str:
    v = state.get(key)
    if v is None:
        return default
    if not isinstance(v, str):
        raise SceneError(f"The scene's {what} must be text, not {v!r}.")
    if len(v) > max_len:
        raise SceneError(f"The scene's {what} is too long ({len(v)} characters; at most {max_len}).")
    return v


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
