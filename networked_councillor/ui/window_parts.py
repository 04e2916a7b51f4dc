"""The parts the main window is built from: its actions and menus (every command, its shortcut and where it
lives), its panes, its status bar and the sources dock."""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.store.inbox import VIEWS, InboxFilter
from networked_councillor.ui.add_post import add_post_by_hand
from networked_councillor.ui.briefing_view import show_briefing
from networked_councillor.ui.item_actions import SNOOZES
from networked_councillor.ui.itemmodels.sources import SourceStatusModel, configure_view
from networked_councillor.ui.live import LiveService
from networked_councillor.ui.shared_sync import SharedService
from networked_councillor.ui.theme import THEMES
from networked_councillor.ui.widgets.empty_inbox import EmptyInbox


def make_action(window, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, window)
    action.triggered.connect(lambda _checked=False: slot())
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(
        f"{tip or text.replace('&', '').rstrip('…')}"
        + (f" ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else "")
    )
    action.setStatusTip(tip)
    return action


def make_actions(window) -> None:
    """The window's actions, each with its shortcut and a tip that names it."""
    a = functools.partial(make_action, window)
    window.fetch_action = a(
        "&Fetch now", window.background.fetch, QKeySequence.StandardKey.Refresh, "Fetch new items from every source"
    )
    window.cancel_action = a("&Cancel", window.runner.cancel_all, "Ctrl+.", "Stop what is running")
    window.settings_action = a("&Settings…", window.open_settings, "Ctrl+,", "Sources, ward, topics, passwords")
    window.ward_action = a("Set up my &ward…", window.set_up_ward, None, "Find your ward from one of its postcodes")
    window.demo_action = a("Open the &demo ward", window.load_demo, None, "Load the fictional Millbrook ward")
    window.training_action = a(
        "Practise in &training mode",
        window.start_training,
        None,
        "A separate practice ward with guided exercises: nothing is posted or sent",
    )
    window.bring_in_action = a("Bring in &emails…", window.bring_in.choose, "Ctrl+Shift+E",
                               "Emails saved from your mail client (.eml, .msg); you can also drop them on the window")
    window.add_post_action = a("&Add a post by hand…", lambda: add_post_by_hand(window), "Ctrl+Shift+A",
                               "What a resident said in a Facebook group, on Nextdoor, WhatsApp, in a letter or a call")
    window.briefing_action = a("Morning &briefing", lambda: show_briefing(window), "Ctrl+Shift+B",
                               "What is new, waiting, due and failing today, on one page")
    window.quit_action = a("&Quit", window.close, QKeySequence.StandardKey.Quit)
    window.find_action = a("&Find…", window.focus_search, QKeySequence.StandardKey.Find, "Search the ward's posts")
    window.clear_action = a("C&lear filters", window.filter_bar.clear, "Ctrl+Shift+L")
    window.save_search_action = a("&Save search as a view…", window.save_search, QKeySequence.StandardKey.Save)
    window.dashboard_action = a("&Dashboard", window.open_dashboard, "Ctrl+D", "Charts of topics, feeling and sources")
    window.casework_action = a("&Casework", window.open_casework, "Ctrl+I", "Every issue you have logged")
    window.add_to_issue_action = a(
        "&Add to an issue…",
        window.items.add_to_issue,
        "Ctrl+Shift+I",
        "Link the selected posts to an issue you have already logged",
    )
    window.next_pane_action = a("Next &pane", window.next_pane, "F6", "Move between the views, inbox and item")
    window.reply_action = a("&Reply…", window.items.reply, "Ctrl+R", "Write a reply")
    window.issue_action = a("&Log issue…", window.items.log_issue, "Ctrl+L", "Turn this into casework")
    window.browser_action = a("&Open in browser", window.items.open_in_browser, "Ctrl+O", "Open the original post")
    window.done_action = a("Mark &done", lambda: window.items.set_state("done"), "Ctrl+E", "Nothing more to do")
    window.needs_reply_action = a(
        "Mark as &needing a reply",
        lambda: window.items.set_state("needs_reply"),
        "Ctrl+Shift+R",
        "Keep it in the Needs reply view",
    )
    window.new_action = a("Mark as ne&w", lambda: window.items.set_state("new"), "Ctrl+U")
    window.pin_action = a("&Pin / unpin", window.items.toggle_pin, "Ctrl+P", "Keep it at hand")
    window.snooze_action = a(
        "S&nooze until tomorrow",
        lambda: window.items.snooze(SNOOZES["Until tomorrow"]),
        "Ctrl+H",
        "Hide it until tomorrow",
    )
    window.topic_action = a("Change &topic…", window.topic_menu, "Ctrl+T", "Correct the topic (teaches the model)")
    window.similar_action = a("Similar &posts", window.items.similar_posts, "Ctrl+M", "Posts most like this one")
    window.retrain_action = a(
        "&Retrain now", window.background.retrain, None, "Retrain the model with your corrections"
    )
    window.privacy_action = a(
        "Find and &erase a person…",
        window.open_privacy,
        None,
        "Data-protection requests: what the app holds about someone, and erasing it",
    )
    window.audit_action = a("&Audit log…", window.open_audit_log, None, "Exports, reports, replies and erasures")
    window.item_actions = [
        window.reply_action,
        window.issue_action,
        window.browser_action,
        window.done_action,
        window.needs_reply_action,
        window.pin_action,
        window.snooze_action,
        window.similar_action,
    ]
    window.view_actions = []
    for number, (view, label) in enumerate(VIEWS.items(), start=1):
        window.view_actions.append(a(label, lambda v=view: window.set_filter(InboxFilter(view=v)), f"Ctrl+{number}"))


def build_menus(window) -> None:
    bar = window.menuBar()
    file = bar.addMenu("&File")
    for action in (
        window.fetch_action,
        window.cancel_action,
        None,
        window.bring_in_action,
        window.add_post_action,
        None,
        window.ward_action,
        window.demo_action,
        window.training_action,
        window.settings_action,
        None,
        window.quit_action,
    ):
        file.addSeparator() if action is None else file.addAction(action)
    edit = bar.addMenu("&Edit")
    for action in (window.find_action, window.clear_action, window.save_search_action):
        edit.addAction(action)
    view = bar.addMenu("&View")
    for action in window.view_actions:
        view.addAction(action)
    view.addSeparator()
    view.addAction(window.briefing_action)
    view.addAction(window.dashboard_action)
    view.addAction(window.casework_action)
    window.theme_menu = view.addMenu("&Theme")
    group = QActionGroup(window)
    for key, name in THEMES.items():
        action = QAction(name, window, checkable=True, checked=window.prefs.value("theme", "light") == key)
        action.triggered.connect(lambda _c=False, k=key: window.set_theme(k))
        group.addAction(action)
        window.theme_menu.addAction(action)
    view.addAction(window.next_pane_action)
    window.view_menu = view
    item = bar.addMenu("&Item")
    for action in (
        *window.item_actions[:2],
        window.add_to_issue_action,
        window.item_actions[2],
        None,
        *window.item_actions[3:7],
        window.new_action,
        None,
        window.topic_action,
        window.similar_action,
    ):
        item.addSeparator() if action is None else item.addAction(action)
    snooze = item.addMenu("Snooze")
    for label, delta in SNOOZES.items():
        snooze.addAction(label, lambda d=delta: window.items.snooze(d))
    snooze.addAction("Wake now", lambda: window.items.snooze(None))
    tools = bar.addMenu("&Tools")
    tools.addAction(window.retrain_action)
    tools.addSeparator()
    tools.addAction(window.privacy_action)
    tools.addAction(window.audit_action)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(make_action(window, "&Keyboard shortcuts", window.show_shortcuts, "F1"))
    window.training_material_action = make_action(
        window,
        "&Training material",
        window.open_training_material,
        None,
        "The facilitator guide, quick reference and exercise sheet",
    )
    help_menu.addAction(window.training_material_action)
    help_menu.addAction(make_action(window, "&About Networked Councillor", window.about))


def build_layout(window) -> None:
    """Views on the left, the inbox (or why it is empty) in the middle, the item on the right."""
    centre = QWidget()
    layout = QVBoxLayout(centre)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(window.filter_bar)
    window.empty = EmptyInbox({"ward": ("Set up my ward…", window.set_up_ward),
                             "demo": ("Open the demo ward", window.load_demo),
                             "sources": ("Add a source…", window.open_settings),
                             "fetch": ("Fetch now", window.background.fetch),
                             "clear": ("Clear filters", window.filter_bar.clear)})
    window.inbox_stack = QStackedWidget()
    window.inbox_stack.addWidget(window.table)
    window.inbox_stack.addWidget(window.empty)
    layout.addWidget(window.inbox_stack)
    window.splitter = QSplitter(Qt.Orientation.Horizontal)
    window.splitter.setObjectName("panes")
    window.splitter.addWidget(window.sidebar)
    window.splitter.addWidget(centre)
    window.splitter.addWidget(window.detail)
    window.splitter.setSizes([160, 800, 440])
    window.splitter.setStretchFactor(1, 3)
    window.splitter.setStretchFactor(2, 2)
    window.setCentralWidget(window.splitter)
    window.setTabOrder(window.sidebar, window.filter_bar.search)
    window.setTabOrder(window.filter_bar.search, window.table)
    window.setTabOrder(window.table, window.detail.body)


def build_status_bar(window) -> None:
    window.progress = QProgressBar(maximumWidth=220, textVisible=True)
    window.progress.setAccessibleName("Progress")
    window.progress_label = QLabel()
    window.cancel_button = QPushButton("Cancel", clicked=window.runner.cancel_all)
    window.cancel_button.setAccessibleName("Cancel what is running")
    window.count_label = QLabel()
    window.problem_button = QPushButton(flat=True, clicked=lambda: window.source_dock.show())
    window.problem_button.setAccessibleName("Sources with a problem: show how each fetch went")
    window.statusBar().addPermanentWidget(window.problem_button)  # stays until the sources fetch again
    for widget in (window.progress_label, window.progress, window.cancel_button):
        window.statusBar().addPermanentWidget(widget)
        widget.hide()
    window.statusBar().addPermanentWidget(window.count_label)


def build_source_panel(window) -> None:
    """How each source's last fetch went, docked at the bottom (Ctrl+Shift+S)."""
    window.sources_model = SourceStatusModel(window.app.store, window)
    view = QTableView()
    view.setModel(window.sources_model)
    view.setAccessibleName("Sources and how their last fetch went")
    configure_view(view)
    window.source_dock = QDockWidget("Sources", window)
    window.source_dock.setObjectName("sources")
    window.source_dock.setWidget(view)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, window.source_dock)
    window.source_dock.hide()
    toggle = window.source_dock.toggleViewAction()
    toggle.setText("&Source status")
    toggle.setShortcut(QKeySequence("Ctrl+Shift+S"))
    window.view_menu.addAction(toggle)


def start_services(window) -> tuple[LiveService, SharedService]:
    """What runs in the background while the window is open: live sources, and the shared casework's sync."""
    services = LiveService(window), SharedService(window)
    for service in services:
        service.start()
    return services
