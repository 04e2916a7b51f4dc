"""`networked-councillor doctor`: is this install able to do its job?

Each check says what it found in words a member-support officer can pass to
IT. Qt is probed in a subprocess, because a Qt platform that cannot start
aborts the whole process rather than raising.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from networked_councillor import __version__
from networked_councillor.base import paths
from networked_councillor.base.secrets import keyring_status
from networked_councillor.cli.args import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL

QT_PROBE = "from PySide6.QtWidgets import QApplication; app = QApplication([]); print(app.platformName())"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    critical: bool = True


def run_checks(app) -> Iterator[Check]:
    yield _install()
    yield Check("Python", sys.version_info >= (3, 11), sys.version.split()[0])
    yield _qt()
    yield _database(app)
    ok, detail = keyring_status()
    yield Check("Password store (keyring)", ok, detail, critical=False)
    yield _encoder()
    yield _plugins(app)
    yield _writable(app)


def _qt() -> Check:
    try:
        done = subprocess.run([sys.executable, "-c", QT_PROBE], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return Check("Qt (desktop window)", False, "Qt did not start within 60 seconds.")
    except OSError as exc:  # a locked-down laptop may refuse to start another process
        return Check("Qt (desktop window)", False, f"The app could not start a process to check Qt ({exc}).")
    if done.returncode == 0:
        platform = done.stdout.strip() or "unknown"
        return Check("Qt (desktop window)", True, f"Qt starts, using the '{platform}' display platform.")
    last = (done.stderr.strip().splitlines() or ["no message"])[-1]
    hint = ""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        hint = " There is no display here: run on a desktop, or set QT_QPA_PLATFORM=offscreen for headless use."
    return Check("Qt (desktop window)", False, f"Qt could not start: {last}.{hint}")


def _database(app) -> Check:
    try:
        with app.store.read() as db:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
            items = db.execute("SELECT count(*) FROM items").fetchone()[0]
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    except Exception as exc:  # report, never crash the doctor
        return Check("Database", False, f"{app.store.path}: {exc}")
    size = app.store.path.stat().st_size / 1e6
    ok = result == "ok"
    detail = (f"{app.store.path} ({size:.1f} MB, {items} items, schema v{app.store.schema_version}, {mode} mode)"
              if ok else f"{app.store.path} failed its integrity check: {result}")
    return Check("Database", ok, detail)


def _encoder() -> Check:
    from networked_councillor.base.errors import TaggerError
    from networked_councillor.tagger.encoder import load_encoder
    from networked_councillor.tagger.model import Heads

    try:
        encoder = load_encoder("auto")
        heads = Heads.load(paths.models_dir())
    except (TaggerError, ImportError) as exc:
        return Check("Model files", False, f"{exc} Items will be stored without topics or sentiment.", critical=False)
    fast = "int8 fast path" if encoder.variant == "int8" else "fp32 path (the int8 file is missing)"
    return Check("Model files", True, f"{encoder.name} encoder, {fast}; heads {heads.version} in {paths.models_dir()}")


def _plugins(app) -> Check:
    loaded = ", ".join(sorted(app.registry.plugins)) or "none"
    if app.registry.failures:
        problems = "; ".join(str(f) for f in app.registry.failures)
        return Check("Source plugins", False, f"loaded: {loaded}. Problems: {problems}", critical=False)
    return Check("Source plugins", bool(app.registry.plugins), f"loaded: {loaded}")


LOW_DISK_MB = 500


def _writable(app) -> Check:
    probe = app.data_dir / ".write-test"
    try:
        probe.write_text("ok")
        probe.unlink()
        free = shutil.disk_usage(app.data_dir).free / 1e6
    except OSError as exc:
        return Check("Data folder", False, f"{app.data_dir} is not writable ({exc.strerror}).")
    where = f"{app.data_dir} ({free:,.0f} MB free)"
    service = paths.synced_by(app.data_dir)
    if service:
        return Check("Data folder", False, f"{where} is inside {service}, which can corrupt the database; keep it in "
                     f"{paths.local_data_dir()}.", critical=False)
    if free < LOW_DISK_MB:
        return Check("Data folder", False, f"{where}: less than {LOW_DISK_MB} MB free; fetches and backups may fail.",
                     critical=False)
    return Check("Data folder", True, where)


def _install() -> Check:
    frozen = getattr(sys, "frozen", False)
    how = f"desktop bundle in {Path(sys.executable).parent}" if frozen else f"Python package ({sys.executable})"
    return Check("Install", True, f"Networked Councillor {__version__}, model {paths.model_version()}, {how}")


def cmd_doctor(app, args) -> int:
    worst = EXIT_OK
    for check in run_checks(app):
        print(f"{'ok  ' if check.ok else ('warn' if not check.critical else 'FAIL')}  {check.name}: {check.detail}")
        if not check.ok:
            worst = max(worst, EXIT_ERROR if check.critical else EXIT_PARTIAL)
    return worst


def add_parsers(commands) -> None:
    commands.add_parser("doctor", help="check the install: Qt, model files, database, keyring, plugins")


HANDLERS = {"doctor": cmd_doctor}
