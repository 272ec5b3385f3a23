"""What a hostile user types or hand-writes, as hypothesis strategies shared by the property tests.

Imported by path (pytest runs with --import-mode=importlib): ``sys.path.insert(0, <tests folder>)``.

- :func:`expressions`: text over the tensor language's tokens, both as token soup (anything in any
  order) and as well-formed expressions nested at random (so evaluation, not only parsing, is hit);
- :func:`json_values`: arbitrary JSON, weighted towards what breaks readers: huge integers, floats at
  the edges of the range, wrong types, deep nesting, long text.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from contextlib import contextmanager

from hypothesis import strategies as st

from desktopnn.engine.tensors.parse import FUNCTIONS

# ---- tensor expressions ---------------------------------------------------------------------------
HUGE = "9" * 25
NUMBERS = ("0", "1", "2", "3", "5", "-1", "30", "64", "65", "10000", "10001", "0.5", ".5", "2.", "1e999", "-1e999",
           "1e300", "1e-320", HUGE, "9223372036854775807", "9223372036854775808", "00012", "1e2", "3.0")
NAMES = ("t", "r1", "s", "e", "x", "tf", "shape", "numpy", "_x", "__class__", "__import__", "import", "lambda",
         "os", "eval", "None", "True", "range")
METHODS = (".reshape", ".transpose", ".numpy()", ".shape", ".shape.as_list()", ".as_list()", ".__class__", ".T",
           ".numpy", ".shape()")
OPERATORS = ("+", "-", "*", "/", "**", "//", "%", "=", "==", ",", ":", "[", "]", "(", ")", ".", "@", "−")
OTHER = ("'a'", '"', "'", "…", "\\", ";", "\n", "\t", "\x00", "𝟙", "١", "#", "$", "{", "}", "<", "?")
CALLABLE = FUNCTIONS + tuple(f"tf.{f}" for f in FUNCTIONS) + ("print", "open", "tf.zeros")

TOKEN = st.one_of(st.sampled_from(NUMBERS), st.sampled_from(NAMES), st.sampled_from(METHODS),
                  st.sampled_from(OPERATORS), st.sampled_from(OTHER), st.sampled_from(CALLABLE),
                  st.text(max_size=3))


@st.composite
def token_soup(draw) -> str:
    """Grammar tokens in any order, with or without spaces between them."""
    parts = draw(st.lists(st.tuples(TOKEN, st.sampled_from(("", " "))), max_size=40))
    return "".join(tok + gap for tok, gap in parts)


INT_TEXT = st.one_of(st.integers(-70, 70).map(str), st.sampled_from(NUMBERS))
INDEX_ITEM = st.one_of(INT_TEXT, st.sampled_from((":", "::-1", "1:3", "::0", "-1:", ":2", "0:" + HUGE, "::" + HUGE)))
LEAF = st.one_of(st.sampled_from(NUMBERS),
                 st.sampled_from(("t", "s", "e", "r1", "range(5)", "range(10000)", "t[0]", "t.shape", "[1, 2, 3]")))


def _shape_list(items) -> str:
    return "[" + ", ".join(items) + "]"


def _extend(children):
    pair = st.tuples(children, children)
    return st.one_of(
        st.tuples(children, st.sampled_from("+-*/"), children).map(lambda a: f"{a[0]} {a[1]} {a[2]}"),
        children.map(lambda c: f"({c})"),
        children.map(lambda c: f"-{c}"),
        st.lists(children, min_size=1, max_size=4).map(lambda cs: "[" + ", ".join(cs) + "]"),
        st.tuples(children, st.lists(INT_TEXT, max_size=70)).map(lambda a: f"reshape({a[0]}, {_shape_list(a[1])})"),
        st.tuples(children, st.lists(INT_TEXT, max_size=6)).map(lambda a: f"{a[0]}.reshape({', '.join(a[1])})"),
        st.tuples(children, st.lists(INDEX_ITEM, min_size=1, max_size=5)).map(lambda a: f"{a[0]}[{', '.join(a[1])}]"),
        children.map(lambda c: f"transpose({c})"),
        st.tuples(children, st.lists(INT_TEXT, max_size=5)).map(lambda a: f"tf.transpose({a[0]}, {_shape_list(a[1])})"),
        children.map(lambda c: f"range({c})"),
        children.map(lambda c: f"{c}.shape"),
        children.map(lambda c: f"{c}.shape.as_list()"),
        children.map(lambda c: f"{c}.numpy()"),
        st.tuples(st.sampled_from(("rank", "size", "tf.constant")), children).map(lambda a: f"{a[0]}({a[1]})"),
        st.tuples(st.sampled_from(("tf.multiply", "tf.add", "tf.subtract", "tf.divide")), pair)
          .map(lambda a: f"{a[0]}({a[1][0]}, {a[1][1]})"),
    )


WELL_FORMED = st.recursive(LEAF, _extend, max_leaves=25)


def expressions():
    """Any text a person may type into the expression field (often longer than the field allows)."""
    return st.one_of(token_soup(), WELL_FORMED,
                     st.tuples(st.sampled_from(("y = ", "t = ", "_ = ", "r1 = ", "")), WELL_FORMED).map("".join))


# the cases issue 16 found escaping, run on every test run (as @example)
ESCAPED_BEFORE = ("range(1e999)", HUGE, "reshape(range(1), [" + ", ".join(["1"] * 65) + "])",
                  "transpose(t, [1e999, 0, 1])", "reshape(e, [0, 100000000000])",
                  "reshape(range(32), [2, 2, 2, 2, 2])", "+".join(["1"] * 200))


# ---- JSON ------------------------------------------------------------------------------------------
BIG_INT = st.one_of(st.integers(), st.sampled_from((2 ** 31, 2 ** 63, -2 ** 63 - 1, 10 ** 30, 10 ** 400)),
                    st.sampled_from((21, 4300, 5000)).map(lambda digits: 7 * 10 ** (digits - 1)))
JSON_SCALAR = st.one_of(st.none(), st.booleans(), BIG_INT,
                        st.floats(allow_nan=False, allow_infinity=False),
                        st.sampled_from((1e308, -1e308, 5e-324, 0.5, -0.0)),
                        st.text(max_size=20), st.sampled_from(("", "1/9", "-2,8", "nan", "inf", "x" * 5000)))


def json_values(max_leaves: int = 12):
    """Any JSON value (as Python data: json.dumps writes it)."""
    return st.recursive(JSON_SCALAR, lambda kids: st.one_of(st.lists(kids, max_size=5),
                                                            st.dictionaries(st.text(max_size=8), kids, max_size=5)),
                        max_leaves=max_leaves)


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def dumps(value) -> str:
    """JSON text, integers of any length included (Python's int-to-text limit is lifted for writing)."""
    import sys

    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value)
    finally:
        sys.set_int_max_str_digits(old)


