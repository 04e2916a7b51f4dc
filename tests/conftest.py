import json
import os
import shutil
import tempfile

# Before anything imports Qt: tests draw into memory, never onto a screen, and that screen is a council laptop's
# (1366x768), so every window is opened at the size it will have there.
LAPTOP = {"width": 1366, "height": 768}
_screen = os.path.join(tempfile.mkdtemp(prefix="nc-test-screen-"), "laptop.json")
with open(_screen, "w", encoding="utf-8") as _file:
    json.dump({"screens": [{"name": "laptop", "x": 0, "y": 0, **LAPTOP, "logicalDpi": 96, "logicalBaseDpi": 96,
                            "dpr": 1}]}, _file)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_screen}"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nc-test-config-")  # never the user's QSettings

import sys
from datetime import datetime, timezone
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QApplication, QWidget

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))

from localserver import LocalServer  # noqa: E402

from networked_councillor.base import clock  # noqa: E402

TEST_NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
"""Where every test's clock starts: the day the dated fixtures describe, so they pass on any real date."""
clock.set_now(TEST_NOW)  # before the session's fixtures (the demo ward) are built

SHARED_FIXTURES = Path(os.environ.get("NC_SHARED_FIXTURES", TESTS / "fixtures" / "shared"))
"""Real public samples (each with its .source.txt), kept in the repository so a clean clone tests with them."""


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring: headless Linux has none, and tests must never touch a real one."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture(scope="session", autouse=True)
def qt_application(qapp):
    """A full QApplication before any test: code that draws without a window (the PDF report) would otherwise
    make a bare QGuiApplication, and the first window after it would abort the run."""
    return qapp


@pytest.fixture(autouse=True)
def no_unexpected_dialogs(monkeypatch):
    """A dialog nobody answers would hang the run (offscreen, no one can click it): fail the test instead. A
    test that expects one answers it with its own monkeypatch, which takes precedence."""
    from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

    def refuse(name):
        def modal(*args, **kwargs):
            words = [a for a in args if isinstance(a, str)]
            raise AssertionError(f"an unexpected modal {name} opened: {words[:2]}")
        return modal

    for owner, names in ((QMessageBox, ("question", "warning", "critical", "information", "about", "exec")),
                         (QInputDialog, ("getText", "getItem", "getInt", "getMultiLineText")),
                         (QFileDialog, ("getOpenFileName", "getSaveFileName", "getExistingDirectory")),
                         (QDialog, ("exec",))):
        for name in names:
            monkeypatch.setattr(owner, name, refuse(f"{owner.__name__}.{name}"))


@pytest.fixture(autouse=True)
def light_theme_after():
    """A test that changes the theme leaves the light one behind it, as each test expects to start with."""
    yield
    from networked_councillor.ui import theme

    if theme.current() is not theme.LIGHT:
        theme.apply_theme(QApplication.instance(), "light")


@pytest.fixture(autouse=True)
def set_clock():
    """Each test starts at `TEST_NOW`; a test may move the clock, and the next one starts afresh."""
    clock.set_now(TEST_NOW)
    yield
    clock.set_now(TEST_NOW)


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    """A computer with no password store at all (headless Linux without GNOME Keyring or KWallet)."""
    from keyring.backends.fail import Keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """No test ever reads or writes the real user's data folder."""
    folder = tmp_path / "data"
    monkeypatch.setenv("NC_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def server():
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def shared_fixtures() -> Path:
    assert SHARED_FIXTURES.is_dir(), f"the shared fixtures are not at {SHARED_FIXTURES} (set NC_SHARED_FIXTURES)"
    return SHARED_FIXTURES


@pytest.fixture
def fixtures() -> Path:
    return TESTS / "fixtures"


@pytest.fixture
def store(tmp_path):
    from networked_councillor.store import Store

    s = Store(tmp_path / "store" / "nc.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory):
    """The demo ward loaded and tagged once; each test works on its own copy."""
    from networked_councillor.app import App
    from networked_councillor.demo import load_demo

    folder = tmp_path_factory.mktemp("demo")
    app = App(folder, log_to_file=False)
    load_demo(app)
    app.close()
    return folder


def close_for_good(window, app) -> None:
    """Close a window, delete it and its dialogs now (not at some later turn of an event loop a test may never
    run), then close its app: a later test's theme change must find no window of this one still listening."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.close()
    for child in window.findChildren(QWidget):
        if child.isWindow():
            child.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.close()


@pytest.fixture
def window(qtbot, demo_folder, tmp_path):
    """The real main window on a copy of the demo ward, with background tasks run inline."""
    import shutil

    from networked_councillor.app import App
    from networked_councillor.demo import start_demo_services
    from networked_councillor.ui.main_window import MainWindow
    from networked_councillor.ui.tasks import TaskRunner

    data = tmp_path / "data"
    shutil.copytree(demo_folder, data)
    app = App(data, log_to_file=False)
    start_demo_services(app)
    win = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    win.show()
    yield win
    close_for_good(win, app)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """One training workspace seeded from the demo ward; each test works on a copy."""
    from networked_councillor.base import netguard
    from networked_councillor.training.workspace import open_workspace

    root = tmp_path_factory.mktemp("training-seed")
    try:
        open_workspace(root, log_to_file=False).close()
    finally:
        netguard.allow_network()
    return root


@pytest.fixture
def trainer(qtbot, seeded, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from networked_councillor.base import netguard
    from networked_councillor.training.workspace import open_workspace
    from networked_councillor.ui.tasks import TaskRunner
    from networked_councillor.ui.training import TrainingWindow

    shutil.copytree(seeded, tmp_path / "trainer")
    app = open_workspace(tmp_path / "trainer", log_to_file=False)
    window = TrainingWindow(app, runner=TaskRunner(inline=True), welcome=False)
    window.show()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    app.progress.add_trainee("Alex")
    yield window
    close_for_good(window, app)
    netguard.allow_network()


def pytest_runtest_makereport(item, call):
    """In CI a skipped test fails the run, unless it is marked as one that cannot run on this platform
    (`@pytest.mark.platform`): a missing tool there is a broken CI, not a pass."""
    if not os.environ.get("CI") or call.excinfo is None or not call.excinfo.errisinstance(pytest.skip.Exception):
        return None
    if item.get_closest_marker("platform") is not None:
        return None
    from _pytest.reports import TestReport

    report = TestReport.from_item_and_call(item, call)
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, which must run every test: {call.excinfo.value}"
    return report


@pytest.fixture(scope="session")
def postgres_server():
    """One throw-away PostgreSQL server for the session (Debian's initdb and pg_ctl, loopback only)."""
    from localpostgres import LocalPostgres

    server = LocalPostgres().init().start()
    yield server
    server.close()


@pytest.fixture
def shared_db(postgres_server, request):
    """A fresh database with the shared casework schema, set up as council IT would (`shared setup`)."""
    from networked_councillor.shared import admin

    name = "cw_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with postgres_server.connect(autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    postgres_server.new_database(name)
    with postgres_server.connect(name, autocommit=True) as conn:
        admin.setup(conn)
    return name
