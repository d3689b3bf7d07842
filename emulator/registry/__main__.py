from emulator.registry.launcher import main

raise SystemExit(main())
