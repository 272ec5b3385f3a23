"""The tensors tab (notes 2.12) driven like a student would: typing, clicking, hovering, animating."""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication

from desktopnn.ui.tensors import TensorsTab


@pytest.fixture
def tab(qtbot, app_ctx):
    t = TensorsTab(app_ctx)
    t.resize(1600, 900)
    t.show()
    qtbot.waitExposed(t)
    yield t
    t.shutdown()
    t.close()
    t.deleteLater()     # now, not at some later loop: restyling many dead tabs slows every next test
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def type_expression(qtbot, tab, text):
    tab.expr_edit.clear()
    qtbot.keyClicks(tab.expr_edit, text)
    qtbot.keyClick(tab.expr_edit, Qt.Key.Key_Return)


def test_starts_with_the_notes_rank3_tensor_and_names_its_parts(tab):
    t = tab.store.bound["t"].array
    assert t.shape == (3, 2, 5) and t.reshape(-1).tolist() == list(range(30))
    info = tab.info_label.text()
    assert "Rank 3: 3 axes" in info and "axis 0: 3  (amount of sub-arrays)" in info
    assert "Shape [3, 2, 5]" in info and "Size 3·2·5 = 30" in info


def test_typed_index_lights_up_the_selection(qtbot, tab):
    type_expression(qtbot, tab, "t[1, :, -1]")
    mask = tab.canvas.blocks[0].highlight
    assert sorted(np.flatnonzero(mask)) == [14, 19]
    assert "shape (2,)" in tab.index_page.shape_label.text()
    assert tab.index_page.canvas.blocks[0].values.tolist() == [14, 19]
    assert tab.pages.currentWidget() is tab.index_page
    assert tab.error_label.text() == ""


