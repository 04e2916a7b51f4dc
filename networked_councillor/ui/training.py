"""Training mode in the window: the banner that says nothing is sent, and the guided exercises panel.

The panel asks the exercises what is done after every change the window makes
(and every couple of seconds, for changes made elsewhere, such as the
casework window); the checks are a handful of small queries.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base import clock
from networked_councillor.base.errors import NcError
from networked_councillor.demo import demo_material
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.training.exercises import EXERCISES, DemoPosts
from networked_councillor.training.workspace import BANNER
from networked_councillor.ui.errors import explain
from networked_councillor.ui.main_window import MainWindow
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.window_parts import make_action

REFRESH_MS = 2000
DONE, TODO = "✔", "○"


class TrainingBanner(QFrame):
    """Always on show in training mode, so nobody mistakes practice for the real thing."""

    reset_requested = Signal()
    exercises_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingBanner")
        self.label = QLabel(f"{BANNER}. Replies and reports to the council are only shown as they would happen.")
        self.label.setAccessibleName("Training mode")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.label, 1)
        self.exercises_button = QPushButton("Exercises", clicked=lambda: self.exercises_requested.emit())
        self.reset_button = QPushButton("Reset training workspace…", clicked=lambda: self.reset_requested.emit())
        layout.addWidget(self.exercises_button)
        layout.addWidget(self.reset_button)


class ExercisePanel(QDockWidget):
    """The exercises with their steps ticked off as the trainee does them, and who has done what."""

    show_post = Signal(int)  # an item id: "Show me the post" finds the one the step is about

    def __init__(self, app, parent: QWidget | None = None) -> None:
        super().__init__("Exercises", parent)
        self.setObjectName("exercisePanel")
        self.setMinimumWidth(260)
        self.app = app
        self.states: dict[str, list[bool]] = {}
        self.posts = DemoPosts(demo_material())
        body = QWidget()
        layout = QVBoxLayout(body)
        trainee_row = QHBoxLayout()
        self.trainee = QComboBox()
        self.trainee.setAccessibleName("Trainee")
        self.trainee.activated.connect(self._trainee_chosen)
        trainee_row.addWidget(QLabel("Trainee"))
        trainee_row.addWidget(self.trainee, 1)
        trainee_row.addWidget(QPushButton("New…", clicked=self.new_trainee))
        layout.addLayout(trainee_row)
        self.exercise_list = QListWidget()
        self.exercise_list.setAccessibleName("Exercises")
        self.exercise_list.setWordWrap(True)
        self.exercise_list.currentRowChanged.connect(lambda _row: self.refresh())
        self.exercise_list.setMaximumHeight(150)
        layout.addWidget(self.exercise_list)
        self.steps = QLabel(wordWrap=True)
        self.steps.setAccessibleName("Steps of the exercise")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.steps)
        self.show_me = QPushButton("Show me the post", clicked=self._show_me)
        self.show_me.setToolTip("Select the post this step is about, in the inbox")
        layout.addWidget(self.show_me)
        self.why = QLabel(wordWrap=True)
        self.why.setAccessibleName("Why it matters")
        self.why.setTextFormat(Qt.TextFormat.RichText)
        self.why.setFrameShape(QFrame.Shape.StyledPanel)
        self.why.setMargin(8)
        layout.addWidget(self.why)
        layout.addStretch(1)
        self.summary = QLabel(wordWrap=True)
        layout.addWidget(self.summary)
        progress_row = QHBoxLayout()
        progress_row.addWidget(QPushButton("All trainees…", clicked=self.show_all_trainees))
        progress_row.addWidget(QPushButton("Export progress (CSV)…", clicked=self.export_progress))
        layout.addLayout(progress_row)
        self.setWidget(body)
        self._build_list()
        self._fill_trainees()
        self.states = self._check()  # what is done already is nobody's new work
        self.timer = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        self.timer.start()
        self.refresh()

    def _build_list(self) -> None:
        for exercise in EXERCISES:
            self.exercise_list.addItem(QListWidgetItem(exercise.title))
        self.exercise_list.setCurrentRow(0)

    def _fill_trainees(self) -> None:
        progress = self.app.progress
        self.trainee.clear()
        for name in sorted(progress.trainees):
            self.trainee.addItem(name)
        if progress.current:
            self.trainee.setCurrentText(progress.current)
        else:
            self.trainee.addItem("(no trainee yet: press New…)")
            self.trainee.setEnabled(False)
            return
        self.trainee.setEnabled(True)

    def new_trainee(self) -> None:
        name, ok = QInputDialog.getText(self, "New trainee", "The trainee's name (a first name is enough):")
        if not ok:
            return
        try:
            self.app.progress.add_trainee(name)
        except NcError as exc:
            explain(self, exc, "Trainee")
            return
        self._fill_trainees()
        self.states = self._check()
        self.refresh()

    def _trainee_chosen(self, index: int) -> None:
        name = self.trainee.itemText(index)
        if name in self.app.progress.trainees:
            self.app.progress.choose(name)
            self.states = self._check()
            self.refresh()

    def _check(self) -> dict[str, list[bool]]:
        with self.app.store.read() as db:
            return {exercise.id: exercise.progress(db, self.posts) for exercise in EXERCISES}

    def refresh(self) -> None:
        """Tick the steps that are done. An exercise is credited to the trainee when they finish it: what was
        already done when they took over the workspace is not theirs."""
        before, self.states = self.states, self._check()
        for exercise in EXERCISES:
            if all(self.states[exercise.id]) and not all(before.get(exercise.id, [False])):
                self.app.progress.complete(exercise.id, clock.now_iso())
        finished = self.app.progress.completed()
        for row, exercise in enumerate(EXERCISES):
            complete = exercise.id in finished or all(self.states[exercise.id])
            self.exercise_list.item(row).setText(f"{DONE if complete else TODO} {row + 1}. {exercise.title}")
        self._show_exercise()
        count = sum(1 for e in EXERCISES if e.id in finished)
        who = self.app.progress.current
        self.summary.setText(f"{who}: {count} of {len(EXERCISES)} exercises done." if who else
                             "Add a trainee (New…) to record who completed which exercise.")

    def _show_exercise(self) -> None:
        row = self.exercise_list.currentRow()
        if not 0 <= row < len(EXERCISES) or not self.states:
            return
        exercise = EXERCISES[row]
        lines = [f"<p>{DONE if done else TODO} {'<s>' if done else ''}{html.escape(step.text)}"
                 f"{'</s>' if done else ''}</p>" for step, done in zip(exercise.steps, self.states[exercise.id],
                                                                    strict=True)]
        self.steps.setText("<b>Steps</b>" + "".join(lines))
        self.why.setText(f"<b>Why it matters</b><br>{html.escape(exercise.why)}")
        self.show_me.setVisible(self._step_post() is not None)

    def _step_post(self) -> str | None:
        """The post of the first step not yet done in the exercise on show, if it is about one."""
        row = self.exercise_list.currentRow()
        if not 0 <= row < len(EXERCISES):
            return None
        exercise = EXERCISES[row]
        undone = [step for step, done in zip(exercise.steps, self.states.get(exercise.id, []), strict=False)
                  if not done]
        return next((step.post for step in undone or exercise.steps if step.post), None)

    def _show_me(self) -> None:
        post = self._step_post()
        with self.app.store.read() as db:
            item_id = self.posts.id(db, post) if post else None
        if item_id is not None:
            self.show_post.emit(item_id)

    def step_states(self, exercise_id: str) -> list[bool]:
        return list(self.states[exercise_id])

    def show_all_trainees(self) -> None:
        ProgressTable(self, self.app.progress).exec()

    def export_progress(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export training progress", "training-progress.csv",
                                              "CSV files (*.csv)")
        if not path:
            return
        try:
            rows = self.app.progress.export_csv(path)
        except NcError as exc:
            explain(self, exc, "Export progress")
            return
        QMessageBox.information(self, "Export progress", f"Saved {rows} rows to {path}.")


class TrainingWindow(MainWindow):
    """The main window as a training workspace: a banner on top, the exercises docked, a Training menu."""

    def __init__(self, app, **options) -> None:
        super().__init__(app, **options)
        self.training_banner = TrainingBanner()
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.training_banner)
        layout.addWidget(self.takeCentralWidget(), 1)
        self.setCentralWidget(holder)
        self.exercise_panel = ExercisePanel(app, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.exercise_panel)
        self.ops.changed.connect(lambda _changes, _initiator: self.exercise_panel.refresh())
        self.training_action.setVisible(False)  # already here
        self.demo_action.setVisible(False)  # the training ward is the demo ward
        self.training_banner.reset_requested.connect(self.reset_training)
        self.training_banner.exercises_requested.connect(self.show_exercises)
        self.exercise_panel.show_post.connect(self._show_post)
        menu = self.menuBar().addMenu("T&raining")
        menu.addAction(self.exercise_panel.toggleViewAction())
        menu.addAction(make_action(self, "&Reset training workspace…", self.reset_training, None,
                                   "Back to the starting state"))
        menu.addAction(make_action(self, "E&xport progress (CSV)…", self.exercise_panel.export_progress))

    def reset_training(self) -> None:
        from networked_councillor.training.workspace import reset_workspace

        answer = QMessageBox.question(self, "Reset training workspace",
                                      "Put the training ward back as it was at the start? Everything done in it "
                                      "since is undone; the record of who completed which exercise is kept.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        for composer in list(self.composers.values()):
            composer.reject()
        if getattr(self, "casework_window", None) is not None:
            self.casework_window.close()
            self.casework_window = None
        try:
            seconds = reset_workspace(self.app)
        except NcError as exc:
            explain(self, exc, "Reset training workspace")
            return
        self.statusBar().showMessage(f"Training workspace reset in {seconds:.1f} s.", 10000)

    def show_exercises(self) -> None:
        self.exercise_panel.show()
        self.exercise_panel.raise_()

    def _show_post(self, item_id: int) -> None:
        self.set_filter(InboxFilter(view="all"))
        self.show_item(item_id)
        self.table.setFocus()


class ProgressTable(QDialog):
    """For the officer: every trainee against every exercise, with when each was completed."""

    def __init__(self, parent: QWidget, progress) -> None:
        super().__init__(parent)
        self.setWindowTitle("Training progress")
        fit_on_screen(self, 760, 360)
        trainees = sorted(progress.trainees)
        self.table = QTableWidget(len(trainees), len(EXERCISES))
        self.table.setAccessibleName("Exercises completed by each trainee")
        self.table.setHorizontalHeaderLabels([f"{n}. {e.title.split(':')[0]}" for n, e in enumerate(EXERCISES, 1)])
        self.table.setVerticalHeaderLabels(trainees)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, name in enumerate(trainees):
            done = progress.completed(name)
            for column, exercise in enumerate(EXERCISES):
                when = done.get(exercise.id)
                cell = QTableWidgetItem(f"{DONE} {when[11:16]}" if when else "")
                cell.setToolTip(when or "not yet")
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        close = QPushButton("Close", clicked=self.accept)
        layout.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
