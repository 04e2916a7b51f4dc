"""The main window: ward and views on the left, the inbox in the middle, the item on the right."""

from __future__ import annotations

import sys
from datetime import timedelta

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QMainWindow,
    QMessageBox,
)

from networked_councillor import __version__
from networked_councillor.base import paths
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import NcError
from networked_councillor.store import inbox as inbox_store
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store import tags as tag_store
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.tagger.topics import default_topics
from networked_councillor.ui.background import Background
from networked_councillor.ui.briefing_view import offer_briefing
from networked_councillor.ui.bring_in import BringIn
from networked_councillor.ui.errors import explain
from networked_councillor.ui.inbox_table import InboxTable
from networked_councillor.ui.item_actions import ItemActions
from networked_councillor.ui.itemmodels.inbox import InboxModel, ItemIdRole
from networked_councillor.ui.operations import Operations
from networked_councillor.ui.screen import fit_on_screen, keep_on_screen
from networked_councillor.ui.tasks import TaskRunner
from networked_councillor.ui.theme import THEMES, apply_theme
from networked_councillor.ui.widgets.detail import ItemDetail
from networked_councillor.ui.widgets.filterbar import FilterBar
from networked_councillor.ui.widgets.sidebar import Sidebar
from networked_councillor.ui.window_parts import (
    build_layout,
    build_menus,
    build_source_panel,
    build_status_bar,
    make_actions,
    start_services,
)

HEADER_KEY = "inbox_header_v3"  # bump when the inbox's columns change, so an old layout is not restored
SNOOZES = {"For an hour": timedelta(hours=1), "Until tomorrow": timedelta(days=1), "For a week": timedelta(days=7)}


