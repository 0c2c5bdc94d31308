from pflegegraph.cli import main

raise SystemExit(main())
