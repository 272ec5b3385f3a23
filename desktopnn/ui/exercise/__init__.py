"""The exercise of notes 2.11: type each output of the 4×5 convolution, marked at once."""

from desktopnn.ui.exercise.tab import ExerciseTab

__all__ = ["ExerciseTab"]
