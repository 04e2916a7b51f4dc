from networked_councillor.cli import main

raise SystemExit(main())
