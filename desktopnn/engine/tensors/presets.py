"""The course notes' tensor examples (notes 2.12), run through our own expression language.

Each preset is the notes' code. Lines are ``name = expr``, ``print(expr)`` or
``print("Label:", expr)``; comments and blank lines are shown but not run. ``run_preset`` executes
the lines with :func:`desktopnn.engine.tensors.expr.evaluate` and prints as TensorFlow does, so the output
can be compared with the notes' text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from desktopnn.engine.tensors.expr import TensorExprError, evaluate, format_value


@dataclass(frozen=True)
class TensorPreset:
    key: str
    title: str
    code: tuple[str, ...]
    focus: str                 # the tensor to show after running
    explains: str              # one sentence for the lecturer


@dataclass
class PresetRun:
    env: dict                  # name -> numpy array, in the order the code made them
    output: list[str]
    sources: dict              # name -> the expression that made it


TENSOR_PRESETS: tuple[TensorPreset, ...] = (
    TensorPreset(
        "fibonacci", "Rank 1: Fibonacci, indexing", (
            "rank_1_tensor = tf.constant([0, 1, 1, 2, 3, 5, 8, 13, 21, 34])",
            "print(rank_1_tensor.numpy())",
            'print("First:", rank_1_tensor[0].numpy())',
            'print("Second:", rank_1_tensor[1].numpy())',
            'print("Last:", rank_1_tensor[-1].numpy())',
        ), "rank_1_tensor", "Index 0 is the first element; -1 counts from the end, so it is the last."),
    TensorPreset(
        "reshape", "Reshape (3, 1) to (1, 3)", (
            "# Shape returns a 'TensorShape' object that shows the size along each axis",
            "x = tf.constant([[1], [2], [3]])",
            "# You can reshape a tensor to a new shape.",
            "# Note that you're passing in a list",
            "reshaped = tf.reshape(x, [1, 3])",
            "print(x.shape)",
            "print(reshaped.shape)",
        ), "reshaped", "reshape makes a new tensor: x keeps its shape (3, 1)."),
    TensorPreset(
        "broadcast", "Broadcasting: [1, 2, 3] times 2", (
            "x = tf.constant([1, 2, 3])",
            "y = tf.constant(2)",
            "z = tf.constant([2, 2, 2])",
            "# All of these are the same computation",
            "print(tf.multiply(x, 2))",
            "print(x * y)",
            "print(x * z)",
        ), "x", "The scalar 2 is stretched to [2, 2, 2]: all three lines compute the same tensor."),
    TensorPreset(
        "rank3", "Rank 3: shape [3, 2, 5]", (
            "rank_3_tensor = tf.reshape(tf.range(30), [3, 2, 5])",
            'print("A 3-axis tensor, shape:", rank_3_tensor.shape.as_list())',
        ), "rank_3_tensor", "3 sub-arrays, each 2 wide and 5 long: 3·2·5 = 30 elements."),
    TensorPreset(
        "rank4", "Rank 4: shape [3, 2, 4, 5]", (
            "rank_4_tensor = tf.reshape(tf.range(120), [3, 2, 4, 5])",
            'print("A rank-4 tensor, shape:", rank_4_tensor.shape.as_list())',
        ), "rank_4_tensor", "The sub-arrays now have a height too: 3·2·4·5 = 120 elements."),
)

_PRINT = re.compile(r'^print\(\s*(?:"(?P<label>[^"]*)"\s*,\s*)?(?P<expr>.+)\)\s*$')


def tensor_preset(key: str) -> TensorPreset:
    for p in TENSOR_PRESETS:
        if p.key == key:
            return p
    raise KeyError(f"no tensor preset {key!r}; choose one of: " + ", ".join(p.key for p in TENSOR_PRESETS))


def run_lines(lines, env: dict | None = None) -> PresetRun:
    """Run code lines in our language; printing as ``print`` does (label, a space, the value)."""
    env = dict(env or {})
    run = PresetRun(env, [], {})
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        m = _PRINT.match(text)
        if m:
            shown = format_value(evaluate(m.group("expr"), env))
            run.output.append(f"{m.group('label')} {shown}" if m.group("label") is not None else shown)
            continue
        result = evaluate(text, env)
        if result.target is None:
            raise TensorExprError("a preset line must assign a name or print", text, 0, len(text))
        env[result.target] = np.asarray(result.value)
        run.sources[result.target] = text.split("=", 1)[1].strip()
    return run


def run_preset(key: str) -> PresetRun:
    return run_lines(tensor_preset(key).code)
