"""``desktopnn bench``: measured figures, printed, never asserted by tests.

The benchmarks sit above the app: they build real windows and tabs (``desktopnn.app``,
``desktopnn.ui``) and time them; nothing in the app imports them. ``run`` holds the command line and
the small sections, ``live`` and ``audio`` the live views measured from capture to pixels.
"""

from desktopnn.bench.run import SECTIONS, main

__all__ = ["SECTIONS", "main"]
