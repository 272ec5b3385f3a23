# The bundle's entry point (PyInstaller runs a script, not a package): the same as `python -m desktopnn`.
from desktopnn.app import main

raise SystemExit(main())
