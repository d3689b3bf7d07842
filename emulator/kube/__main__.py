from emulator.kube.launcher import main

raise SystemExit(main())
