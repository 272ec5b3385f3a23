"""Which key is the presenter's and which belongs to the focused widget (issue 9).

A presenter's clicker sends PageDown/PageUp (some send Right/Left), "B" or "." to blank the screen,
and F5/Shift+F5/Esc. These keys must work whatever has focus, except where the focused widget needs
them: arrows in a text field, number box, slider, list or editable grid; PageUp/PageDown in a
multi-line text editor; letters anywhere a person types.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit,
                               QPlainTextEdit, QTextEdit, QWidget)

PASS = "pass"   # the focused widget keeps the key (and no window shortcut fires)

K = Qt.Key
# command, key, modifiers allowed (besides the keypad flag)
_CLICKER = {K.Key_PageDown: "next", K.Key_PageUp: "prev", K.Key_Right: "next", K.Key_Left: "prev"}
_LETTERS = {K.Key_B: "blank", K.Key_Period: "blank", K.Key_W: "white", K.Key_L: "spotlight",
            K.Key_Z: "zoom", K.Key_R: "reveal"}
_WHILE_SPOTLIGHT = {K.Key_BracketLeft: "smaller", K.Key_BracketRight: "larger"}
_WHILE_ZOOM = {K.Key_Plus: "zoom_in", K.Key_Equal: "zoom_in", K.Key_Minus: "zoom_out"}
_MODIFIER_KEYS = {K.Key_Shift, K.Key_Control, K.Key_Alt, K.Key_Meta, K.Key_AltGr, K.Key_CapsLock,
                  K.Key_NumLock, K.Key_Super_L, K.Key_Super_R}

SHIFT = Qt.KeyboardModifier.ShiftModifier
NO_MODS = Qt.KeyboardModifier.NoModifier


def is_text_editor(w: QWidget | None) -> bool:
    """A multi-line editor, which needs PageUp/PageDown itself."""
    return isinstance(w, (QTextEdit, QPlainTextEdit))


def wants_arrows(w: QWidget | None) -> bool:
    """Left/Right move something inside ``w`` (a caret, a value, a selection)."""
    if w is None:
        return False
    if w.property("wants_arrows") is True:
        return True
    if isinstance(w, QComboBox):
        return w.isEditable()
    return isinstance(w, (QLineEdit, QAbstractSpinBox, QAbstractSlider, QTextEdit, QPlainTextEdit,
                          QAbstractItemView))


def accepts_typing(w: QWidget | None) -> bool:
    """Letters typed with ``w`` focused are text for it, not the presenter's single-key commands."""
    if w is None:
        return False
    if isinstance(w, (QTextEdit, QPlainTextEdit)):
        return not w.isReadOnly()
    return wants_arrows(w) or isinstance(w, (QLineEdit, QAbstractSpinBox))


def is_modifier(event: QKeyEvent) -> bool:
    return event.key() in _MODIFIER_KEYS


def route(event: QKeyEvent, focus: QWidget | None, spotlight: bool = False, zoom: bool = False,
          overlay: bool = False) -> str | None:
    """The presenter command for ``event`` with ``focus`` focused, PASS, or None (not a presenter key).

    ``spotlight``/``zoom``: those tools are on (their extra keys apply); ``overlay``: one of them is on
    (Esc leaves it rather than presentation mode).
    """
    key = event.key()
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if key == K.Key_F5 and mods == SHIFT:
        return "present"
    if key == K.Key_Escape and mods == NO_MODS:
        return "leave_overlay" if overlay else None
    if key in _CLICKER and mods == NO_MODS:
        if key in (K.Key_PageDown, K.Key_PageUp):
            return PASS if is_text_editor(focus) else _CLICKER[key]
        return PASS if wants_arrows(focus) else _CLICKER[key]
    if spotlight and key in _WHILE_SPOTLIGHT and mods in (NO_MODS, SHIFT):
        return PASS if accepts_typing(focus) else _WHILE_SPOTLIGHT[key]
    if zoom and key in _WHILE_ZOOM and mods in (NO_MODS, SHIFT):
        return PASS if accepts_typing(focus) else _WHILE_ZOOM[key]
    if key in _LETTERS and mods == NO_MODS:
        return PASS if accepts_typing(focus) else _LETTERS[key]
    if key == K.Key_L and mods == SHIFT:
        return PASS if accepts_typing(focus) else "laser"
    return None
