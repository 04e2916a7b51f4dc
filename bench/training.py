"""Training mode: how long a new workspace takes to seed, to open again, and to reset between groups.

Target: "Reset training workspace" restores the starting state in seconds (here: under 1 s), and
checking every exercise (what the panel does every two seconds) stays well under a frame.

    python bench/training.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from networked_councillor.base import netguard  # noqa: E402
from networked_councillor.demo import demo_material  # noqa: E402
from networked_councillor.training.exercises import EXERCISES, DemoPosts  # noqa: E402
from networked_councillor.training.workspace import open_workspace, reset_workspace  # noqa: E402


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="nc-bench-training-"))
    began = time.perf_counter()
    app = open_workspace(root, log_to_file=False)
    print(f"first start (seed the demo ward, tag it, keep the starting state): {time.perf_counter() - began:.1f} s")
    with app.store.read() as db:
        items = db.execute("SELECT count(*) FROM items").fetchone()[0]
    print(f"  {items} posts in the workspace")
    app.close()

    began = time.perf_counter()
    app = open_workspace(root, log_to_file=False)
    print(f"later start: {time.perf_counter() - began:.2f} s")

    with app.store.write() as db:  # a session's worth of changes to undo
        db.execute("UPDATE items SET pinned = 1, state = 'done' WHERE id % 3 = 0")
    resets = [reset_workspace(app) for _ in range(5)]
    print(f"reset: median {statistics.median(resets) * 1000:.0f} ms, worst {max(resets) * 1000:.0f} ms (5 runs)")

    posts = DemoPosts(demo_material())
    times = []
    for _ in range(20):
        began = time.perf_counter()
        with app.store.read() as db:
            for exercise in EXERCISES:
                exercise.progress(db, posts)
        times.append(time.perf_counter() - began)
    print(f"checking all {sum(len(e.steps) for e in EXERCISES)} exercise steps: median "
          f"{statistics.median(times) * 1000:.1f} ms, worst {max(times) * 1000:.1f} ms")
    app.close()
    netguard.allow_network()


if __name__ == "__main__":
    main()
