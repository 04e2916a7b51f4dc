from networked_councillor.cli.main import main

raise SystemExit(main())
