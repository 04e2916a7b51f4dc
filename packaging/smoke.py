"""Smoke-test a built bundle as a council laptop would run it: no Python beside it, a clean home, no network.

    python packaging/smoke.py dist/networked-councillor

The bundle's executable runs with PATH holding only the bundle's folder and HOME (and on Windows USERPROFILE and
LOCALAPPDATA) pointing at an empty folder. It prints its version, loads and fetches the demo ward, classifies a
file, prints the training handouts, opens the training workspace's window and the main window, and times how
long the main window takes to appear (the first start, then the median of three more). Exit 0 when all is well.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS_TIMEOUT = 600
PLUGINS = ("bluesky", "bluesky-live", "by-hand", "citizenspace", "discourse", "email", "fixmystreet", "mastodon",
           "moderngov", "planning", "reddit", "rss")
EMAILS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "email"


def executable(bundle: Path) -> Path:
    if sys.platform == "darwin" and bundle.suffix == ".app":
        return bundle / "Contents" / "MacOS" / "networked-councillor"
    return bundle / ("networked-councillor.exe" if sys.platform == "win32" else "networked-councillor")


def clean_env(bundle: Path, home: Path) -> dict[str, str]:
    env = {"PATH": str(bundle), "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8",
           "NC_DATA_DIR": str(home / "data")}
    if sys.platform == "win32":
        env |= {"USERPROFILE": str(home), "LOCALAPPDATA": str(home / "AppData" / "Local"),
                "APPDATA": str(home / "AppData" / "Roaming"), "SYSTEMROOT": os.environ.get("SYSTEMROOT", r"C:\Windows"),
                "TEMP": str(home / "Temp"), "TMP": str(home / "Temp")}
        (home / "Temp").mkdir(parents=True, exist_ok=True)
    return env


def run(exe: Path, env: dict[str, str], *args: str, expect: str = "", code: int = 0) -> str:
    """stdout and stderr together, so a plugin that failed to load shows."""
    started = time.perf_counter()
    done = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=STEPS_TIMEOUT)
    done.stdout += done.stderr
    seconds = time.perf_counter() - started
    ok = done.returncode == code and expect in done.stdout
    print(f"{'ok  ' if ok else 'FAIL'}  {' '.join(args) or '(window)'}  ({seconds:.1f} s)")
    if not ok:
        print(done.stdout[-2000:], done.stderr[-4000:], sep="\n")
        raise SystemExit(1)
    return done.stdout


def first_window(exe: Path, env: dict[str, str], *args: str) -> float:
    """Seconds from starting the executable to its first window on screen."""
    started = time.perf_counter()
    with subprocess.Popen([str(exe), "--exit-when-shown", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env) as process:
        for line in process.stdout:
            if line.startswith("first window shown"):
                shown = time.perf_counter() - started
                break
        else:
            process.wait(STEPS_TIMEOUT)
            print("FAIL  no window:", process.stderr.read()[-4000:])
            raise SystemExit(1)
        process.wait(STEPS_TIMEOUT)
    return shown


def main() -> int:
    bundle = Path(sys.argv[1]).resolve()
    exe = executable(bundle)
    with tempfile.TemporaryDirectory(prefix="nc-smoke-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = clean_env(exe.parent, home)
        cold = first_window(exe, env)  # nothing of the bundle in the OS's file cache yet, if run first after a build
        print(f"ok    first start to first window: {cold:.2f} s (an empty data folder)")
        run(exe, env, "--version", expect="networked-councillor")
        plugins = run(exe, env, "sources", "plugins")
        missing = [p for p in PLUGINS if f"\n{p}: " not in f"\n{plugins}"]
        if missing or "Plugin problem" in plugins:
            print(f"FAIL  plugins missing from the bundle or failing to load: {missing}\n{plugins}")
            return 1
        demo = run(exe, env, "demo", expect="new items")
        if "FAIL" in demo:
            print(f"FAIL  a demo source failed:\n{demo}")
            return 1
        texts = home / "posts.txt"
        texts.write_text("Bins missed again on Elm Road, third week running\nLovely new benches in the park\n",
                         encoding="utf-8")
        run(exe, env, "model", "classify", "--in", str(texts), "--out", str(home / "tagged.csv"))
        tagged = (home / "tagged.csv").read_text(encoding="utf-8")
        assert "bins_recycling" in tagged, tagged
        mail = run(exe, env, "items", "import", str(EMAILS / "attachment_gif.eml"),
                   str(EMAILS / "html_replyto_attachments.msg"))
        assert "Emails: 2 brought in." in mail, mail  # the .msg reader (extract-msg) made it into the bundle
        run(exe, env, "briefing", "--out", str(home / "briefing.pdf"))
        run(exe, env, "shared", "sql", expect="CREATE POLICY")
        # psycopg's own libpq is in the bundle: it really tries to connect (nothing listens on port 9)
        run(exe, env | {"PGPASSWORD": "x"}, "shared", "setup", "--admin-address", "127.0.0.1:9/casework",
            code=2, expect="cannot be reached just now")
        run(exe, env, "issues", "export", "--format", "pdf", "--out", str(home / "report.pdf"))
        run(exe, env, "training", "handouts", "--out", str(home / "handouts"))
        assert len(list((home / "handouts").glob("*.pdf"))) == 3
        run(exe, env, "--training", "--exit-when-shown", expect="first window shown: Training")
        starts = [first_window(exe, env) for _ in range(3)]
        print(f"ok    start to first window on the demo ward: median {statistics.median(starts):.2f} s "
              f"({', '.join(f'{s:.2f}' for s in starts)})")
    print("Smoke test passed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
