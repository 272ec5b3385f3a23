from desktopnn.cli import main

raise SystemExit(main())
