from emulator.launcher import main

raise SystemExit(main())
