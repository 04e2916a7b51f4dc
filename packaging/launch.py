"""The bundle's entry point: the same `networked-councillor` as the console script (the window with no arguments)."""

import multiprocessing

from networked_councillor.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
