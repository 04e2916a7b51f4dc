"""Screenshots of the real app on the demo ward, for the README, on a council laptop's 1366x768 screen.

Run under a virtual X server with a window manager (Debian: xvfb, openbox):

    xvfb-run -a -s "-screen 0 1366x768x24" sh -c "openbox & python docs/take_screenshots.py"

It loads the demo ward into a temporary data folder, opens the real windows in each theme, and grabs
the X screen itself (not a widget's own rendering), so what is cut off on a laptop is cut off here too.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nc-shots-config-")  # not the user's saved layout

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QScrollArea

OUT = Path(__file__).resolve().parent / "screenshots"
PAUSE_MS = 900


def resident_email() -> bytes:
    """A resident's email, written here for the screenshot (a demo ward has no real residents)."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    from networked_councillor.base import clock

    message = EmailMessage()
    message["From"] = "Jane Morris <jane.morris@example.org>"
    message["To"] = "Cllr Jo Whitfield <jo.whitfield@millbrook.example.gov.uk>"
    message["Subject"] = "Fly-tipping behind the Oak Road garages again"
    message["Date"] = format_datetime(clock.utcnow())
    message["Message-ID"] = "<oak-road-1@example.org>"
    message.set_content("Dear Cllr Whitfield,\n\nThere is a pile of mattresses and a fridge behind the garages on "
                        "Oak Road again. It has been there since Saturday and children play there.\n\nCould you "
                        "chase the council? A photo is attached.\n\nJane Morris")
    message.add_attachment(b"\xff\xd8\xff\xe0 photo", maintype="image", subtype="jpeg", filename="garages.jpg")
    return bytes(message)


