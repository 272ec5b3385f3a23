"""The ``desktopnn`` command: ``desktopnn bench …`` measures, anything else starts the app.

It sits above both, so the app never imports the benchmarks (they import the app to measure it).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "bench":
        from desktopnn.bench import main as bench_main

        return bench_main(argv[1:])
    from desktopnn.app import end_process, main as app_main

    return end_process(app_main(argv))