def test_clicking_an_element_indexes_it_and_hover_shows_its_index(qtbot, tab):
    centre = tab.canvas.element_center(0, (2, 1, 3)).toPoint()
    qtbot.mouseMove(tab.canvas, centre)
    qtbot.waitUntil(lambda: "index (2, 1, 3)" in tab.hover_label.text())
    assert "t[2, 1, 3] = 28" in tab.hover_label.text()
    qtbot.mouseClick(tab.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert tab.expr_edit.text() == "t[2, 1, 3]"
    assert np.flatnonzero(tab.canvas.blocks[0].highlight).tolist() == [28]
    assert "shape ()" in tab.index_page.shape_label.text()


def test_clicking_a_grid_label_takes_the_whole_grid(qtbot, tab):
    rect, idx = tab.canvas.blocks[0].frames[1]
    ox, oy = tab.canvas.blocks[0].origin
    pos = QPoint(int(ox + rect.center().x()), int(oy + rect.y() - tab.ctx.theme.text_px * 0.6))
    qtbot.mouseClick(tab.canvas, Qt.MouseButton.LeftButton, pos=pos)
    assert tab.expr_edit.text() == "t[1]"
    assert tab.index_page.canvas.blocks[0].values.shape == (2, 5)


def test_reshape_animation_runs_to_the_end(qtbot, tab):
    tab.flow.speed.setValue(tab.flow.speed.maximum())
    tab.flow.shape_edit.setText("2, -1")
    with qtbot.waitSignal(tab.flow.animation_finished, timeout=5000):
        qtbot.mouseClick(tab.flow.reshape_button, Qt.MouseButton.LeftButton)
        assert tab.flow._timer.isActive()
    target = tab.flow.canvas.blocks[1]
    assert target.values.shape == (2, 15)
    assert not target.hidden.any() and tab.flow.canvas.blocks[0].faded.all()
    assert tab.flow.canvas.blocks[1].values.reshape(-1).tolist() == list(range(30))
    assert not tab.flow._timer.isActive()
    assert "0 1 2 3 4 5" in tab.flow.order_label.text()


def test_step_moves_one_element_and_transpose_reads_in_another_order(qtbot, tab):
    qtbot.mouseClick(tab.flow.transpose_button, Qt.MouseButton.LeftButton)
    assert tab.flow.kind == "transpose"
    tab.flow.restart()
    assert tab.flow.canvas.blocks[1].hidden.all()
    for _ in range(5):
        tab.flow.step()
    tab.flow.run_to_end()
    assert tab.flow.canvas.blocks[1].values.shape == (5, 2, 3)
    assert "transpose reads: 0 10 20 5 15 25" in tab.flow.order_label.text()


def test_refused_reshape_shows_the_arithmetic_and_keeps_the_screen(qtbot, tab):
    before = len(tab.store.history)
    type_expression(qtbot, tab, "reshape(t, [4, 8])")
    assert "3·2·5 = 30 elements cannot fill 4·8 = 32" in tab.error_label.text()
    assert tab.caret_label.text().splitlines()[1].startswith("^")
    assert len(tab.store.history) == before and tab.store.bound["t"].array.shape == (3, 2, 5)


def test_broadcasting_steps_to_the_result_and_refuses_with_the_rule(qtbot, tab):
    tab.broadcast.a_edit.setText("[1, 2, 3]")
    tab.broadcast.b_edit.setText("2")
    tab.broadcast.op_combo.setCurrentText("*")
    qtbot.mouseClick(tab.broadcast.go_button, Qt.MouseButton.LeftButton)
    assert tab.pages.currentWidget() is tab.broadcast and tab.broadcast.stage == 0
    while tab.broadcast.next_button.isEnabled():
        qtbot.mouseClick(tab.broadcast.next_button, Qt.MouseButton.LeftButton)
    blocks = tab.broadcast.canvas.blocks
    assert blocks[-1].values.tolist() == [2, 4, 6]
    assert blocks[1].ghost.tolist() == [False, True, True]
    type_expression(qtbot, tab, "t + [1, 2, 3]")
    assert "axis 2 (the last): 5 vs 3, neither is 1" in tab.broadcast.error_label.text()
    assert "✓  ✓  ✗" in tab.broadcast.steps_label.text() and not tab.broadcast.stages
    assert not tab.broadcast.next_button.isEnabled()


def test_operations_make_new_tensors(qtbot, tab):
    original = tab.store.bound["t"]
    type_expression(qtbot, tab, "u = t * 2")
    assert tab.store.bound["u"].id != original.id
    assert tab.store.bound["t"] is original and original.array.reshape(-1).tolist() == list(range(30))
    assert not original.array.flags.writeable
    assert "t #1 is unchanged" in tab.output_label.text()
    assert tab.build_tensor()                     # a new t; the old one stays in the list
    tab.history.setCurrentRow(0)
    assert tab.heading.text().startswith("t   id #1")
    centre = tab.canvas.element_center(0, (0, 0, 0)).toPoint()
    qtbot.mouseClick(tab.canvas, Qt.MouseButton.LeftButton, pos=centre)
    assert "older t (#1)" in tab.error_label.text()


def test_grammar_errors_point_at_the_part(qtbot, tab):
    type_expression(qtbot, tab, "t.__class__")
    assert "not allowed" in tab.error_label.text() and not tab.error_label.isHidden()
    lines = tab.caret_label.text().splitlines()
    assert lines[0] == "t.__class__" and lines[1].index("^") == lines[0].index(".__class__")
    type_expression(qtbot, tab, "t[0]")
    assert tab.error_label.isHidden() and tab.caret_label.text() == ""


@pytest.mark.parametrize("key,lines", [
    ("fibonacci", ["[0 1 1 2 3 5 8 13 21 34]", "First: 0", "Second: 1", "Last: 34"]),
    ("reshape", ["(3, 1)", "(1, 3)"]),
    ("broadcast", ["tf.Tensor([2 4 6], shape=(3,), dtype=int32)"] * 3),
    ("rank3", ["A 3-axis tensor, shape: [3, 2, 5]"]),
    ("rank4", ["A rank-4 tensor, shape: [3, 2, 4, 5]"]),
])
def test_presets_print_the_notes_output(qtbot, tab, key, lines):
    tab.notes.select(key)
    qtbot.mouseClick(tab.notes.run_button, Qt.MouseButton.LeftButton)
    assert tab.notes.output.toPlainText() == "\n".join(lines)
    assert tab.current in tab.store.bound


def test_builder_values_and_refusals(qtbot, tab):
    tab.builder.fill_combo.setCurrentIndex(2)
    tab.builder.shape_edit.setText("2, 3")
    tab.builder.values_edit.setText("1 2 3 4 5 6")
    assert tab.build_tensor()
    assert tab.store.bound["t"].array.tolist() == [[1, 2, 3], [4, 5, 6]]
    tab.builder.values_edit.setText("1 2")
    assert not tab.build_tensor()
    assert "needs 2·3 = 6 values; you typed 2" in tab.builder.build_error.text()
    assert tab.store.bound["t"].array.shape == (2, 3)
    tab.builder.fill_combo.setCurrentIndex(1)
    tab.builder.shape_edit.setText("")
    assert tab.build_tensor() and tab.store.bound["t"].array.shape == ()


def test_presentation_mode_restyles_the_drawing(qtbot, tab, app_ctx):
    app_ctx.themes.set_presentation(True)
    tab.apply_theme(app_ctx.theme)
    tab.resize(1920, 1080)
    qtbot.wait(10)
    assert tab.canvas._theme.presentation and tab.flow.canvas._theme.text_px >= 27
    assert tab.canvas.cell_size() >= tab.canvas.min_cell() >= 27


def test_shutdown_stops_the_timers(qtbot, tab):
    tab.flow.request_reshape()
    tab.broadcast.toggle_play()
    assert tab.flow._timer.isActive() and tab.broadcast._timer.isActive()
    tab.shutdown()
    assert not tab.flow._timer.isActive() and not tab.broadcast._timer.isActive()


def test_showing_another_tensor_clears_the_last_hover_reading(qtbot, tab):
    saved = tab.scene_state()                          # t on the left
    type_expression(qtbot, tab, "u = t * 100")
    tab.show_entry([e.name for e in tab.store.history].index("u"))      # picked in the list of tensors
    assert tab.current == "u"
    centre = tab.canvas.element_center(0, (2, 1, 3)).toPoint()
    qtbot.mouseMove(tab.canvas, QPoint(1, 1))          # a real move, wherever the last test left the pointer
    qtbot.mouseMove(tab.canvas, centre)
    qtbot.waitUntil(lambda: "u[2, 1, 3] = 2800" in tab.hover_label.text())
    tab.apply_scene(saved)                             # t again: u's value must not stay on screen
    assert tab.current == "t"
    assert tab.hover_label.text() == "Point at an element to see its index."
    qtbot.mouseMove(tab.canvas, centre + QPoint(1, 0))
    qtbot.waitUntil(lambda: "t[2, 1, 3] = 28" in tab.hover_label.text())