class MainWindow(QMainWindow):
    def __init__(self, app, *, runner: TaskRunner | None = None, welcome: bool = True) -> None:
        super().__init__()
        self.app = app
        self.prefs = QSettings("Networked Councillor", "Networked Councillor")
        self.runner = runner or TaskRunner(self)
        self.ops = Operations(app, self.runner, self)
        self.items = ItemActions(self)
        self.background = Background(self)
        self.composers: dict[int, object] = {}
        self._load_ward_and_topics()

        self.inbox = InboxModel(app.store, self.topic_names, self)
        self.table = InboxTable(self.inbox)
        self.sidebar = Sidebar()
        self.filter_bar = FilterBar()
        self.bring_in = BringIn(self)
        make_actions(self)
        self.detail = ItemDetail(self.item_actions, self.topic_names)
        self.detail.set_topics(self.topic_names)
        build_layout(self)
        build_menus(self)
        build_status_bar(self)
        build_source_panel(self)

        self.sidebar.chosen.connect(self._view_chosen)
        self.sidebar.delete_saved.connect(self._delete_saved_search)
        self.filter_bar.changed.connect(self._apply_filters)
        self.filter_bar.save_requested.connect(self.save_search)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.detail.correct_topic.connect(self.items.correct_topic)
        self.detail.correct_sentiment.connect(self.items.correct_sentiment)
        self.detail.link_activated.connect(self.items.open_link)
        self.detail.open_item.connect(self.show_item)
        self.detail.load_conversation.connect(self.items.load_conversation)
        self.detail.open_issue.connect(self.open_casework)
        self.detail.save_attachment.connect(self.items.save_attachment)
        self.ops.changed.connect(self.on_changed)

        self._populate_choices()
        self.set_filter(InboxFilter(view="inbox"))
        self._restore_layout()
        self.background.schedule()
        self.live, self.shared = start_services(self)
        from networked_councillor.ui.notifications import Notifier

        self.notifier = Notifier(self)
        if welcome:  # the first start: set up a ward; the first start of a day: the morning briefing
            QTimer.singleShot(0, self.welcome if not self.ward.is_set_up else lambda: offer_briefing(self))

    # ---- set-up ---------------------------------------------------------------------

    def _load_ward_and_topics(self) -> None:
        with self.app.store.read() as db:
            self.ward = settings_store.load_ward(db)
            own = tag_store.user_topics(db)
        self.topic_names = {t.id: t.name for t in default_topics()} | {t["id"]: t["name"] for t in own}
        title = f"{self.ward.name} ward: Networked Councillor" if self.ward.name else "Networked Councillor"
        self.setWindowTitle(("Training: " if getattr(self.app, "training", False) else "") + title)

    def _restore_layout(self) -> None:
        geometry = self.prefs.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            keep_on_screen(self)
        else:
            fit_on_screen(self, 1500, 900)
        for key, target in (("panes", self.splitter), (HEADER_KEY, self.table.horizontalHeader())):
            state = self.prefs.value(key)
            if state is not None:
                target.restoreState(state)
        state = self.prefs.value("window_state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.prefs.setValue("geometry", self.saveGeometry())
        self.prefs.setValue("window_state", self.saveState())
        self.prefs.setValue("panes", self.splitter.saveState())
        self.prefs.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())
        for composer in list(self.composers.values()):
            composer.reject()  # each keeps its draft
        for timer in self.findChildren(QTimer):
            timer.stop()  # nothing may touch the store once the window has gone
        self.runner.cancel_all()
        self.runner.wait(5000)
        for service in (self.live, self.shared):
            service.stop()
        self.ops.close()  # the app tells this window of no more changes
        super().closeEvent(event)

    # ---- views, filters and search --------------------------------------------------

    def _populate_choices(self) -> None:
        with self.app.store.read() as db:
            sources = [(r.id, r.name, r.plugin, r.config.get("kind") or "", r.last_error)
                       for r in source_store.all_sources(db)]
            saved = settings_store.get_setting(db, "saved_views", [])
        self.sidebar.populate(self.ward.name, self.topic_names, sources, saved)
        self.filter_bar.set_choices(self.topic_names, [source[:3] for source in sources])
        failing = [name for _id, name, _plugin, _kind, problem in sources if problem]
        self.problem_button.setText(f"⚠ {len(failing)} source(s) with a problem" if failing else "")
        self.problem_button.setToolTip("Failing: " + ", ".join(failing) if failing else "")
        self.problem_button.setVisible(bool(failing))

    def set_filter(self, f: InboxFilter) -> None:
        """Show ``f`` in the inbox (from the sidebar, a shortcut, a saved search or a chart)."""
        f = f.with_(min_relevance=self.ward.effective_threshold)
        self.sidebar.select_filter(f.with_(min_relevance=0.0))
        self.filter_bar.show_filter(f)
        self._base_view = f.view
        self._show(f)

    def _view_chosen(self, f: InboxFilter) -> None:
        self.set_filter(f)

    def _apply_filters(self) -> None:
        self._show(self.filter_bar.apply_to(InboxFilter(view=self._base_view, min_relevance=self.ward.effective_threshold)))

    def _show(self, f: InboxFilter) -> None:
        selected = self.current_item_id()
        try:
            self.inbox.set_filter(f)
        except NcError as exc:
            explain(self, exc)
            return
        self._restore_selection(selected)
        self._update_count()

    def _update_count(self) -> None:
        loaded = self.inbox.rowCount()
        more = "+" if self.inbox.canFetchMore() else ""
        self.count_label.setText(f"{loaded}{more} items")
        if loaded:
            self.inbox_stack.setCurrentWidget(self.table)
            return
        with self.app.store.read() as db:
            sources = source_store.all_sources(db)
        shown = self.inbox.filter
        self.empty.explain(ward_set_up=self.ward.is_set_up, sources=len(sources),
                           fetched=any(r.last_fetch_at for r in sources),
                           filtered=shown != InboxFilter(view="inbox", min_relevance=shown.min_relevance))
        self.inbox_stack.setCurrentWidget(self.empty)

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    def save_search(self) -> None:
        name, ok = QInputDialog.getText(self, "Save search", "Name this view:")
        if not ok or not name.strip():
            return
        self.ops.perform(self, settings_store.save_view, name.strip(), self.inbox.filter.as_dict())

    def _delete_saved_search(self, name: str) -> None:
        self.ops.perform(self, settings_store.delete_view, name)

    def next_pane(self) -> None:
        panes = [self.sidebar, self.table, self.detail.body]
        focused = QApplication.focusWidget()
        index = next((i for i, p in enumerate(panes) if p is focused or p.isAncestorOf(focused or p)), -1)
        panes[(index + 1) % len(panes)].setFocus()

    # ---- the selected item -----------------------------------------------------------

    def current_item_id(self) -> int | None:
        index = self.table.currentIndex()
        return index.data(ItemIdRole) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = self.table.selectionModel().selectedRows()
        ids = [index.data(ItemIdRole) for index in rows]
        current = self.current_item_id()
        return ids or ([current] if current is not None else [])

    def _selection_changed(self) -> None:
        self.show_detail(self.current_item_id())

    def show_detail(self, item_id: int | None) -> None:
        item = None
        if item_id is not None:
            with self.app.store.read() as db:
                item = inbox_store.detail(db, item_id)
        self.detail.show_item(item, can_load_conversation=ItemActions.can_load_conversation(self.app, item))
        for action in self.item_actions + [self.topic_action, self.new_action]:
            action.setEnabled(item is not None)

    def show_item(self, item_id: int) -> None:
        """Select an item in the list if it is there, else just show it."""
        position = self.inbox.position_of(item_id)
        if position is None:
            self.show_detail(item_id)
            return
        self.table.selectRow(position)

    def _restore_selection(self, item_id: int | None) -> None:
        position = self.inbox.position_of(item_id) if item_id is not None else None
        if position is not None:
            self.table.selectRow(position)
        elif self.inbox.rowCount():
            self.table.selectRow(0)
        else:
            self.show_detail(None)

    # ---- item actions ------------------------------------------------------------------

    def on_changed(self, changes: Changes, _initiator: object = None) -> None:
        """The one place the window refreshes after a write: only what ``changes`` touched."""
        if changes.setup:
            self._load_ward_and_topics()
            self.inbox.topic_names = self.topic_names
            self.detail.set_topics(self.topic_names)
            self._populate_choices()
            self.sources_model.refresh()
            self.background.schedule()
            if changes.sources or changes.ward:
                self.live.start()
        if changes.ward:  # a new ward, a new relevance threshold: the inbox's filter takes it at once
            self._apply_filters()
        elif changes.inbox or changes.setup:
            selected = self.current_item_id()
            self.inbox.refresh()
            self._restore_selection(selected)
            self._update_count()
        elif changes.items:
            self.inbox.invalidate(list(changes.items))
            if self.current_item_id() in changes.items or self.detail.item is None or \
                    self.detail.item["id"] in changes.items:
                self.show_detail(self.current_item_id())

    def topic_menu(self) -> None:
        if self.detail.item is not None:
            button = self.detail.topic_button
            self.detail.topic_menu.popup(button.mapToGlobal(button.rect().bottomLeft()))

    # ---- other windows ----------------------------------------------------------------

    def open_settings(self, tab: str = "sources") -> None:
        from networked_councillor.ui.settings_dialog import SettingsDialog

        self.settings_dialog = SettingsDialog(self, tab)
        self.settings_dialog.show()

    def open_dashboard(self) -> None:
        from networked_councillor.ui.dashboard import Dashboard

        self.dashboard = Dashboard(self)
        self.dashboard.open_filter.connect(self._from_chart)
        self.dashboard.show()

    def open_casework(self, issue_id: int | None = None) -> None:
        from networked_councillor.ui.casework import CaseworkWindow

        if getattr(self, "casework_window", None) is None:
            self.casework_window = CaseworkWindow(self)
            self.casework_window.open_item.connect(self._from_casework)
        if issue_id is not None:
            self.casework_window.show_issue(issue_id)
        self.casework_window.show()
        self.casework_window.raise_()

    def open_privacy(self) -> None:
        from networked_councillor.ui.privacy_dialog import PrivacyDialog

        PrivacyDialog(self).exec()

    def open_training_material(self, document: str | None = None) -> None:
        from networked_councillor.ui.help_viewer import HelpViewer

        HelpViewer(self, document).exec()

    def open_audit_log(self) -> None:
        from networked_councillor.ui.audit_view import AuditLogDialog

        AuditLogDialog(self, self.app.store, app=self.app, runner=self.runner).exec()

    def _from_casework(self, item_id: int) -> None:
        self.set_filter(InboxFilter(view="all"))
        self.show_item(item_id)
        self.raise_()
        self.activateWindow()

    def _from_chart(self, f: InboxFilter) -> None:
        """A chart was clicked: the inbox shows those items, in front (the dashboard is Ctrl+D away)."""
        self.set_filter(f)
        self.dashboard.close()
        self.raise_()
        self.activateWindow()
        self.statusBar().showMessage("Showing the items from the dashboard. Ctrl+D opens it again.", 10000)

    def welcome(self) -> None:
        from networked_councillor.ui.dialogs import Welcome

        choice = Welcome(self).exec()
        if choice == Welcome.SET_UP:
            self.set_up_ward()
        elif choice == Welcome.DEMO:
            self.load_demo()

    def set_up_ward(self) -> None:
        from networked_councillor.ui.ward_setup import WardSetupDialog

        self.ward_dialog = WardSetupDialog(self)
        self.ward_dialog.show()

    def start_training(self) -> None:
        """Training runs as its own window and process, so practice can never mix with real work."""
        from PySide6.QtCore import QProcess

        arguments = ["-m", "networked_councillor", "--data-dir", str(self.app.data_dir), "--training"]
        if QProcess.startDetached(sys.executable, arguments)[0]:
            self.statusBar().showMessage("Opening training mode in a new window…", 8000)
        else:
            QMessageBox.warning(self, "Training mode", "Training mode could not be started. From a terminal: "
                                "networked-councillor --training")

    def load_demo(self) -> None:
        from networked_councillor.demo import load_demo

        self.ops.run("demo", lambda cancel, progress: load_demo(self.app, force=True), parent=self,
                     on_done=lambda summary: self.statusBar().showMessage(summary.splitlines()[-1], 15000))

    def set_theme(self, key: str | None = None, text_size: str | None = None) -> None:
        """Change the theme or the text size (or re-apply the saved ones): every open window follows at once."""
        if key is not None:
            self.prefs.setValue("theme", key)
        if text_size is not None:
            self.prefs.setValue("text_size", text_size)
        key = self.prefs.value("theme", "light")
        apply_theme(QApplication.instance(), key, self.prefs.value("text_size", "normal"))
        for action in self.theme_menu.actions():
            action.setChecked(action.text() == THEMES.get(key))

    def show_shortcuts(self) -> None:
        from networked_councillor.ui.dialogs import ShortcutsDialog

        ShortcutsDialog(self, self.menuBar()).exec()

    def about(self) -> None:
        QMessageBox.about(self, "About Networked Councillor",
                          f"<b>Networked Councillor</b> {__version__}<br>Model: {paths.model_version()}<br><br>"
                          "Listen to your ward, answer "
                          "conversationally, and turn what you hear into casework. Everything stays on this "
                          f"computer.<br><br>Your data: {self.app.data_dir}")


