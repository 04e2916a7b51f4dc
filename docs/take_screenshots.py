"""Screenshots of the real app on the demo ward, for the README.

Run under a virtual X server (the README's commands install one on Linux):

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/take_screenshots.py

It loads the demo ward into a temporary data folder, opens the real windows,
and grabs the X screen itself (not a widget's own rendering).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="nc-shots-config-")  # not the user's saved layout

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> None:
    qt = QApplication(sys.argv[:1])
    from networked_councillor.app import App
    from networked_councillor.demo import load_demo
    from networked_councillor.ui.main_window import MainWindow
    from networked_councillor.ui.theme import apply_theme

    apply_theme(qt, "light")
    app = App(tempfile.mkdtemp(prefix="nc-shots-"))
    load_demo(app)
    window = MainWindow(app, welcome=False)
    window.setGeometry(0, 0, 1600, 1000)
    window.show()
    window.set_filter(window.inbox.filter.with_(view="inbox", query="Mill Lane"))
    window.filter_bar.show_filter(window.inbox.filter)
    window.table.selectRow(1)
    OUT.mkdir(exist_ok=True)

    def shoot(name: str) -> None:
        qt.processEvents()
        qt.primaryScreen().grabWindow(0).save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    def step_main() -> None:
        shoot("main-window")
        window.open_dashboard()
        window.dashboard.setGeometry(0, 0, 1600, 1000)
        QTimer.singleShot(800, step_dashboard)

    def step_dashboard() -> None:
        shoot("dashboard")
        window.dashboard.close()
        window.open_settings("ward")
        window.settings_dialog.setGeometry(200, 80, 1000, 820)
        QTimer.singleShot(600, step_settings)

    def step_settings() -> None:
        shoot("settings")
        window.settings_dialog.show_tab("sources")
        QTimer.singleShot(400, step_sources)

    def step_sources() -> None:
        from networked_councillor.ui.settings_dialog import SourceEditor

        shoot("settings-sources")
        editor = SourceEditor(window.settings_dialog, app.registry.plugins)
        editor.plugin.setCurrentIndex(editor.plugin.findData("discourse"))
        editor.name.setText("Ashcombe community forum")
        editor.setGeometry(300, 120, 760, 640)
        editor.show()
        QTimer.singleShot(400, step_casework)

    def step_casework() -> None:
        shoot("add-source")
        for widget in qt.topLevelWidgets():
            if widget is not window and widget.isVisible():
                widget.close()
        window.open_casework()
        window.casework_window.setGeometry(0, 0, 1600, 1000)
        window.casework_window.table.selectRow(0)
        QTimer.singleShot(600, step_composer)

    def step_composer() -> None:
        shoot("casework")
        window.casework_window.close()
        window.table.selectRow(1)
        window.reply_action.trigger()
        composer = window.composers[window.detail.item["id"]]
        composer.setGeometry(100, 60, 1400, 880)
        cursor = composer.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        composer.editor.setTextCursor(cursor)
        composer.editor.insertPlainText(" Ring me on 07700 900123 and I WILL get this fixed by Friday!!")
        QTimer.singleShot(900, step_training)

    def step_training() -> None:
        shoot("composer")
        for widget in qt.topLevelWidgets():
            if widget is not window and widget.isVisible():
                widget.close()
        window.close()
        from networked_councillor.training.workspace import open_workspace

        trainee = open_workspace(tempfile.mkdtemp(prefix="nc-training-"))
        trainee.progress.add_trainee("Priya")
        training = MainWindow(trainee, welcome=False)
        training.setGeometry(0, 0, 1600, 1000)
        training.show()
        training.set_filter(training.inbox.filter.with_(view="all", query="Oak Road closed"))
        training.filter_bar.show_filter(training.inbox.filter)
        from networked_councillor.store import inbox as inbox_store
        from networked_councillor.training.exercises import OAK_ROAD_CLOSURE

        with trainee.store.write() as db:  # the trainee has found and pinned the three closure posts
            inbox_store.set_pinned(db, training.exercise_panel.posts.ids(db, OAK_ROAD_CLOSURE), True)
        training.data_changed("items")
        training.table.selectRow(0)
        training.exercise_panel.exercise_list.setCurrentRow(0)
        opened.append((trainee, training))
        QTimer.singleShot(900, step_exercises)

    def step_exercises() -> None:
        shoot("training-mode")
        _trainee, training = opened[0]
        training.exercise_panel.grab().save(str(OUT / "exercises.png"))
        print("wrote", OUT / "exercises.png")
        qt.quit()

    opened = []
    QTimer.singleShot(1200, step_main)
    qt.exec()
    app.close()
    for trainee, _training in opened:
        trainee.close()


if __name__ == "__main__":
    main()
