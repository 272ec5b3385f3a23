"""Scene files: one view's full state in a small, versioned JSON file (no Qt here).

A lecturer prepares a lesson the night before as scenes and opens them in class. The file:

    {"format": "desktopnn-scene", "format_version": 1, "app_version": "0.1.0",
     "tab": "animator", "tab_version": 1, "title": "Stride 2", "notes_section": "2.5",
     "state": {...}}

``state`` is whatever the tab's ``scene_state()`` returned. Reading checks everything a file can get
wrong (not JSON, not a scene, a newer format, an unknown tab) and says so in a sentence; the tab
then validates its own state before touching anything on screen.
"""

from __future__ import annotations

import base64
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FORMAT = "desktopnn-scene"
FORMAT_VERSION = 1
SUFFIX = ".dnnscene"          # the file type a lecturer sees; plain JSON inside
MAX_BYTES = 64 * 1024 * 1024  # a scene with a photo is ~1 MB; anything far bigger is not a scene
MAX_ARRAY_ELEMENTS = 50_000_000
MAX_DIGITS = 20               # a whole number in a scene (a uint64 has 20 digits); longer ones are damage


class SceneError(ValueError):
    """A scene that cannot be read or applied, with a message for the person who opened it."""


@dataclass
class Scene:
    tab: str
    state: dict
    tab_version: int = 1
    title: str = ""
    notes_section: str = ""
    app_version: str = ""
    extra: dict = field(default_factory=dict)   # unknown top-level keys, kept when re-saved

    def to_json(self) -> dict:
        from desktopnn import __version__

        out = {"format": FORMAT, "format_version": FORMAT_VERSION, "app_version": __version__,
               "tab": self.tab, "tab_version": int(self.tab_version), "title": self.title,
               "notes_section": self.notes_section, "state": self.state}
        for k, v in self.extra.items():
            out.setdefault(k, v)
        return out


# ---- arrays inside states ---------------------------------------------------------------------
def encode_array(arr) -> dict:
    """A numpy array as JSON: small ones as nested lists, large ones as base64 of .npy bytes."""
    a = np.asarray(arr)
    if a.dtype.kind not in "biuf":
        raise SceneError(f"Cannot store an array of type {a.dtype} in a scene.")
    if a.size <= 4096:
        return {"shape": list(a.shape), "dtype": a.dtype.str, "data": a.ravel().tolist()}
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a), allow_pickle=False)
    return {"shape": list(a.shape), "dtype": a.dtype.str, "npy": base64.b64encode(buf.getvalue()).decode("ascii")}


def decode_array(obj, what: str = "array") -> np.ndarray:
    """The inverse of encode_array, with a SceneError in plain words for anything malformed."""
    if not isinstance(obj, dict) or "shape" not in obj or ("data" not in obj and "npy" not in obj):
        raise SceneError(f"The scene's {what} is not a stored array.")
    shape = _stored_shape(obj["shape"], what)
    size = int(np.prod(shape, dtype=np.int64))
    a = _stored_npy(obj["npy"], what) if "npy" in obj else _stored_data(obj, what)
    if a.size != size:
        raise SceneError(f"The scene's {what} is damaged: it holds {a.size} values where its shape "
                         f"{'×'.join(map(str, shape)) or 'of a single number'} needs {size}.")
    a = a.reshape(shape)
    if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        raise SceneError(f"The scene's {what} holds values that are not finite numbers.")
    return a


def _stored_shape(shape, what: str) -> tuple[int, ...]:
    if (not isinstance(shape, list) or len(shape) > 32
            or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape)):
        raise SceneError(f"The scene's {what} is damaged: its shape is not a list of whole numbers.")
    if int(np.prod([min(n, MAX_ARRAY_ELEMENTS + 1) for n in shape], dtype=np.float64)) > MAX_ARRAY_ELEMENTS:
        raise SceneError(f"The scene's {what} is damaged: its shape asks for more than {MAX_ARRAY_ELEMENTS} values.")
    return tuple(shape)


def _stored_data(obj: dict, what: str) -> np.ndarray:
    try:
        dtype = np.dtype(obj.get("dtype", "<f8"))
    except (TypeError, ValueError):
        dtype = None
    if dtype is None or dtype.kind not in "biuf":
        raise SceneError(f"The scene's {what} is damaged: its number type {str(obj.get('dtype'))[:20]!r} is unknown.")
    data = obj["data"]
    if not isinstance(data, list) or not all(isinstance(v, (int, float)) for v in data):   # bools are ints
        raise SceneError(f"The scene's {what} is damaged: its values are not a flat list of numbers.")
    try:
        return np.asarray(data, dtype=dtype)
    except (OverflowError, ValueError):
        raise SceneError(f"The scene's {what} is damaged: a value does not fit its number type {dtype.name}.") from None


def _stored_npy(text, what: str) -> np.ndarray:
    try:
        a = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except Exception:             # not text, not base64, not .npy, a pickle: all the same to the reader
        a = None
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise SceneError(f"The scene's {what} is damaged: its packed values cannot be read.")
    return a


