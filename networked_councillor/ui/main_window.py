"""The main window: ward and views on the left, the inbox in the middle, the item on the right."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from networked_councillor import __version__
from networked_councillor.base import clock
from networked_councillor.base.errors import FetchBusy, NcError
from networked_councillor.casework import issues as casework
from networked_councillor.store import inbox as inbox_store
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store import tags as tag_store
from networked_councillor.store.inbox import VIEWS, InboxFilter
from networked_councillor.tagger.topics import default_topics
from networked_councillor.ui.errors import explain
from networked_councillor.ui.itemmodels.inbox import COLUMN_NAMES, POST, RELEVANCE, TOPICS, InboxModel, ItemIdRole
from networked_councillor.ui.itemmodels.sources import SourceStatusModel, configure_view
from networked_councillor.ui.links import OPENABLE, open_address
from networked_councillor.ui.screen import fit_on_screen, keep_on_screen
from networked_councillor.ui.tasks import TaskRunner
from networked_councillor.ui.theme import THEMES, apply_theme
from networked_councillor.ui.widgets.chips import TopicChipDelegate
from networked_councillor.ui.widgets.detail import ItemDetail
from networked_councillor.ui.widgets.empty_inbox import EmptyInbox
from networked_councillor.ui.widgets.filterbar import FilterBar
from networked_councillor.ui.widgets.sidebar import Sidebar

HEADER_KEY = "inbox_header_v3"  # bump when the inbox's columns change, so an old layout is not restored
SNOOZES = {"For an hour": timedelta(hours=1), "Until tomorrow": timedelta(days=1), "For a week": timedelta(days=7)}


class InboxTable(QTableView):
    """The inbox view: the source column shows the source's icon; chips paint the topics.

    Relevance is hidden at first (the item pane shows it, and a laptop screen needs the room for the post);
    right-click the header to show or hide any column but the post.
    """

    def __init__(self, model: InboxModel) -> None:
        super().__init__()
        self.setModel(model)
        self.setAccessibleName("Inbox")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setItemDelegateForColumn(TOPICS, TopicChipDelegate(self))
        header = self.horizontalHeader()
        for column, width in enumerate((28, 110, 0, 140, 76, 72, 64)):
            if width:
                self.setColumnWidth(column, width)
        header.setSectionResizeMode(POST, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.setColumnHidden(RELEVANCE, True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)

    def _column_menu(self, position) -> None:
        menu = QMenu(self)
        for column, name in enumerate(COLUMN_NAMES):
            if column == POST:
                continue
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(column))
            action.toggled.connect(lambda shown, c=column: self.setColumnHidden(c, not shown))
        menu.popup(self.horizontalHeader().mapToGlobal(position))


class MainWindow(QMainWindow):
    def __init__(self, app, *, runner: TaskRunner | None = None, welcome: bool = True) -> None:
        super().__init__()
        self.app = app
        self.prefs = QSettings("Networked Councillor", "Networked Councillor")
        self.runner = runner or TaskRunner(self)
        self.composers: dict[int, object] = {}
        self.runner.started.connect(self._task_started)
        self.runner.ended.connect(self._task_ended)
        self._load_ward_and_topics()

        self.inbox = InboxModel(app.store, self.topic_names, self)
        self.table = InboxTable(self.inbox)
        self.sidebar = Sidebar()
        self.filter_bar = FilterBar()
        self._make_actions()
        self.detail = ItemDetail(self.item_actions, self.topic_names)
        self.detail.set_topics(self.topic_names)
        self._layout()
        self._menus()
        self._status_bar()
        self._source_panel()
        if getattr(app, "training", False):
            from networked_councillor.ui import training

            training.install(self)

        self.sidebar.chosen.connect(self._view_chosen)
        self.sidebar.delete_saved.connect(self._delete_saved_search)
        self.filter_bar.changed.connect(self._apply_filters)
        self.filter_bar.save_requested.connect(self.save_search)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.detail.correct_topic.connect(self.correct_topic)
        self.detail.correct_sentiment.connect(self.correct_sentiment)
        self.detail.link_activated.connect(self.open_link)
        self.detail.open_item.connect(self.show_item)
        self.detail.load_conversation.connect(self.load_conversation)
        self.detail.open_issue.connect(self.open_casework)

        self._populate_choices()
        self.set_filter(InboxFilter(view="inbox"))
        self._restore_layout()
        self.refresh_timer = QTimer(self, timeout=self.fetch)
        self._schedule_refresh()
        from networked_councillor.ui.notifications import Notifier

        self.notifier = Notifier(self)
        if welcome and not self.ward.is_set_up:
            QTimer.singleShot(0, self.welcome)

    # ---- set-up ---------------------------------------------------------------------

    def _load_ward_and_topics(self) -> None:
        with self.app.store.read() as db:
            self.ward = settings_store.load_ward(db)
            own = tag_store.user_topics(db)
        self.topic_names = {t.id: t.name for t in default_topics()} | {t["id"]: t["name"] for t in own}
        title = f"{self.ward.name} ward: Networked Councillor" if self.ward.name else "Networked Councillor"
        self.setWindowTitle(("Training: " if getattr(self.app, "training", False) else "") + title)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text.replace('&', '').rstrip('…')}"
                          + (f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else ""))
        action.setStatusTip(tip)
        return action

    def _make_actions(self) -> None:
        a = self._action
        self.fetch_action = a("&Fetch now", self.fetch, QKeySequence.StandardKey.Refresh, "Fetch new items from every source")
        self.cancel_action = a("&Cancel", self.runner.cancel_all, "Ctrl+.", "Stop what is running")
        self.settings_action = a("&Settings…", self.open_settings, "Ctrl+,", "Sources, ward, topics, passwords")
        self.ward_action = a("Set up my &ward…", self.set_up_ward, None, "Find your ward from one of its postcodes")
        self.demo_action = a("Open the &demo ward", self.load_demo, None, "Load the fictional Millbrook ward")
        self.training_action = a("Practise in &training mode", self.start_training, None,
                                 "A separate practice ward with guided exercises: nothing is posted or sent")
        self.quit_action = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.find_action = a("&Find…", self._focus_search, QKeySequence.StandardKey.Find, "Search the ward's posts")
        self.clear_action = a("C&lear filters", self.filter_bar.clear, "Ctrl+Shift+L")
        self.save_search_action = a("&Save search as a view…", self.save_search, QKeySequence.StandardKey.Save)
        self.dashboard_action = a("&Dashboard", self.open_dashboard, "Ctrl+D", "Charts of topics, feeling and sources")
        self.casework_action = a("&Casework", self.open_casework, "Ctrl+I", "Every issue you have logged")
        self.add_to_issue_action = a("&Add to an issue…", self.add_to_issue, "Ctrl+Shift+I",
                                     "Link the selected posts to an issue you have already logged")
        self.next_pane_action = a("Next &pane", self._next_pane, "F6", "Move between the views, inbox and item")
        self.reply_action = a("&Reply…", self.reply, "Ctrl+R", "Write a reply")
        self.issue_action = a("&Log issue…", self.log_issue, "Ctrl+L", "Turn this into casework")
        self.browser_action = a("&Open in browser", self.open_in_browser, "Ctrl+O", "Open the original post")
        self.done_action = a("Mark &done", lambda: self.set_state("done"), "Ctrl+E", "Nothing more to do")
        self.needs_reply_action = a("Mark as &needing a reply", lambda: self.set_state("needs_reply"), "Ctrl+Shift+R",
                                    "Keep it in the Needs reply view")
        self.new_action = a("Mark as ne&w", lambda: self.set_state("new"), "Ctrl+U")
        self.pin_action = a("&Pin / unpin", self.toggle_pin, "Ctrl+P", "Keep it at hand")
        self.snooze_action = a("S&nooze until tomorrow", lambda: self.snooze(SNOOZES["Until tomorrow"]), "Ctrl+H",
                               "Hide it until tomorrow")
        self.topic_action = a("Change &topic…", self._topic_menu, "Ctrl+T", "Correct the topic (teaches the model)")
        self.similar_action = a("Similar &posts", self.similar_posts, "Ctrl+M", "Posts most like this one")
        self.retrain_action = a("&Retrain now", self.retrain, None, "Retrain the model with your corrections")
        self.privacy_action = a("Find and &erase a person…", self.open_privacy, None,
                                "Data-protection requests: what the app holds about someone, and erasing it")
        self.audit_action = a("&Audit log…", self.open_audit_log, None, "Exports, reports, replies and erasures")
        self.item_actions = [self.reply_action, self.issue_action, self.browser_action, self.done_action,
                             self.needs_reply_action, self.pin_action, self.snooze_action, self.similar_action]
        self.view_actions = []
        for number, (view, label) in enumerate(VIEWS.items(), start=1):
            self.view_actions.append(a(label, lambda v=view: self.set_filter(InboxFilter(view=v)), f"Ctrl+{number}"))

    def _layout(self) -> None:
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        self.empty = EmptyInbox({"ward": ("Set up my ward…", self.set_up_ward),
                                 "demo": ("Open the demo ward", self.load_demo),
                                 "sources": ("Add a source…", self.open_settings),
                                 "fetch": ("Fetch now", self.fetch),
                                 "clear": ("Clear filters", self.filter_bar.clear)})
        self.inbox_stack = QStackedWidget()
        self.inbox_stack.addWidget(self.table)
        self.inbox_stack.addWidget(self.empty)
        layout.addWidget(self.inbox_stack)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("panes")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.detail)
        self.splitter.setSizes([160, 800, 440])
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.setCentralWidget(self.splitter)
        self.setTabOrder(self.sidebar, self.filter_bar.search)
        self.setTabOrder(self.filter_bar.search, self.table)
        self.setTabOrder(self.table, self.detail.body)

    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        for action in (self.fetch_action, self.cancel_action, None, self.ward_action, self.demo_action,
                       self.training_action, self.settings_action, None, self.quit_action):
            file.addSeparator() if action is None else file.addAction(action)
        edit = bar.addMenu("&Edit")
        for action in (self.find_action, self.clear_action, self.save_search_action):
            edit.addAction(action)
        view = bar.addMenu("&View")
        for action in self.view_actions:
            view.addAction(action)
        view.addSeparator()
        view.addAction(self.dashboard_action)
        view.addAction(self.casework_action)
        self.theme_menu = view.addMenu("&Theme")
        group = QActionGroup(self)
        for key, name in THEMES.items():
            action = QAction(name, self, checkable=True, checked=self.prefs.value("theme", "light") == key)
            action.triggered.connect(lambda _c=False, k=key: self.set_theme(k))
            group.addAction(action)
            self.theme_menu.addAction(action)
        view.addAction(self.next_pane_action)
        self.view_menu = view
        item = bar.addMenu("&Item")
        for action in (*self.item_actions[:2], self.add_to_issue_action, self.item_actions[2], None,
                       *self.item_actions[3:7], self.new_action, None, self.topic_action, self.similar_action):
            item.addSeparator() if action is None else item.addAction(action)
        snooze = item.addMenu("Snooze")
        for label, delta in SNOOZES.items():
            snooze.addAction(label, lambda d=delta: self.snooze(d))
        snooze.addAction("Wake now", lambda: self.snooze(None))
        tools = bar.addMenu("&Tools")
        tools.addAction(self.retrain_action)
        tools.addSeparator()
        tools.addAction(self.privacy_action)
        tools.addAction(self.audit_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", self.show_shortcuts, "F1"))
        self.training_material_action = self._action("&Training material", self.open_training_material, None,
                                                     "The facilitator guide, quick reference and exercise sheet")
        help_menu.addAction(self.training_material_action)
        help_menu.addAction(self._action("&About Networked Councillor", self.about))

    def _status_bar(self) -> None:
        self.progress = QProgressBar(maximumWidth=220, textVisible=True)
        self.progress.setAccessibleName("Progress")
        self.progress_label = QLabel()
        self.cancel_button = QPushButton("Cancel", clicked=self.runner.cancel_all)
        self.cancel_button.setAccessibleName("Cancel what is running")
        self.count_label = QLabel()
        self.problem_button = QPushButton(flat=True, clicked=lambda: self.source_dock.show())
        self.problem_button.setAccessibleName("Sources with a problem: show how each fetch went")
        self.statusBar().addPermanentWidget(self.problem_button)  # stays until the sources fetch again
        for widget in (self.progress_label, self.progress, self.cancel_button):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()
        self.statusBar().addPermanentWidget(self.count_label)

    def _source_panel(self) -> None:
        self.sources_model = SourceStatusModel(self.app.store, self)
        view = QTableView()
        view.setModel(self.sources_model)
        view.setAccessibleName("Sources and how their last fetch went")
        configure_view(view)
        self.source_dock = QDockWidget("Sources", self)
        self.source_dock.setObjectName("sources")
        self.source_dock.setWidget(view)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.source_dock)
        self.source_dock.hide()
        toggle = self.source_dock.toggleViewAction()
        toggle.setText("&Source status")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.view_menu.addAction(toggle)

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

    def _focus_search(self) -> None:
        self.filter_bar.search.setFocus()
        self.filter_bar.search.selectAll()

    def save_search(self) -> None:
        name, ok = QInputDialog.getText(self, "Save search", "Name this view:")
        if not ok or not name.strip():
            return
        current = self.inbox.filter.as_dict()
        with self.app.store.write() as db:
            saved = [s for s in settings_store.get_setting(db, "saved_views", []) if s["name"] != name.strip()]
            saved.append({"name": name.strip(), "filter": current})
            settings_store.set_setting(db, "saved_views", saved)
        self._populate_choices()

    def _delete_saved_search(self, name: str) -> None:
        with self.app.store.write() as db:
            saved = [s for s in settings_store.get_setting(db, "saved_views", []) if s["name"] != name]
            settings_store.set_setting(db, "saved_views", saved)
        self._populate_choices()

    def _next_pane(self) -> None:
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
        plugin = self.app.registry.get(item["plugin"]) if item else None
        self.detail.show_item(item, can_load_conversation=callable(getattr(plugin, "thread", None)))
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

    def data_changed(self, kind: str = "items", ids: list[int] | None = None) -> None:
        """The one place the window refreshes after a write (Anki's operation-did-execute pattern)."""
        if kind in ("ward", "topics", "sources", "settings"):
            self._load_ward_and_topics()
            self.inbox.topic_names = self.topic_names
            self.detail.set_topics(self.topic_names)
            self._populate_choices()
            self.sources_model.refresh()
            self._schedule_refresh()
        if kind == "appearance":
            self.set_theme()
            return
        if ids is not None and kind == "item-data":
            self.inbox.invalidate(ids)
            self.show_detail(self.current_item_id())
            return
        if kind == "ward":  # a new ward, a new relevance threshold: the inbox's filter takes it at once
            self._apply_filters()
        else:
            selected = self.current_item_id()
            self.inbox.refresh()
            self._restore_selection(selected)
            self._update_count()
        if getattr(self, "exercise_panel", None) is not None:
            self.exercise_panel.refresh()

    def _write(self, change, *, kind: str = "items", ids: list[int] | None = None) -> bool:
        try:
            with self.app.store.write() as db:
                change(db)
        except NcError as exc:
            explain(self, exc)
            return False
        self.data_changed(kind, ids)
        return True

    def set_state(self, state: str) -> None:
        ids = self.selected_ids()
        if ids:
            self._write(lambda db: inbox_store.set_state(db, ids, state))

    def toggle_pin(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        with self.app.store.read() as db:
            pinned = all(db.execute("SELECT pinned FROM items WHERE id = ?", [i]).fetchone()[0] for i in ids)
        self._write(lambda db: inbox_store.set_pinned(db, ids, not pinned))

    def snooze(self, delta: timedelta | None) -> None:
        ids = self.selected_ids()
        if ids:
            until = (clock.utcnow() + delta).isoformat(timespec="seconds") if delta else None
            self._write(lambda db: inbox_store.snooze(db, ids, until))

    def correct_topic(self, item_id: int, topic: str) -> None:
        self._write(lambda db: tag_store.correct(db, item_id, "topic", topic, clock.now_iso()),
                    kind="item-data", ids=[item_id])
        self.statusBar().showMessage(f"Topic set to {self.topic_names.get(topic, topic)}. "
                                     "The model learns from this at the next retrain.", 8000)

    def correct_sentiment(self, item_id: int, sentiment: str) -> None:
        self._write(lambda db: tag_store.correct(db, item_id, "sentiment", sentiment, clock.now_iso()),
                    kind="item-data", ids=[item_id])

    def _topic_menu(self) -> None:
        if self.detail.item is not None:
            self.detail.topic_menu.popup(self.detail.topic_button.mapToGlobal(self.detail.topic_button.rect().bottomLeft()))

    def open_link(self, url: QUrl) -> None:
        """A link inside a post: asked first, as a post's words may hide where a link goes."""
        if url.scheme().lower() not in OPENABLE:
            self.statusBar().showMessage(open_address(url) or "", 10000)
            return
        answer = QMessageBox.question(self, "Open link", f"Open this link in your web browser?\n\n{url.toString()}")
        if answer == QMessageBox.StandardButton.Yes:
            self._say_if_not_opened(url)

    def open_in_browser(self) -> None:
        item = self.detail.item
        if item and item.get("url"):
            self._say_if_not_opened(QUrl(item["url"]))
        elif item:
            self.statusBar().showMessage("This item has no web address.", 5000)

    def _say_if_not_opened(self, url: QUrl) -> None:
        problem = open_address(url)
        if problem:
            self.statusBar().showMessage(problem, 15000)

    def reply(self) -> None:
        """Open the composer for the item shown (one per item: asking again brings it back to the front)."""
        from networked_councillor.ui.composer import Composer

        item = self.detail.item
        if item is None:
            return
        composer = self.composers.get(item["id"])
        if composer is None:
            plugin = self.app.registry.get(item["plugin"])
            where = plugin.name if plugin is not None else item.get("source_name") or "the site"
            can_post = callable(getattr(plugin, "reply", None))
            try:
                cannot_post = self.app.pipeline(tagger=None).reply_unavailable(item["id"]) if can_post else ""
            except NcError as exc:
                cannot_post = str(exc)
            composer = Composer(self, self.app, item, where=where, post=self.post_reply if can_post else None,
                                cannot_post=cannot_post)
            composer.replied.connect(lambda item_id: self.data_changed("items"))
            composer.finished.connect(lambda _result, item_id=item["id"]: self.composers.pop(item_id, None))
            self.composers[item["id"]] = composer
        composer.show()
        composer.raise_()
        composer.activateWindow()

    def post_reply(self, item_id: int, parts: list[str], on_posted=None, on_failed=None) -> None:
        """Post through the source's plugin in the background (the composer has asked for an explicit yes)."""
        pipeline = self.app.pipeline(tagger=None)

        def posted(result) -> None:
            if self.app.training:
                self.statusBar().showMessage("Training: your reply is recorded as if posted, in the right place in "
                                             "the conversation. Nothing was sent.", 15000)
            elif _is_demo(self.app, item_id):
                self.statusBar().showMessage("Demo ward: your reply went to the demo's own Bluesky on this computer, "
                                             "in the right place in the thread. Nothing left the computer.", 15000)
            else:
                self.statusBar().showMessage(f"Reply posted: {result.url or result.external_id}", 15000)
            self.data_changed("items")
            if on_posted:
                on_posted()

        def failed(error: Exception) -> None:
            explain(self, error, "Reply not posted")
            if on_failed:
                on_failed(error)

        self.runner.submit("reply", lambda cancel, progress: pipeline.post_reply(item_id, parts),
                           on_done=posted, on_error=failed)

    def load_conversation(self, item_id: int) -> None:
        pipeline = self.app.pipeline()
        self.runner.submit("thread", lambda cancel, progress: pipeline.fetch_thread(item_id, cancel),
                           on_done=lambda outcome: (self.statusBar().showMessage(
                               f"Conversation loaded: {outcome.seen} posts.", 8000), self.data_changed("items")),
                           on_error=lambda e: explain(self, e, "Conversation"))

    def log_issue(self) -> None:
        """One issue from the item shown, linked to every selected post (several posts can be one issue)."""
        from networked_councillor.ui.dialogs import LogIssueDialog

        item = self.detail.item
        if item is None:
            return
        others = [i for i in self.selected_ids() if i != item["id"]]
        if item.get("issues") and not self._new_issue_anyway(item, others):
            return
        dialog = LogIssueDialog(self, item, self.topic_names, self.ward.name, also_linked=len(others))
        if dialog.exec():
            issue = dialog.issue()
            issue.item_ids = [item["id"], *others]
            created = []
            if self._write(lambda db: created.append(casework.create_issue(db, issue, clock.now_iso())),
                           kind="item-data", ids=issue.item_ids):
                self.statusBar().showMessage(f"Issue logged: {issue.title}. View > Casework (Ctrl+I) shows it.", 8000)
                if getattr(self, "casework_window", None) is not None:
                    self.casework_window.refresh()

    def _new_issue_anyway(self, item: dict, others: list[int]) -> bool:
        """The post is casework already: offer its issue (and to add the other selected posts to it) first."""
        issue = item["issues"][-1]
        box = QMessageBox(QMessageBox.Icon.Question, "Log issue",
                          f"This post is already part of {issue['reference']}: {issue['title']}.", parent=self)
        box.setInformativeText("Open that issue, or log a new one anyway?")
        open_it = box.addButton(f"Open {issue['reference']}", QMessageBox.ButtonRole.AcceptRole)
        add = box.addButton(f"Add the other {len(others)} selected post(s) to it",
                            QMessageBox.ButtonRole.ActionRole) if others else None
        anyway = box.addButton("Log a new issue anyway", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(open_it)
        box.exec()
        chosen = box.clickedButton()
        if chosen is open_it:
            self.open_casework(issue["id"])
        elif add is not None and chosen is add:
            if self._write(lambda db: casework.link_items(db, issue["id"], others, clock.now_iso()),
                           kind="item-data", ids=others):
                self.statusBar().showMessage(f"{len(others)} post(s) added to {issue['reference']}.", 8000)
        return chosen is anyway

    def add_to_issue(self) -> None:
        from networked_councillor.ui.dialogs import choose_issue

        ids = self.selected_ids()
        if not ids:
            return
        with self.app.store.read() as db:
            issues = casework.list_issues(db, casework.IssueFilter(open_only=True), today=clock.today())
        issue_id = choose_issue(self, issues, len(ids))
        if issue_id is not None and self._write(
                lambda db: casework.link_items(db, issue_id, ids, clock.now_iso()), kind="item-data", ids=ids):
            self.statusBar().showMessage(f"{len(ids)} post(s) linked to the issue.", 8000)
            if getattr(self, "casework_window", None) is not None:
                self.casework_window.refresh()

    def similar_posts(self) -> None:
        item_id = self.current_item_id()
        if item_id is None:
            return
        from networked_councillor.tagger.similar import similar_items

        def show(found: list[tuple[int, float]]) -> None:
            if not found:
                self.statusBar().showMessage("This item has no stored embedding yet (it is tagged at the next fetch).",
                                             8000)
                return
            self.similar_results = found
            menu = QMenu(self)
            with self.app.store.read() as db:
                rows = inbox_store.rows(db, [i for i, _ in found])
            for other, score in found:
                row = rows.get(other)
                if row:
                    text = " ".join((row["title"] or row["preview"] or "").split())[:90]
                    menu.addAction(f"{score:.0%}  {text}", lambda o=other: self.show_item(o))
            menu.popup(self.table.mapToGlobal(self.table.rect().center()))

        self.runner.submit("similar", lambda cancel, progress: similar_items(
            self.app.store, item_id, cancel=cancel, progress=progress), on_done=show,
            on_error=lambda e: explain(self, e))

    # ---- background work ---------------------------------------------------------------

    def fetch(self) -> None:
        if self.runner.busy("fetch"):
            return
        pipeline = self.app.pipeline()
        self.fetch_action.setEnabled(False)
        self.runner.submit("fetch", lambda cancel, progress: pipeline.fetch(cancel=cancel, progress=progress),
                           on_done=self._fetched, on_error=self._fetch_failed)

    def _fetched(self, report) -> None:
        self.fetch_action.setEnabled(True)
        failed = [o for o in report.outcomes if not o.ok]
        message = f"{report.new} new items"
        if failed:
            message += f"; {len(failed)} source(s) had a problem (see Sources, Ctrl+Shift+S)"
        if self.app.tagger_problem:
            message += f"; not tagged: {self.app.tagger_problem}"
        self.statusBar().showMessage(message, 15000)
        self._apply_retention()
        self.sources_model.refresh()
        self._populate_choices()  # the sidebar marks the sources that failed, until they next succeed
        self.data_changed("items")
        self.notifier.check()

    def _fetch_failed(self, error: Exception) -> None:
        self.fetch_action.setEnabled(True)
        if isinstance(error, FetchBusy):  # a scheduled fetch running elsewhere: nothing went wrong
            self.statusBar().showMessage(str(error), 15000)
            return
        explain(self, error, "Fetch")

    def _apply_retention(self) -> None:
        """After each fetch: the retention settings applied, and what went said in the status bar."""
        from networked_councillor.casework.retention import (
            RetentionSettings,
            apply_retention,
        )

        try:
            with self.app.store.write() as db:
                report = apply_retention(db, RetentionSettings.load(db), clock.utcnow())
        except NcError as exc:
            self.statusBar().showMessage(f"Retention was not applied: {exc}", 15000)
            return
        if report.total:
            self.statusBar().showMessage(report.summary(), 15000)

    def _schedule_refresh(self) -> None:
        with self.app.store.read() as db:
            minutes = settings_store.get_setting(db, "refresh.minutes", 30)
        self.refresh_timer.stop()
        if minutes:
            self.refresh_timer.start(minutes * 60_000)

    def retrain(self) -> None:
        from networked_councillor.tagger.learning import retag, retrain

        def job(cancel, progress):
            heads = retrain(self.app.store, self.app.data_dir, progress=lambda f, m: progress((f or 0) * 0.6, m))
            tagger = self.app.load_tagger(reload=True)
            retag(self.app.store, tagger, cancel=cancel, progress=lambda f, m: progress(0.6 + (f or 0) * 0.4, m))
            return heads

        self.retrain_action.setEnabled(False)
        self.runner.submit("retrain", job, on_done=self._retrained, on_error=self._retrain_failed)

    def _retrained(self, heads) -> None:
        self.retrain_action.setEnabled(True)
        self.statusBar().showMessage(f"Retrained on {sum(heads.meta['examples'].values())} examples "
                                     f"({heads.meta['examples'].get('correction', 0)} of them yours) and re-tagged "
                                     "everything.", 15000)
        self.data_changed("items")

    def _retrain_failed(self, error: Exception) -> None:
        self.retrain_action.setEnabled(True)
        explain(self, error, "Retrain")

    def _task_started(self, task) -> None:
        task.progress.connect(self._task_progress)
        self.progress_label.setText(_TASK_NAMES.get(task.name, task.name))
        self.progress.setRange(0, 0)
        for widget in (self.progress_label, self.progress, self.cancel_button):
            widget.show()

    def _task_progress(self, fraction: float, message: str) -> None:
        if fraction < 0:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))
        if message:
            self.progress_label.setText(message[:80])

    def _task_ended(self, _task) -> None:
        if not self.runner.running:
            for widget in (self.progress_label, self.progress, self.cancel_button):
                widget.hide()

    # ---- other windows ----------------------------------------------------------------

    def open_settings(self, tab: str = "sources") -> None:
        from networked_councillor.ui.settings_dialog import SettingsDialog

        self.settings_dialog = SettingsDialog(self, tab)
        self.settings_dialog.changed.connect(self.data_changed)
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
            self.casework_window.changed.connect(lambda: self.data_changed("item-data", []))
        if issue_id is not None:
            self.casework_window.show_issue(issue_id)
        self.casework_window.show()
        self.casework_window.raise_()

    def open_privacy(self) -> None:
        from networked_councillor.ui.privacy_dialog import PrivacyDialog

        dialog = PrivacyDialog(self, self.app.store)
        dialog.exec()
        self.data_changed("items")

    def open_training_material(self, document: str | None = None) -> None:
        from networked_councillor.ui.help_viewer import HelpViewer

        HelpViewer(self, document).exec()

    def open_audit_log(self) -> None:
        from networked_councillor.ui.audit_view import AuditLogDialog

        AuditLogDialog(self, self.app.store).exec()

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
        self.ward_dialog.done_setup.connect(lambda: self.data_changed("ward"))
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

        def done(summary: str) -> None:
            self.data_changed("ward")
            self.statusBar().showMessage(summary.splitlines()[-1], 15000)

        self.runner.submit("demo", lambda cancel, progress: load_demo(self.app, force=True), on_done=done,
                           on_error=lambda e: explain(self, e))

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
                          f"<b>Networked Councillor</b> {__version__}<br>Listen to your ward, answer "
                          "conversationally, and turn what you hear into casework. Everything stays on this "
                          f"computer.<br><br>Your data: {self.app.data_dir}")


def _is_demo(app, item_id: int) -> bool:
    with app.store.read() as db:
        row = db.execute("SELECT sources.config FROM items JOIN sources ON sources.id = items.source_id "
                         "WHERE items.id = ?", [item_id]).fetchone()
    return bool(row) and json.loads(row[0] or "{}").get("demo") is True


_TASK_NAMES = {"reply": "Posting the reply…", "thread": "Loading the conversation…", "fetch": "Fetching…", "retrain": "Retraining…", "similar": "Finding similar posts…",
               "demo": "Loading the demo ward…", "test-source": "Testing…", "ward-setup": "Looking up the ward…"}
