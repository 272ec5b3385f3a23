"""The exercise of notes 2.11: work out four feature maps by hand and have each value checked.

The 4×5 grayscale image and the four 2×2 kernels with their biases are preloaded. The student types
each output value (valid padding, stride 1: a 3×4 map per kernel); every value is marked right or
wrong at once, and the answer can be revealed with its arithmetic, written out as in notes 2.3.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QLabel, QLayout, QPushButton,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from desktopnn.engine.convolution.explain import fmt_num
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.exercise import scene
from desktopnn.ui.exercise.answer_grid import AnswerGrid
from desktopnn.ui.exercise.presenter import ExercisePresenter
from desktopnn.ui.exercise.state import ALL, ExerciseState
from desktopnn.ui.lesson_scene import hidden_lines, predict_hint_label
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.theme import Theme

__all__ = ["ALL", "ExerciseTab"]   # ALL stays importable from here (tools/lessons_cnn.py)

DIAGONAL_NOTE = (
    "Kernels 1 and 2 are diagonal detectors (notes 2.11). With zeros around the diagonal they ignore the "
    "rest of the shape and fire on every diagonal, even one inside another shape; put negative numbers "
    "there instead and only isolated diagonals give a large value.")


class ExerciseTab(ExercisePresenter, LessonTab):
    """Notes 2.11: the student computes the four feature maps; the app checks and explains."""

    name = "exercise"
    title = "Exercise (2.11)"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.state = ExerciseState()
        self._kernel = 0                                   # 0..3, or ALL
        self._selected: tuple[int, int, int] | None = None  # (kernel, row, col) of the answer cell
        self._walk = 0              # cells the presenter has stepped through (clicker, export frames)
        self._predict = False
        self._walk_revealed = False  # the walk's current cell was revealed (predict before reveal)
        self._build()
        self.apply_theme(ctx.theme)
        self.select_kernel(0)

    # ---- building ------------------------------------------------------------------------
    def _build(self) -> None:
        top, middle, right = self._build_top(), self._build_answers(), self._build_side()
        bottom = QHBoxLayout()
        bottom.addLayout(middle)
        bottom.addSpacing(24)
        bottom.addLayout(right, 1)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(top)
        column.addSpacing(8)
        column.addLayout(bottom, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _build_top(self) -> QLayout:
        """The image, the four kernels and the note on diagonal detectors."""
        top = QHBoxLayout()
        image_box = QVBoxLayout()
        image_box.addWidget(_label("Image (4×5)", "heading"))
        self.image_grid = NumberGrid(self.state.image)
        self.image_grid.set_shading((0, 255))
        self.image_grid.setToolTip("The notes' 4×5 grayscale image. The outlined 2×2 window belongs to the "
                                   "selected cell of your feature map.")
        image_box.addWidget(self.image_grid)
        image_box.addStretch(1)
        top.addLayout(image_box)
        top.addSpacing(12)
        top.addLayout(self._build_kernel_cards())
        top.addSpacing(12)
        self.note_label = _label(DIAGONAL_NOTE)
        self.note_label.setWordWrap(True)
        self.note_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.note_label.setMinimumWidth(300)
        top.addWidget(self.note_label, 1)
        top.addStretch(0)
        return top

    def _build_kernel_cards(self) -> QLayout:
        """One card per kernel: its numbers and bias; clicking it answers for that kernel."""
        kernel_box = QVBoxLayout()
        kernel_box.addWidget(_label("Kernels (click one)", "heading"))
        cards = QHBoxLayout()
        self.kernel_grids: list[NumberGrid] = []
        self.kernel_cards: list[QFrame] = []
        for i, kern in enumerate(self.state.kernels):
            card = QFrame()
            card.setObjectName("kernelCard")
            card.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
            card.setToolTip(f"Kernel {i + 1} with bias {fmt_num(kern.bias)}; click its numbers to answer for it")
            lay = QVBoxLayout(card)
            lay.addWidget(_label(f"Kernel {i + 1}", "heading"))
            grid = NumberGrid(kern.values)
            grid.setToolTip(card.toolTip())
            grid.cell_clicked.connect(lambda _r, _c, i=i: self.select_kernel(i))
            lay.addWidget(grid)
            lay.addWidget(QLabel(f"bias = {fmt_num(kern.bias)}"))
            self.kernel_grids.append(grid)
            self.kernel_cards.append(card)
            cards.addWidget(card)
        kernel_box.addLayout(cards)
        kernel_box.addStretch(1)
        return kernel_box

    def _build_answers(self) -> QLayout:
        """The kernel chooser and the student's answer grids, one per kernel."""
        middle = QVBoxLayout()
        chooser = QHBoxLayout()
        chooser.addWidget(_label("Your feature map for kernel", "heading"))
        self.kernel_buttons = QButtonGroup(self)
        for i, text in enumerate(["1", "2", "3", "4", "All four"]):
            b = QPushButton(text)
            b.setCheckable(True)
            b.setToolTip("Answer for all four kernels at once" if i == 4 else f"Answer for kernel {i + 1}")
            self.kernel_buttons.addButton(b, ALL if i == 4 else i)
            chooser.addWidget(b)
        chooser.addStretch(1)
        self.kernel_buttons.idClicked.connect(self.select_kernel)
        middle.addLayout(chooser)
        self.answer_grids: list[AnswerGrid] = []
        self.answer_titles: list[QLabel] = []
        self.answer_boxes: list[QWidget] = []
        answers = QGridLayout()
        for i in range(len(self.state.kernels)):
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            title = _label("")
            lay.addWidget(title)
            lay.addWidget(self._build_answer_grid(i))
            self.answer_titles.append(title)
            self.answer_boxes.append(box)
            answers.addWidget(box, i // 2, i % 2, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        middle.addLayout(answers)
        self.legend_label = _label("Green: right · red: wrong · purple: revealed · ?: not answered yet")
        middle.addStretch(1)
        return middle

    def _build_answer_grid(self, i: int) -> AnswerGrid:
        grid = AnswerGrid(*self.state.out_shape)
        grid.set_digits(8)  # 269.75 stays 269.75
        grid.setToolTip("Click a cell and type its value, then Enter (valid padding, stride 1). "
                        "Arrow keys move between cells.")
        grid.value_edited.connect(lambda r, c, v, i=i: self._on_answer_edited(i, r, c, v))
        grid.edit_rejected.connect(lambda r, c, msg, i=i: self._on_answer_rejected(i, r, c, msg))
        grid.cell_clicked.connect(lambda r, c, i=i: self.select_cell(i, r, c))
        grid.cell_hovered.connect(lambda r, c, i=i: self._on_answer_hovered(i, r, c))
        self.answer_grids.append(grid)
        return grid

    def _build_side(self) -> QLayout:
        """Score, buttons, legend, messages and the selected cell's arithmetic."""
        right = QVBoxLayout()
        self.score_label = _label("", "heading")
        right.addWidget(self.score_label)
        self.predict_hint = predict_hint_label()
        self.predict_hint.setWordWrap(True)
        right.addWidget(self.predict_hint)
        buttons = QHBoxLayout()
        self.reveal_cell_button = _button("Reveal cell", "Show the right value of the selected cell and its arithmetic",
                                          self.reveal_selected)
        self.reveal_all_button = _button("Reveal all", "Show every right value of the grid(s) shown", self.reveal_all)
        self.reset_button = _button("Reset", "Clear your answers and the revealed values of the grid(s) shown",
                                    self.reset)
        for b in (self.reveal_cell_button, self.reveal_all_button, self.reset_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.legend_label.setWordWrap(True)
        right.addWidget(self.legend_label)
        self.message_label = _label("")
        self.message_label.setWordWrap(True)
        right.addWidget(self.message_label)
        self.cell_heading = _label("", "heading")
        right.addWidget(self.cell_heading)
        self.hint_label = _label("")
        self.hint_label.setWordWrap(True)
        right.addWidget(self.hint_label)
        self.arithmetic_label = _label("", "mono")
        self.arithmetic_label.setWordWrap(True)
        self.arithmetic_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.arithmetic_label)
        right.addStretch(1)
        return right

    # ---- actions -------------------------------------------------------------------------
    def select_kernel(self, k: int) -> None:
        """Work on kernel ``k`` (0..3) or on all four (``ALL``)."""
        self._kernel = k
        self._walk, self._walk_revealed = 0, False
        self.kernel_buttons.button(k).setChecked(True)
        for i, box in enumerate(self.answer_boxes):
            box.setVisible(k == ALL or k == i)
        if self._selected is not None and k != ALL and self._selected[0] != k:
            self._selected = None
        if self._selected is None:
            self.select_cell(0 if k == ALL else k, 0, 0)
        else:
            self._refresh()

    def kernel_on_show(self) -> int:
        """The kernel answered for (0..3), or ``ALL``."""
        return self._kernel

    def selected_cell(self) -> tuple[int, int, int] | None:
        """(kernel, row, col) of the selected answer cell, or None."""
        return self._selected

    def set_selected_cell(self, cell: tuple[int, int, int] | None) -> None:
        """Mark ``cell`` selected without drawing: the next select_kernel keeps it (None: starts on the first
        cell of the kernel)."""
        self._selected = cell

    def shown_kernels(self) -> list[int]:
        return list(range(len(self.state.kernels))) if self._kernel == ALL else [self._kernel]

    def select_cell(self, k: int, r: int, c: int) -> None:
        self._selected = (k, r, c)
        self._refresh()

    def type_answer(self, k: int, r: int, c: int, text: str) -> bool:
        """Type ``text`` into answer cell (r, c) of kernel k, as the student would."""
        return self.answer_grids[k].edit_text(r, c, text)

    def reveal_selected(self) -> None:
        if self._selected is None:
            self._set_message("Click a cell of your feature map first, then reveal it.", "error")
            return
        self.state.reveal(*self._selected)
        self._set_message("")
        self._refresh()

    def reveal_all(self) -> None:
        for k in self.shown_kernels():
            self.state.reveal_all(k)
        self._set_message("")
        self._refresh()

    def reset(self) -> None:
        for k in self.shown_kernels():
            self.state.reset(k)
        self._walk, self._walk_revealed = 0, False
        self._set_message("Cleared. Try again!")
        self._refresh()

    def score_text(self) -> str:
        ks = self.shown_kernels()
        right = sum(self.state.score(k) for k in ks)
        shown = sum(1 for key in self.state.revealed if key[0] in ks)
        text = f"Score: {right} of {self.state.cells * len(ks)} right"
        return text + (f" ({shown} revealed)" if shown else "")

    # ---- slots ---------------------------------------------------------------------------
    def _on_answer_edited(self, k: int, r: int, c: int, value: float) -> None:
        right = self.state.enter(k, r, c, value)
        self.state.revealed.discard((k, r, c))
        self._selected = (k, r, c)
        if right:
            self._set_message(f"✓ {fmt_num(value)} is right.", "good")
        else:
            self._set_message(f"✗ {fmt_num(value)} is not right. Check the products and the bias, "
                              "or reveal the cell to see the arithmetic.", "error")
        self._refresh()

    def _on_answer_rejected(self, k: int, r: int, c: int, message: str) -> None:
        reason = message.split(";")[0]
        kept = self.state.typed.get((k, r, c))
        tail = "the cell stays empty" if kept is None else f"your answer {fmt_num(kept)} stays"
        self._set_message(f"{reason}: type the output value as a number, e.g. 57 or -2.5; {tail}.", "error")

    def _on_answer_hovered(self, k: int, r: int, c: int) -> None:
        if r >= 0 and self.answer_grids[k].current_cell() == (r, c) and self._selected != (k, r, c):
            self.select_cell(k, r, c)  # moved with the arrow keys

    def clear_message(self) -> None:
        """Remove the feedback under the buttons (right, wrong, cleared)."""
        self._set_message("")

    def _set_message(self, text: str, role: str = "") -> None:
        self.message_label.setText(text)
        self.message_label.setProperty("role", role)
        self.message_label.style().unpolish(self.message_label)
        self.message_label.style().polish(self.message_label)

    # ---- drawing -------------------------------------------------------------------------
    def _refresh(self) -> None:
        st, t = self.state, self.ctx.theme
        shown = st.revealed | self.walk_shown()
        for k, grid in enumerate(self.answer_grids):
            grid.show_answers(st, k, shown, t)
            grid.set_highlights([([self._selected[1:]], "accent2")] if self._selected and self._selected[0] == k else [])
            self.answer_titles[k].setText(f"Kernel {k + 1} · bias {fmt_num(st.kernels[k].bias)} · "
                                          f"{st.score(k)} of {st.cells} right")
        for i, card in enumerate(self.kernel_cards):
            on = self._selected is not None and self._selected[0] == i
            colour = t.accent if on else t.grid_line
            card.setStyleSheet(f"QFrame#kernelCard {{ border: {max(2, t.text_px // 7) if on else 1}px solid {colour};"
                               f" border-radius: 4px; }}")
        self.score_label.setText(self.score_text())
        self._refresh_selected()

    def _refresh_selected(self) -> None:
        if self._selected is None:
            self.image_grid.set_highlights([])
            self.cell_heading.setText("")
            self.hint_label.setText("Click a cell of your feature map.")
            self.arithmetic_label.setText("")
            return
        k, r, c = self._selected
        exp = self.state.explanation(k, r, c)
        window = [tuple(int(v) for v in cell) for cell in exp.cells.reshape(-1, 2)]
        self.image_grid.set_highlights([(window, "accent")])
        self.cell_heading.setText(f"Cell ({r}, {c}) of kernel {k + 1}")
        if (k, r, c) in self.state.revealed | self.walk_shown() or self.state.is_right(k, r, c):
            self.hint_label.setText("Each pixel of the outlined window times the kernel value in the same "
                                    "place, added up, plus the bias:")
            self.arithmetic_label.setText(str(exp))
        else:
            self.hint_label.setText(f"Multiply the outlined 2×2 window of the image by kernel {k + 1}, cell by "
                                    f"cell, add the four products and then the bias "
                                    f"({fmt_num(self.state.kernels[k].bias)}). Type your result in the cell.")
            hidden = self._predict and self.walk_cell() == (k, r, c)
            self.arithmetic_label.setText("\n".join(hidden_lines(exp.lines(), exp.names, fmt_num(exp.bias)))
                                          if hidden else "")

    def apply_theme(self, theme: Theme) -> None:
        for g in [self.image_grid, *self.kernel_grids, *self.answer_grids]:
            g.apply_theme(theme)
        # answer cells hold values like -476.25 or -247.545: room for 8 characters at full text size
        scale = max(1.0, (4.95 * theme.text_px + 10) / theme.cell_px)
        for g in self.answer_grids:
            g.set_cell_scale(scale)
        # kernel values like -2.8: room for 4 characters
        for g in self.kernel_grids:
            g.set_cell_scale(max(1.0, (2.6 * theme.text_px + 10) / theme.cell_px))
        self.note_label.setMinimumWidth(min(24 * theme.text_px, 700))
        self.note_label.setMaximumWidth(40 * theme.text_px)
        self.arithmetic_label.setStyleSheet(f"font-size: {round(theme.text_px * 1.3)}px; color: {theme.accent2};")
        on_text = "#000000" if theme.presentation else "#ffffff"
        for b in self.kernel_buttons.buttons():
            b.setStyleSheet(f"QPushButton:checked {{ background: {theme.accent2}; color: {on_text}; font-weight: bold; }}")
        self._refresh()

    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return True  # everything here is computed on the spot (24 products per kernel)

    def shutdown(self) -> None:
        for g in self.answer_grids:
            g.finish_edit(commit=False)


def _label(text: str, role: str = "") -> QLabel:
    lab = QLabel(text)
    if role:
        lab.setProperty("role", role)
    return lab


def _button(text: str, tip: str, slot) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    b.clicked.connect(slot)
    return b
