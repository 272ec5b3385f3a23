"""The exercise's scenes (issue 9; notes 2.11): the kernel choice, the selected cell, the answers typed
and revealed, and the clicker's walk.

State keys (all optional): ``kernel`` (1–4 or "all", default 1), ``cell`` ([kernel, row, col],
0-based, default the first cell of the kernel on show), ``answers`` ([[kernel, row, col, value], …]),
``revealed`` ([[kernel, row, col], …]), ``walk`` (cells stepped through, 0 to the cells on show).
"""

from __future__ import annotations

import math

from desktopnn.scenes import SceneError
from desktopnn.ui.exercise.state import ALL, SCENE_ALL
from desktopnn.ui.scene_fields import cell_list, get_int, get_list, shown


def scene_state(tab) -> dict:
    st = tab.state
    kernel, cell = tab.kernel_on_show(), tab.selected_cell()
    return {"kernel": SCENE_ALL if kernel == ALL else kernel + 1,
            "cell": list(cell) if cell else None,
            "answers": [[k, r, c, v] for (k, r, c), v in sorted(st.typed.items())],
            "revealed": [list(cell) for cell in sorted(st.revealed)], "walk": tab.current_frame()}


def _answers(state: dict, shape: tuple[int, int, int]) -> dict[tuple[int, int, int], float]:
    answers = {}
    for item in get_list(state, "answers", default=[]):
        if not isinstance(item, list) or len(item) != 4:
            raise SceneError(f"The scene's answer {shown(item)} should be [kernel, row, col, value].")
        (k, r, c), = cell_list([item[:3]], "answers", shape)
        v = item[3]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise SceneError(f"The scene's answer for kernel {k + 1}, cell ({r}, {c}) is not a number: {shown(v)}.")
        answers[(k, r, c)] = float(v)
    return answers


def check(tab, state) -> dict:
    """Everything in ``state`` validated; raises SceneError and changes nothing."""
    if not isinstance(state, dict):
        raise SceneError("The scene's state for the exercise is not a group of settings.")
    st = tab.state
    nk, (rows, cols) = len(st.kernels), st.out_shape
    kernel = state.get("kernel", 1)
    kernel = ALL if kernel == SCENE_ALL else get_int(state, "kernel", default=1, lo=1, hi=nk) - 1
    cell = state.get("cell")
    if cell is not None:
        cell = cell_list([cell], "selected cell", (nk, rows, cols))[0]
        if kernel != ALL and cell[0] != kernel:
            raise SceneError(f"The scene's selected cell belongs to kernel {cell[0] + 1}, "
                             f"but the scene shows kernel {kernel + 1}.")
    answers = _answers(state, (nk, rows, cols))
    revealed = set(cell_list(get_list(state, "revealed", default=[]), "revealed cells", (nk, rows, cols)))
    shown = nk if kernel == ALL else 1
    walk = get_int(state, "walk", default=0, lo=0, hi=shown * rows * cols)
    return {"kernel": kernel, "cell": cell, "answers": answers, "revealed": revealed, "walk": walk}


def apply(tab, plan: dict) -> None:
    """Set the answers, the kernel on show, the walk and the selected cell from a checked plan."""
    for g in tab.answer_grids:
        g.finish_edit(commit=False)
    tab.state.typed, tab.state.revealed = plan["answers"], plan["revealed"]
    tab.set_selected_cell(plan["cell"])
    tab.select_kernel(plan["kernel"])
    if plan["walk"]:
        tab.show_frame(plan["walk"])
    if plan["cell"] is not None:
        tab.select_cell(*plan["cell"])
    tab.clear_message()
