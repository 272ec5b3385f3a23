"""Tensors you can see (notes 2.12): rank, axes, shape, size, indexing, reshape, broadcasting.

Left: build a tensor (range, random or typed values) drawn as nested grids; hover shows an element's
index tuple, a click indexes it. Right: an expression field in our own small language (never
``eval``) and pages that show what the expression did: which elements an index takes, how reshape
and transpose read the elements, how broadcasting stretches axes, and the notes' own examples.
Every operation makes a new tensor with a new id; the list of tensors shows the originals unchanged.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QPushButton, QScrollArea, QSizePolicy,
                               QSplitter, QTabWidget, QVBoxLayout, QWidget)

from desktopnn.engine.tensors.expr import (LIMITS, TensorExprError, describe_index, evaluate, format_numpy,
                                           format_value, selection, tf_dtype)
from desktopnn.engine.tensors.presets import run_preset, tensor_preset
from desktopnn.engine.tensors.shapes import fmt_shape
from desktopnn.ui.base import AppContext, LessonTab
from desktopnn.ui.tensors import scene
from desktopnn.ui.tensors.builder import BuilderBox
from desktopnn.ui.tensors.canvas import Block, TensorCanvas
from desktopnn.ui.tensors.flow import FlowPanel
from desktopnn.ui.tensors.panels import BroadcastPanel, IndexPanel, NotesPanel
from desktopnn.ui.tensors.presenter import TensorsPresenter
from desktopnn.ui.tensors.state import FILLS, PAGES, TensorStore, describe
from desktopnn.ui.theme import Theme

MAX_OUTPUT_LINES = 2
HOVER_PROMPT = "Point at an element to see its index."


class TensorsTab(TensorsPresenter, LessonTab):
    """Tensors drawn as nested grids, and what indexing, reshape and broadcasting do to them (notes 2.12)."""

    name = "tensors"
    title = "Tensors (2.12)"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.store = TensorStore()
        self.current = "t"                      # the tensor drawn on the left
        self._shown = None                      # its entry in the store
        self._rng = np.random.default_rng(212)
        self._split_done = False
        self._build_ui()
        self.apply_theme(ctx.theme)
        self.build_tensor()
        self.run_expression("t[1, :, -1]")
        src = self.store.bound["t"].array       # ready-made pages, not yet in the history
        self.flow.show_flow("reshape", "t", src, src.reshape(5, 6), "reshape(t, [5, -1])")
        self.flow.run_to_end()
        self.broadcast.show_operands(np.array([[0], [10], [20]]), np.array([1, 2, 3]), "+")
        self.broadcast.set_stage(len(self.broadcast.stages) - 1)
        self.pages.setCurrentWidget(self.index_page)

    # ---- widgets -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        left, right = self._build_left(), self._build_right()
        split = self._split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 5)
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(split)

    def _build_left(self) -> QWidget:
        """The builder, the tensor drawn with what the pointer is on, and the list of tensors made."""
        self.builder = BuilderBox()
        self.builder.build_requested.connect(self.build_tensor)
        self.heading = QLabel()
        self.heading.setProperty("role", "heading")
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.canvas = TensorCanvas()
        self.canvas.element_hovered.connect(self._on_element_hovered)
        self.canvas.element_clicked.connect(self._on_element_clicked)
        self.canvas.slice_clicked.connect(self._on_slice_clicked)
        self.canvas.setToolTip("Hover: an element's index; click: index it; click a grid's label: take that grid")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.canvas)
        self.hover_label = QLabel(HOVER_PROMPT)
        self.hover_label.setProperty("role", "mono")
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.info_label = QLabel()
        self.info_label.setProperty("role", "mono")
        self.info_label.setWordWrap(True)
        self.history = QListWidget()
        self.history.setToolTip("Every tensor made so far, with its id: an operation never changes a tensor, "
                                "it makes a new one. Click one to show it.")
        self.history.currentRowChanged.connect(self._on_history_row_changed)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.builder)
        lv.addWidget(self.heading)
        lv.addWidget(scroll, 4)
        lv.addWidget(self.hover_label)
        lv.addWidget(self.info_label)
        lv.addWidget(QLabel("Tensors made (never changed in place):"))
        lv.addWidget(self.history, 1)
        return left

    def _build_expression(self) -> QHBoxLayout:
        expr_row = QHBoxLayout()
        expr_row.addWidget(QLabel("Expression"))
        self.expr_edit = QLineEdit()
        self.expr_edit.setToolTip("e.g. t[1, :, -1]   reshape(t, [5, -1])   transpose(t)   t[0] * [1, 10, 100, 1000, 0]"
                                  "   y = t * 2   (our own small language: no Python)\n"
                                  f"Limits: {LIMITS}")
        self.expr_edit.returnPressed.connect(lambda: self.run_expression(self.expr_edit.text()))
        expr_row.addWidget(self.expr_edit, 1)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Evaluate the expression; the result is a new tensor")
        self.run_button.clicked.connect(lambda: self.run_expression(self.expr_edit.text()))
        expr_row.addWidget(self.run_button)
        return expr_row

    def _build_right(self) -> QWidget:
        """The expression, its refusal or its output, and the pages that explain what it did."""
        expr_row = self._build_expression()
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.caret_label = QLabel()          # the expression with ^^^ under the offending part
        self.caret_label.setProperty("role", "mono")
        self.caret_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.caret_label.setToolTip("The part of the expression that was refused is marked with ^")
        self.output_label = QLabel()
        self.output_label.setProperty("role", "mono")
        self.output_label.setWordWrap(True)
        self._build_pages()
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.addLayout(expr_row)
        rv.addWidget(self.error_label)
        rv.addWidget(self.caret_label)
        rv.addWidget(self.output_label)
        rv.addWidget(self.pages, 1)
        return right

    def _build_pages(self) -> None:
        self.index_page = IndexPanel()
        self.flow = FlowPanel()
        self.flow.expression_requested.connect(self.run_expression)
        self.broadcast = BroadcastPanel()
        self.broadcast.expression_requested.connect(self.run_expression)
        self.notes = NotesPanel()
        self.notes.preset_requested.connect(self.load_preset)
        self.pages = QTabWidget()
        for page, label, tip in ((self.index_page, "Index", "Indexing and slicing: which elements t[…] takes"),
                                 (self.flow, "Reshape", "Reshape next to transpose: the order elements are read in"),
                                 (self.broadcast, "Broadcast", "Broadcasting: shapes aligned from the right, axes of 1 stretched"),
                                 (self.notes, "Notes", "The examples of notes 2.12 and what they print")):
            self.pages.addTab(page, label)
            self.pages.setTabToolTip(self.pages.count() - 1, tip)

    # ---- building ------------------------------------------------------------------------
    def build_tensor(self) -> bool:
        """Make a new t from the builder; on a mistake say why and keep what is on screen."""
        try:
            arr = self.builder.values(self._rng)
        except ValueError:
            return False
        old = self.store.bound.get("t")
        self._add("t", arr, f"built: {dict(FILLS)[self.builder.fill()]}")
        self.show_tensor("t")
        new = self.store.bound["t"]
        kept = f"; the old t #{old.id} {fmt_shape(old.array.shape)} is still in the list" if old else ""
        self.output_label.setText(f"new tensor t #{new.id} {fmt_shape(arr.shape)}{kept}")
        return True

    def restore_tensors(self, tensors, results_named: int) -> None:
        """A new list of tensors made, ``[(name, array, source), …]`` in order, none of them shown yet;
        ``results_named``: how many result names r1, r2, … were already handed out."""
        store = TensorStore()
        self.history.blockSignals(True)
        self.history.clear()
        for name, arr, source in tensors:
            entry = store.add(name, arr, source)
            self.history.addItem(entry.label())
        self.history.blockSignals(False)
        store.results_named = results_named
        self.store = store

    def _add(self, name: str, arr, source: str) -> None:
        entry = self.store.add(name, arr, source)
        self.history.blockSignals(True)
        self.history.addItem(entry.label())
        self.history.setCurrentRow(self.history.count() - 1)
        self.history.blockSignals(False)

    # ---- showing -------------------------------------------------------------------------
    def show_tensor(self, name: str, highlight=None, entry=None) -> None:
        entry = entry or self.store.bound[name]
        if entry is not self._shown:       # the last hover read out an element of the tensor shown before
            self.hover_label.setText(HOVER_PROMPT)
        self.current, self._shown = name, entry
        arr = entry.array
        self.heading.setText(f"{name}   id #{entry.id}   shape {fmt_shape(arr.shape)}")
        self.canvas.set_blocks([Block(arr, f"{name}  {fmt_shape(arr.shape)}", highlight=highlight, name=name)])
        self.info_label.setText("\n".join(describe(name, arr)))
        self.flow.source_name = name

    def show_entry(self, row: int, highlight=None) -> None:
        """Show tensor ``row`` of the list (an older one too), selected there, ``highlight`` lit."""
        entry = self.store.history[row]
        self.history.blockSignals(True)
        self.history.setCurrentRow(row)
        self.history.blockSignals(False)
        self.show_tensor(entry.name, highlight=highlight, entry=entry)

    def shown_row(self) -> int:
        """The row in the list of the tensor on the left (the last row when it is not in the list)."""
        entries = self.store.history
        return entries.index(self._shown) if self._shown in entries else len(entries) - 1

    def page(self) -> str:
        """The page on show on the right: one of PAGES."""
        return PAGES[self._page_widgets().index(self.pages.currentWidget())]

    def show_page(self, name: str) -> None:
        """Bring the page called ``name`` (one of PAGES) to the front."""
        self.pages.setCurrentWidget(self._page_widgets()[PAGES.index(name)])

    def _page_widgets(self) -> list[QWidget]:
        return [self.index_page, self.flow, self.broadcast, self.notes]

    def run_expression(self, text: str) -> bool:
        """Evaluate ``text``; show the result on the page that explains its operation."""
        self.expr_edit.setText(text)
        env = self.store.env()
        try:
            res = evaluate(text, env)
        except TensorExprError as exc:
            self.show_error(exc)
            if "broadcast" in exc.message:
                self.broadcast.show_error(exc.message, exc.details.get("shapes"))
                self.pages.setCurrentWidget(self.broadcast)
            self.notice.emit(exc.message)
            return False
        self.show_error(None)
        if res.kind in ("shape", "list"):
            self.output_label.setText(f"{text}  →  {format_value(res)}")
            return True
        before = self.store.bound.get(self.current)
        name = res.target or self.store.fresh_name()
        self._add(name, res.value, text)
        lines = format_value(res).splitlines()
        shown = "\n".join(lines) if len(lines) <= MAX_OUTPUT_LINES else \
            f"tf.Tensor(shape={fmt_shape(res.value.shape)}, dtype={tf_dtype(res.value)}): values drawn below"
        kept = f"   ({before.name} #{before.id} is unchanged: {fmt_shape(before.array.shape)})" \
            if before is not None and before.name != name else ""
        self.output_label.setText(f"{name} = {shown}\nnew tensor {name} #{self.store.bound[name].id}{kept}")
        sel = selection(text, env)
        if res.operation == "index" and sel is not None:
            self.show_tensor(sel.name, highlight=sel.mask)
            self.index_page.show_result(text, res.value, describe_index(text, env))
            self.pages.setCurrentWidget(self.index_page)
        elif res.operation in ("reshape", "transpose"):
            src_name = sel.name if sel is not None else "input"
            self.flow.show_flow(res.operation, src_name, res.operands[0], res.value, f"{name} = {text}",
                                perm=res.params.get("perm"))
            self.pages.setCurrentWidget(self.flow)
        elif res.operation == "broadcast":
            self.broadcast.show_operands(res.operands[0], res.operands[1], res.op)
            self.pages.setCurrentWidget(self.broadcast)
        elif res.target is not None or sel is None:
            self.show_tensor(name)
        return True

    def show_error(self, exc: TensorExprError | None) -> None:
        """The refusal in words, then the expression with ^^^ under the part that was refused."""
        self.error_label.setText("" if exc is None else f"{exc.message} (column {exc.start + 1})")
        self.caret_label.setText("" if exc is None or not exc.text else f"{exc.text}\n{exc.pointer()}")
        self.error_label.setVisible(exc is not None)
        self.caret_label.setVisible(exc is not None and bool(exc.text))

    def load_preset(self, key: str) -> list[str]:
        """Run one of the notes' examples; its tensors join the list, its output is printed."""
        preset = tensor_preset(key)
        try:
            run = run_preset(key)
        except TensorExprError as exc:    # the presets are tested; this only guards edits
            self.show_error(exc)
            return []
        for name, arr in run.env.items():
            self._add(name, arr, run.sources.get(name, "preset"))
        self.show_tensor(preset.focus)
        self.notes.select(key)
        self.notes.show_output(run.output)
        self.output_label.setText(f"{preset.title}: printed {len(run.output)} lines (see Output)")
        self.pages.setCurrentWidget(self.notes)
        return run.output

    # ---- pointer -------------------------------------------------------------------------
    def _on_element_hovered(self, block: int, index) -> None:
        if index is None:
            self.hover_label.setText(HOVER_PROMPT)
            return
        arr = self.canvas.blocks[block].values
        idx = ", ".join(str(i) for i in index)
        value = format_numpy(arr[tuple(index)])
        self.hover_label.setText(f"index ({idx}{',' if len(index) == 1 else ''})   {self.current}[{idx}] = {value}")

    def _is_old(self) -> bool:
        """An older tensor from the list is on show: its name now means a newer tensor."""
        bound = self.store.bound.get(self.current)
        if bound is not None and bound is not self._shown:
            self.error_label.setText(f"this is an older {self.current} (#{self._shown.id}); expressions use the "
                                     f"newest {self.current} (#{bound.id}). Click it in the list to index it.")
            self.error_label.show()
            self.caret_label.hide()
            return True
        return False

    def _on_element_clicked(self, block: int, index) -> None:
        if self._is_old():
            return
        if not index:
            self.run_expression(f"{self.current}.numpy()")
            return
        self.run_expression(f"{self.current}[{', '.join(str(i) for i in index)}]")

    def _on_slice_clicked(self, block: int, index) -> None:
        if self._is_old():
            return
        self.run_expression(f"{self.current}[{', '.join(str(i) for i in index)}]")

    def _on_history_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.store.history):
            entry = self.store.history[row]
            self.show_tensor(entry.name, entry=entry)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self._split_done and self.width() > 200:     # first real size: 45 % left, 55 % right
            self._split_done = True
            self._split.setSizes([int(self.width() * 0.45), int(self.width() * 0.55)])

    # ---- LessonTab -----------------------------------------------------------------------
    def scene_state(self) -> dict:
        return scene.scene_state(self)

    def apply_scene(self, state: dict) -> None:
        scene.apply(self, scene.check(self, state))

    def apply_theme(self, theme: Theme) -> None:
        for w in (self.canvas, self.index_page, self.flow, self.broadcast, self.notes):
            w.apply_theme(theme)

    def deactivate(self) -> None:
        self.flow.pause()
        self.broadcast.pause()

    def shutdown(self) -> None:
        self.flow.shutdown()
        self.broadcast.shutdown()
