"""Shared casework: how long syncing takes, how fast a colleague's change arrives, and that memory stays flat.

Against a real PostgreSQL (Debian's, started here in a temporary folder on loopback, with fsync on as a real
server has it), with two laptops (two data folders) of one ward:

1. First sync of 10,000 issues with 5 notes each (60,000 timeline entries): laptop A sends them all, laptop B
   (empty) reads them all. Then an incremental sync: A changes 100 issues, A sends, B reads.
2. Memory: the growth of the process's resident memory during each sync, at 2,000 and at 10,000 issues: flat
   means it does not grow with the casework (entries go a batch at a time both ways).
3. Propagation: a change made on A (and sent) until B's copy has it, with B's sync loop running as in the
   window: with notifications (LISTEN/NOTIFY) and with polling alone. Targets < 1 s and < 5 s.

    python bench/shared.py [--issues 10000] [--notes 5] [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from localpostgres import LocalPostgres  # noqa: E402
from sharedcase import add, laptop  # noqa: E402

from networked_councillor.base import clock  # noqa: E402
from networked_councillor.casework import issues as casework  # noqa: E402
from networked_councillor.casework import ops  # noqa: E402
from networked_councillor.shared import admin  # noqa: E402
from networked_councillor.shared.connection import SharedSettings  # noqa: E402
from networked_councillor.shared.sync import SyncLoop  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """The most resident memory seen (sampled every 20 ms) above what the process held when it began."""

    def __enter__(self):
        self.start, self.peak, self._stop = rss_mb(), rss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.growth = self.peak - self.start


def fill(app, issues: int, notes: int) -> None:
    now = clock.now_iso()
    with app.store.write() as db:
        for n in range(issues):
            issue_id = casework.create_issue(db, casework.NewIssue(
                f"Pothole {n} on Mill Lane", "Deep enough to damage a wheel", category="roads",
                address=f"{n} Mill Lane", priority="normal"), now)
            for k in range(notes):
                casework.add_note(db, issue_id, f"Note {k}: rang highways about it; they will inspect this week.",
                                  now)


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def sync_figures(server, dbname: str, folder: Path, issues: int, notes: int) -> dict:
    a = laptop(server, dbname, folder / "a", "cllr_ann")
    b = laptop(server, dbname, folder / "b", "cllr_ben")
    try:
        fill_seconds, _ = timed(lambda: fill(a, issues, notes))
        with PeakMemory() as send_memory:
            send_seconds, sent = timed(a.sync_shared)
        with PeakMemory() as read_memory:
            read_seconds, read = timed(b.sync_shared)
        with a.store.read() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM issues ORDER BY id LIMIT 100")]
        for issue_id in ids:
            a.perform(ops.edit, issue_id, {"status": "reported"})
        inc_send, inc_sent = timed(a.sync_shared)
        inc_read, inc_read_report = timed(b.sync_shared)
        nothing, _ = timed(b.sync_shared)
        return {"issues": issues, "entries": sent.sent, "fill": fill_seconds, "send": send_seconds,
                "read": read_seconds, "received": read.received, "send_mb": send_memory.growth,
                "read_mb": read_memory.growth, "inc_sent": inc_sent.sent, "inc_send": inc_send,
                "inc_received": inc_read_report.received, "inc_read": inc_read, "nothing": nothing}
    finally:
        a.close()
        b.close()


def propagation(server, dbname: str, folder: Path, rounds: int, listen: bool) -> list[float]:
    """Seconds from A's change being sent until B's copy has it, B syncing as the window does."""
    a = laptop(server, dbname, folder / f"pa{listen}", "cllr_ann")
    b = laptop(server, dbname, folder / f"pb{listen}", "cllr_ben")
    issue_id = a.perform(ops.log_issue, casework.NewIssue("Streetlight out")).value
    a.sync_shared()
    b.sync_shared()
    with a.store.read() as db:
        uid = db.execute("SELECT uid FROM issues WHERE id = ?", [issue_id]).fetchone()[0]
    arrived = threading.Event()
    wanted = {"note": ""}

    def on_status(status):
        if status.report and status.report.issues:
            with b.store.read() as db:
                texts = [e["detail"].get("text") for e in casework.get_issue(db, db.execute(
                    "SELECT id FROM issues WHERE uid = ?", [uid]).fetchone()[0])["events"]]
            if wanted["note"] in texts:
                arrived.set()

    with b.store.read() as db:
        settings = SharedSettings.load(db)
    loop = SyncLoop(b.store, settings, on_status, secrets=b.shared_secrets, listen=listen)
    cancel = threading.Event()
    thread = threading.Thread(target=loop.run, args=(cancel,), daemon=True)
    thread.start()
    seconds = []
    try:
        time.sleep(1.0)
        for n in range(rounds):
            arrived.clear()
            wanted["note"] = f"Change {n}"
            a.perform(ops.add_note, issue_id, wanted["note"])
            a.sync_shared()
            sent_at = time.perf_counter()
            if not arrived.wait(30):
                raise RuntimeError(f"change {n} never arrived")
            seconds.append(time.perf_counter() - sent_at)
            time.sleep(0.37)  # not in step with the poll
    finally:
        cancel.set()
        thread.join(10)
        a.close()
        b.close()
    return seconds


def ward_database(server, name: str) -> str:
    """A new shared casework database, set up as council IT would, with the ward's two councillors."""
    dbname = server.new_database(name)
    with server.connect(dbname, autocommit=True) as conn:
        admin.setup(conn)
    for login in ("cllr_ann", "cllr_ben"):
        add(server, dbname, login)
    return dbname


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--notes", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    server = LocalPostgres(durable=True).init().start()
    try:
        with tempfile.TemporaryDirectory(prefix="nc-bench-shared-") as tmp:
            folder = Path(tmp)
            for size in sorted({min(2_000, args.issues), args.issues}):
                dbname = ward_database(server, f"bench{size}")
                f = sync_figures(server, dbname, folder / str(size), size, args.notes)
                print(f"{f['issues']:,} issues x {args.notes} notes = {f['entries']:,} timeline entries "
                      f"(made locally in {f['fill']:.1f} s)")
                print(f"  first sync, sending:  {f['send']:6.1f} s  ({f['entries'] / f['send']:,.0f} entries/s), "
                      f"memory +{f['send_mb']:.0f} MB")
                print(f"  first sync, reading:  {f['read']:6.1f} s  ({f['received'] / f['read']:,.0f} entries/s), "
                      f"memory +{f['read_mb']:.0f} MB")
                print(f"  incremental: {f['inc_sent']} entries sent in {f['inc_send'] * 1000:.0f} ms, "
                      f"{f['inc_received']} read in {f['inc_read'] * 1000:.0f} ms; "
                      f"a sync with nothing new {f['nothing'] * 1000:.0f} ms")
            dbname = ward_database(server, "benchlatency")
            for listen, target in ((True, 1.0), (False, 5.0)):
                seconds = propagation(server, dbname, folder, args.rounds, listen)
                how = "with notifications" if listen else "polling alone    "
                print(f"change on one laptop -> in the other's copy, {how}: median "
                      f"{statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms "
                      f"over {len(seconds)} changes (target < {target:.0f} s)")
    finally:
        server.close()


if __name__ == "__main__":
    main()