# ---- bounds ----------------------------------------------------------------------------------------
def _resident_bytes() -> int:
    """This process's resident memory now (Linux: /proc; elsewhere the peak so far, which only grows)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


@contextmanager
def bounded(seconds: float, megabytes: float):
    """Assert that the body finishes within ``seconds`` and that resident memory grows by at most
    ``megabytes`` at its peak (sampled every 2 ms by a thread, so Qt's and torch's allocations count too).

    Not tracemalloc: starting and stopping it while a worker thread allocates crashes Python 3.11 (the
    worker's numpy calls PyTraceMalloc_Track while the tables are freed, CPython gh-128679): a CI run of
    the fields' property test segfaulted in the convolution lab's worker that way. It also slowed the
    body several times over, which made the time bound measure tracemalloc."""
    start = _resident_bytes()
    peak = [start]
    done = threading.Event()

    def sample():
        while not done.wait(0.002):
            peak[0] = max(peak[0], _resident_bytes())

    sampler = threading.Thread(target=sample, name="bounded-rss", daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        yield
    finally:
        took = time.perf_counter() - t0
        done.set()
        sampler.join()
        peak[0] = max(peak[0], _resident_bytes())
    grew = (peak[0] - start) / 1e6
    assert took <= seconds, f"took {took:.2f} s (bound {seconds} s)"
    assert grew <= megabytes, f"resident memory grew by {grew:.0f} MB (bound {megabytes} MB)"


# ---- files -----------------------------------------------------------------------------------------
@st.composite
def damaged(draw, original: bytes) -> bytes:
    """``original`` cut short, with bytes overwritten, inserted or removed: a file damaged on its way."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(("cut", "set", "set", "insert", "remove")))
        at = draw(st.integers(0, len(data)))
        if how == "cut":
            del data[at:]
        elif how == "set" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[at:at + draw(st.integers(1, 16))]
    return bytes(data)
