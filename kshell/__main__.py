from kshell.cli import main

raise SystemExit(main())