# ---- files ------------------------------------------------------------------------------------
def parse(data: dict, source: str = "the scene") -> Scene:
    """Check the envelope of a scene (already loaded from JSON)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SceneError(f"{source} is not a desktopnn scene.")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SceneError(f"{source} has no valid format version.")
    if version > FORMAT_VERSION:
        raise SceneError(f"{source} was saved by a newer desktopnn ({data.get('app_version', '?')}, "
                         f"scene format {version}); this one reads format {FORMAT_VERSION}. Update desktopnn to open it.")
    if version < 1:
        raise SceneError(f"{source} uses scene format {version}, which no released desktopnn wrote.")
    tab = data.get("tab")
    state = data.get("state")
    tab_version = data.get("tab_version", 1)
    if not isinstance(tab, str) or not tab:
        raise SceneError(f"{source} does not say which lesson it belongs to.")
    if not isinstance(state, dict):
        raise SceneError(f"{source} has no saved state.")
    if not isinstance(tab_version, int) or isinstance(tab_version, bool) or tab_version < 1:
        raise SceneError(f"{source} has no valid version for its lesson's state.")
    known = {"format", "format_version", "app_version", "tab", "tab_version", "title", "notes_section", "state"}
    return Scene(tab=tab, state=state, tab_version=tab_version, title=str(data.get("title", "")),
                 notes_section=str(data.get("notes_section", "")), app_version=str(data.get("app_version", "")),
                 extra={k: v for k, v in data.items() if k not in known})


def read(path) -> Scene:
    """Read a scene file; every failure is a SceneError naming the file."""
    p = Path(path)
    name = f"“{p.name}”"
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise SceneError(f"{name} is {size / 1e6:.0f} MB, far too large for a scene.")
        text = p.read_bytes().decode("utf-8-sig")   # a BOM (an editor on Windows) is harmless
    except SceneError:
        raise
    except FileNotFoundError:
        raise SceneError(f"{name} does not exist.") from None
    except UnicodeDecodeError:
        raise SceneError(f"{name} is not a text file, so it is not a desktopnn scene.") from None
    except OSError as exc:
        raise SceneError(f"Could not read {name}: {exc.strerror or exc}.") from None
    return parse(loads(text, name), name)


def _not_finite(token):
    raise SceneError(f"holds {token}, which is not a finite number")


def _finite_float(token: str) -> float:
    value = float(token)
    if not np.isfinite(value):
        _not_finite(token)
    return value


def _whole(token: str) -> int:
    digits = len(token.lstrip("-"))
    if digits > MAX_DIGITS:      # Python refuses to read past 4300 digits with a ValueError of its own
        raise SceneError(f"holds a whole number {digits} digits long; a scene's numbers have at most {MAX_DIGITS}")
    return int(token)


def loads(text: str, source: str = "the scene"):
    """JSON text to data; NaN, Infinity, numbers too large for a float and whole numbers longer than
    MAX_DIGITS are refused."""
    try:
        return json.loads(text, parse_constant=_not_finite, parse_float=_finite_float, parse_int=_whole)
    except SceneError as exc:
        raise SceneError(f"{source} is damaged: it {exc}.") from None
    except json.JSONDecodeError as exc:
        raise SceneError(f"{source} is damaged: not valid JSON (line {exc.lineno}, column {exc.colno}).") from None
    except RecursionError:
        raise SceneError(f"{source} is damaged: nested too deeply to be a scene.") from None


def dumps(scene: Scene) -> str:
    """The file's text; a state that is not plain finite JSON is a SceneError (nothing written)."""
    try:
        return json.dumps(scene.to_json(), indent=1, allow_nan=False, ensure_ascii=False)
    except ValueError as exc:
        raise SceneError(f"The view's state holds values that are not finite numbers ({exc}).") from None
    except (TypeError, RecursionError) as exc:
        raise SceneError(f"The view's state cannot be stored in a scene ({exc}).") from None


def write(path, scene: Scene) -> Path:
    """Write atomically (a temporary file renamed over the target), so a failed save loses nothing."""
    return write_text(path, dumps(scene))


def write_text(path, text: str) -> Path:
    """Write the text of :func:`dumps` atomically (may run in a worker thread)."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".scene-", suffix=".tmp", dir=str(p.parent if str(p.parent) else "."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        _copy_mode(p, tmp)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return p


def _copy_mode(target: Path, tmp: str) -> None:
    """mkstemp makes the file private (0600); keep the old file's mode, or the usual 0644."""
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(tmp, mode)
    except OSError:
        pass


def looks_like_scene(path) -> bool:
    """Whether a file named on the command line or dropped on the window is a scene (not an image)."""
    p = Path(path)
    if p.suffix.lower() == SUFFIX:
        return True
    if p.suffix.lower() != ".json":
        return False
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return FORMAT.encode() in head


@dataclass(frozen=True)
class LessonEntry:
    """One line of the course notes' contents: the tab that teaches it and its bundled scene."""

    section: str
    title: str
    level: int
    tab: str
    scene: str

    @property
    def label(self) -> str:
        return f"{self.section} {self.title}"


def load_contents(path=None) -> list[LessonEntry]:
    """The bundled contents.json (or ``path``) as entries, in the notes' order."""
    p = Path(path) if path is not None else lessons_dir() / "contents.json"
    try:
        data = loads(p.read_text(encoding="utf-8-sig"), f"“{p.name}”")
        return [LessonEntry(str(e["section"]), str(e["title"]), int(e["level"]), str(e["tab"]), str(e["scene"]))
                for e in data["entries"]]
    except SceneError:
        raise
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise SceneError(f"The lesson contents “{p.name}” cannot be read ({exc}).") from None


def lessons_dir() -> Path:
    """The bundled lessons: one scene per section of the course notes, and contents.json."""
    return Path(__file__).resolve().parent / "resources" / "lessons"
