"""Accessibility (issue 9): contrast of the theme's text colours, colour-blind-safe colour maps and
right/wrong colours, tooltips and keyboard focus on every control, tooltips on every menu action."""

import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QSlider,
                               QTabBar, QWidget)

import desktopnn.ui as ui_pkg
from desktopnn.app import build_window, dispose, make_app
from desktopnn.ui.grid import NumberGrid
from desktopnn.ui.theme import NORMAL_COLOURS, PRESENTATION_COLOURS, make_theme

TEXT_COLOURS = ("text", "muted", "accent", "accent2", "good", "bad")
# colour-blind-safe maps: perceptually uniform viridis family, greys, and colorcet's CB maps;
# CET-D1 (blue–white–red) is a diverging map whose ends stay apart for red-green colour blindness
SAFE_MAPS = {"viridis", "cividis", "magma", "inferno", "plasma", "grey", "gray", "greys", "CET-L1", "CET-L2",
             "CET-D1", "CET-D1A"} | {m for m in pg.colormap.listMaps() if m.startswith("CET-CB")}
# Machado et al. 2009, full severity, on linear RGB
CVD = {"protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                               [-0.003882, -0.048116, 1.051998]]),
       "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                                 [-0.011820, 0.042940, 0.968881]])}


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio."""
    la, lb = (float(_linear(x) @ [0.2126, 0.7152, 0.0722]) for x in (a, b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _srgb(lin):
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("against", ["background", "panel"])
def test_presentation_text_contrast_at_least_7(against):
    t = make_theme(True, 1080)
    bad = {name: round(contrast(getattr(t, name), getattr(t, against)), 2) for name in TEXT_COLOURS
           if contrast(getattr(t, name), getattr(t, against)) < 7.0}
    assert not bad, f"presentation colours under 7:1 against {against}: {bad}"
    # numbers on padding cells (grid.py, animator frames) are drawn in #e8e0ff on the padding colour
    assert contrast("#e8e0ff", t.padding) >= 7.0


@pytest.mark.parametrize("against", ["background", "panel"])
def test_normal_text_contrast_at_least_4_5(against):
    t = make_theme(False)
    bad = {name: round(contrast(getattr(t, name), getattr(t, against)), 2) for name in TEXT_COLOURS
           if name != "accent" and contrast(getattr(t, name), getattr(t, against)) < 4.5}
    assert not bad, f"normal colours under 4.5:1 against {against}: {bad}"
    # the accent marks things (outlines, the current window) rather than setting text: 3:1 (WCAG 1.4.11)
    assert contrast(t.accent, getattr(t, against)) >= 3.0
    assert contrast(t.muted, t.padding) >= 4.5            # numbers on padding cells


@pytest.mark.parametrize("colours", [NORMAL_COLOURS, PRESENTATION_COLOURS], ids=["normal", "presentation"])
def test_right_and_wrong_stay_apart_for_red_green_colour_blindness(colours):
    """good/bad (✓/✗ marks, right/wrong outlines) simulated for protanopia and deuteranopia."""
    for kind, m in CVD.items():
        a, b = (_srgb(m @ _linear(colours[k])) for k in ("good", "bad"))
        distance = float(np.linalg.norm(a - b) * 255)
        assert distance >= 60, f"{kind}: good {colours['good']} and bad {colours['bad']} only {distance:.0f} apart"


def test_default_colour_maps_are_colour_blind_safe():
    assert make_theme(False).colormap in SAFE_MAPS and make_theme(True).colormap in SAFE_MAPS
    known = set(pg.colormap.listMaps()) | {"grey", "gray"}
    offenders = []
    for path in Path(ui_pkg.__file__).parent.rglob("*.py"):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in re.findall(r"""["']([A-Za-z][\w-]*)["']""", line):
                if name in known and name not in SAFE_MAPS and name not in ("red", "green", "blue"):
                    offenders.append(f"{path.name}:{lineno}: {name}")
    assert not offenders, "colour maps that are not colour-blind safe:\n" + "\n".join(offenders)


# ---- every control: a tooltip and keyboard focus --------------------------------------------------
CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QSlider, QLineEdit, QAbstractItemView, NumberGrid)


def _inside_compound(w: QWidget) -> bool:
    """Parts of another control (a spin box's line edit, a combo's popup list, a scroll bar's buttons)."""
    p = w.parentWidget()
    while p is not None:
        if isinstance(p, (QAbstractSpinBox, QComboBox)):
            return True
        p = p.parentWidget()
    return w.objectName().startswith("qt_") or type(w).__name__ in ("QTabBarTabButton", "CloseButton")


def _tooltip(w: QWidget) -> str:
    tip = w.toolTip()
    if not tip and hasattr(w, "defaultAction") and w.defaultAction() is not None:
        tip = w.defaultAction().toolTip()
    return tip.strip()


def _label(w: QWidget) -> str:
    text = w.text() if hasattr(w, "text") and callable(w.text) else ""
    return f"{type(w).__name__}({text!r}, name={w.objectName()!r})"


@pytest.fixture(scope="module")
def full_window():
    app = make_app()
    w = build_window(app, demo=True, screen_height=1080)
    w.resize(1600, 1000)
    w.show()
    tabs = w.lesson_tabs
    for i, tab in enumerate(tabs):
        w.tabs.setCurrentIndex(i)
        tab.wait_idle(30)
        app.processEvents()
    yield w, tabs
    dispose(app, w)


def test_every_control_has_a_tooltip_and_takes_keyboard_focus(full_window):
    window, tabs = full_window
    no_tip, no_focus, checked = [], [], 0
    for i, tab in enumerate(tabs):
        window.tabs.setCurrentIndex(i)
        for w in tab.findChildren(QWidget):
            if not isinstance(w, CONTROLS) or not w.isVisibleTo(tab) or _inside_compound(w):
                continue
            if isinstance(w, NumberGrid) and not w.property("wants_arrows"):
                where = f"{tab.name}: {_label(w)}"
                if not _tooltip(w):
                    no_tip.append(where + " (read-only grid)")
                continue
            where = f"{tab.name}: {_label(w)}"
            checked += 1
            if not _tooltip(w):
                no_tip.append(where)
            if not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) and w.isEnabled():
                no_focus.append(where)
        for bar in tab.findChildren(QTabBar):
            if bar.isVisibleTo(tab):
                no_tip += [f"{tab.name}: tab {bar.tabText(k)!r}" for k in range(bar.count()) if not bar.tabToolTip(k)]
    main_bar = window.tabs.tabBar()
    no_tip += [f"main window: tab {main_bar.tabText(k)!r}" for k in range(main_bar.count()) if not main_bar.tabToolTip(k)]
    report = "\n".join(["without a tooltip:"] + no_tip + ["", "not reachable with Tab:"] + no_focus)
    assert checked > 100, f"only {checked} controls found"
    print(report, f"\n{checked} controls checked")
    assert not no_tip and not no_focus, report


def test_every_menu_action_has_a_tip(full_window):
    window, _ = full_window
    missing = []

    def walk(menu, path):
        for act in menu.actions():
            if act.isSeparator():
                continue
            name = " ▸ ".join(path + [act.text().replace("&", "")])
            if not (act.statusTip().strip() or (act.toolTip().strip() and act.toolTip() != act.text().replace("&", ""))):
                missing.append(name)
            if act.menu() is not None:
                walk(act.menu(), path + [act.text().replace("&", "")])

    for top in window.menuBar().actions():
        walk(top.menu(), [top.text().replace("&", "")])
    assert not missing, "menu actions without a tooltip or status tip: " + ", ".join(missing)
