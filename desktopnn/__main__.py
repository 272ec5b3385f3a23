from desktopnn.app import main

raise SystemExit(main())
