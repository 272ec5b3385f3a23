# The bundle's entry point (PyInstaller runs a script, not a package): the same as `python -m desktopnn`.
from desktopnn.cli import main

raise SystemExit(main())
