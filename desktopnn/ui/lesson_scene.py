"""Predict-before-reveal for the CNN lesson tabs (issue 9): the hint line and the hidden arithmetic.

(Checking a scene's fields lives in :mod:`desktopnn.ui.scene_fields`.)
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

PREDICT_HINT = "Predict: guess the value marked “?”, then reveal it (Page Down)"


def hidden_lines(lines: list[str], names: list[str], bias_text: str) -> list[str]:
    """Arithmetic with every result replaced by "?": ``a*b + c*d = ?``; the sums line by channel names."""
    out = []
    for line in lines:
        if "(bias)" in line:
            terms = [n for n in names if n] or ["sum"]
            out.append(" + ".join(terms) + f" + {bias_text} (bias) = ?")
        elif " = " in line:
            out.append(line[:line.rfind(" = ")] + " = ?")
        else:
            out.append(line)
    return out


def predict_hint_label(text: str = PREDICT_HINT) -> QLabel:
    """The small "Predict: guess, then reveal" line a view shows while predict-before-reveal is on."""
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold;")   # no larger than the numbers the class is guessing
    label.setWordWrap(True)   # unwrapped, it widened the view past a projector's width
    label.setToolTip("Predict before reveal is on: each new value is hidden until you reveal it "
                     "(Page Down, or the clicker's forward key), then the next step hides the next one")
    label.setVisible(False)
    return label