def main() -> None:
    qt = QApplication(sys.argv[:1])
    from networked_councillor.app import App
    from networked_councillor.base.changes import Changes
    from networked_councillor.demo import load_demo
    from networked_councillor.store import inbox as inbox_store
    from networked_councillor.training.exercises import OAK_ROAD_CLOSURE
    from networked_councillor.training.workspace import open_workspace
    from networked_councillor.ui.main_window import MainWindow
    from networked_councillor.ui.settings_sources import SourceEditor
    from networked_councillor.ui.theme import apply_theme
    from networked_councillor.ui.training import TrainingWindow

    apply_theme(qt, "light")
    app = App(tempfile.mkdtemp(prefix="nc-shots-"))
    load_demo(app)
    window = MainWindow(app, welcome=False)
    window.showMaximized()
    OUT.mkdir(exist_ok=True)
    opened = []

    def shoot(name: str) -> None:
        qt.processEvents()
        qt.primaryScreen().grabWindow(0).save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    def close_dialogs() -> None:
        for widget in qt.topLevelWidgets():
            if widget not in (window, *(w for _, w in opened)) and widget.isVisible():
                widget.close()

    def main_window(theme: str) -> Callable[[], None]:
        def step() -> None:
            window.set_theme(theme)
            window.set_filter(window.inbox.filter.with_(view="inbox", query="Mill Lane"))
            window.filter_bar.show_filter(window.inbox.filter)
            window.table.selectRow(1)
        return step

    def composer() -> None:
        window.table.selectRow(1)
        window.reply_action.trigger()
        editor = window.composers[window.detail.item["id"]].editor
        editor.moveCursor(editor.textCursor().MoveOperation.End)
        editor.insertPlainText(" Ring me on 07700 900123 and I WILL get this fixed by Friday!!")

    def add_source() -> None:
        window.open_settings("sources")
        editor = SourceEditor(window.settings_dialog, app.registry.plugins)
        editor.plugin.setCurrentIndex(editor.plugin.findData("discourse"))
        editor.name.setText("Ashcombe community forum")
        editor.show()

    def casework() -> None:
        window.open_casework()
        window.casework_window.table.selectRow(0)

    def briefing() -> None:
        from networked_councillor.ui.briefing_view import show_briefing

        show_briefing(window)

    def casework_mail() -> None:
        folder = Path(tempfile.mkdtemp(prefix="nc-shots-mail-"))
        (folder / "oak-road.eml").write_bytes(resident_email())
        window.bring_in.bring_in([folder / "oak-road.eml"])

    def share_casework() -> None:
        """Ann's laptop shares the demo ward's casework with a real PostgreSQL (the tests' own, on loopback)."""
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from localpostgres import LocalPostgres
        from sharedcase import NORTH, add

        from networked_councillor.base.secrets import SecretStore
        from networked_councillor.shared import admin
        from networked_councillor.shared.connection import SharedSettings, save_settings

        server = LocalPostgres().init().start()
        opened.append((server, None))
        dbname = server.new_database("casework")
        with server.connect(dbname, autocommit=True) as conn:
            admin.setup(conn)
        add(server, dbname, "cllr_jwhitfield", wards=[("E05000123", "Millbrook")], name="Cllr Jo Whitfield")
        add(server, dbname, "mso_oreyes", "officer", wards=[("E05000123", "Millbrook"), NORTH],
            name="Olga Reyes")
        app.shared_secrets = SecretStore("shared-casework", memory={"password": "pw-cllr_jwhitfield"})
        app.perform(save_settings, SharedSettings(address=server.address(dbname), user="cllr_jwhitfield"))

    def officer_assigns() -> None:
        """Olga, a member-support officer, picks up the overflowing bins while the councillor is away."""
        from sharedcase import laptop

        from networked_councillor.casework import ops

        server = opened[-1][0]
        olga = laptop(server, "casework", Path(tempfile.mkdtemp(prefix="nc-shots-olga-")), "mso_oreyes")
        olga.sync_shared()
        with olga.store.read() as db:
            issue_id = db.execute("SELECT id FROM issues WHERE reference = 'MI-0003'").fetchone()[0]
        olga.perform(ops.edit, issue_id, {"assigned_to": "mso_oreyes", "status": "in_progress"},
                     note="Jo is away this week: I have asked the waste team for a date and will ring the resident.")
        olga.sync_shared()
        olga.close()

    def shared_casework() -> None:
        window.open_casework()
        shown = window.casework_window
        with app.store.read() as db:
            issue_id = db.execute("SELECT id FROM issues WHERE reference = 'MI-0003'").fetchone()[0]
        shown.table.selectRow(shown.model.row_of(issue_id))
        panel = shown.panel.findChild(QScrollArea).verticalScrollBar()  # down to the timeline, with Olga's note
        panel.setValue(panel.maximum())

    def training() -> None:
        window.close()
        trainee = open_workspace(tempfile.mkdtemp(prefix="nc-training-"))
        trainee.progress.add_trainee("Priya")
        shown = TrainingWindow(trainee, welcome=False)
        shown.showMaximized()
        with trainee.store.write() as db:  # the trainee has found and pinned the three closure posts
            inbox_store.set_pinned(db, shown.exercise_panel.posts.ids(db, OAK_ROAD_CLOSURE), True)
        shown.set_filter(shown.inbox.filter.with_(view="all", query="Oak Road closed"))
        shown.filter_bar.show_filter(shown.inbox.filter)
        shown.on_changed(Changes(inbox=True))
        shown.table.selectRow(0)
        shown.exercise_panel.exercise_list.setCurrentRow(0)
        opened.append((trainee, shown))

    def exercises() -> None:
        _trainee, shown = opened[-1]
        shown.exercise_panel.grab().save(str(OUT / "exercises.png"))
        print("wrote", OUT / "exercises.png")

    steps: list[Callable[[], None]] = []
    for theme, suffix in (("light", ""), ("dark", "-dark"), ("contrast", "-high-contrast")):
        steps += [main_window(theme), lambda s=suffix: shoot(f"main-window{s}"),
                  composer, lambda s=suffix: shoot(f"composer{s}"), close_dialogs,
                  casework, lambda s=suffix: shoot(f"casework{s}"), close_dialogs,
                  window.open_dashboard, lambda s=suffix: shoot(f"dashboard{s}"), close_dialogs]
    steps += [main_window("light"), briefing, lambda: shoot("briefing"), close_dialogs,
              casework_mail, lambda: shoot("casework-mail"),
              main_window("light"), lambda: window.open_settings("appearance"), lambda: shoot("settings"),
              close_dialogs, add_source, lambda: shoot("add-source"), close_dialogs,
              share_casework, lambda: None, officer_assigns, lambda: None, shared_casework,
              lambda: shoot("casework-shared"), close_dialogs,
              training, lambda: shoot("training-mode"), exercises, qt.quit]

    def run() -> None:
        steps.pop(0)()
        if steps:
            QTimer.singleShot(PAUSE_MS, run)

    QTimer.singleShot(1500, run)
    qt.exec()
    app.close()
    for opened_thing, _shown in opened:
        opened_thing.close()


if __name__ == "__main__":
    main()
