"""The real main window, driven through pytest-qt on the demo ward."""

import json
import threading
from datetime import timedelta

import pytest
from helpers import add_source, close_app
from localserver import Reply
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtWidgets import QMenu

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.store import settings as settings_store
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.ui.itemmodels.inbox import InboxModel, ItemIdRole
from networked_councillor.ui.itemmodels.sources import SourceStatusModel
from networked_councillor.ui.main_window import MainWindow
from networked_councillor.ui.tasks import TaskRunner


def ids_shown(win) -> list[int]:
    model = win.inbox
    return [model.item_id(row) for row in range(model.rowCount())]


def rows_where(win, sql, params=()):
    with win.app.store.read() as db:
        return list(db.query(sql, list(params)))


def test_selecting_an_item_shows_it_with_its_evidence_and_tags(window):
    window.table.selectRow(0)
    item = window.detail.item
    assert item is not None and item["id"] == ids_shown(window)[0]
    assert "Why it's here" in window.detail.evidence.text()
    assert window.detail.topics_label.text()
    assert window.detail.body.toPlainText().strip()


def test_correcting_a_topic_is_stored_and_becomes_training_data(window):
    window.table.selectRow(0)
    item_id = window.detail.item["id"]
    target = "noise" if window.detail.item["topic"] != "noise" else "parking"
    action = next(a for a in window.detail.topic_menu.actions() if a.text() == window.topic_names[target])
    action.trigger()
    (tag,) = rows_where(window, "SELECT label, origin FROM tags WHERE item_id = ? AND kind = 'topic' AND origin = 'user'",
                        [item_id])
    assert tag["label"] == target
    assert rows_where(window, "SELECT topic FROM training_examples WHERE item_id = ?", [item_id])[0]["topic"] == target
    assert window.detail.item["topic"] == target  # the pane shows the correction at once
    assert "✔" in window.detail.topics_label.text()


def test_filter_by_topic_and_feeling(window):
    bar = window.filter_bar
    bar.topic.setCurrentIndex(bar.topic.findData("traffic_transport"))
    bar.sentiment.setCurrentIndex(bar.sentiment.findData("negative"))
    shown = ids_shown(window)
    assert shown
    marks = ",".join("?" * len(shown))
    assert {(r["topic"], r["sentiment"]) for r in rows_where(
        window, f"SELECT topic, sentiment FROM items WHERE id IN ({marks})", shown)} == {("traffic_transport", "negative")}
    bar.clear()
    assert len(ids_shown(window)) > len(shown)


def test_search_finds_potholes(window, qtbot):
    window.filter_bar.search.setText("pothole")
    qtbot.waitUntil(lambda: window.inbox.filter.query == "pothole", timeout=3000)
    shown = ids_shown(window)
    assert shown
    texts = rows_where(window, f"SELECT title, text FROM items WHERE id IN ({','.join('?' * len(shown))})", shown)
    assert all("pothole" in f"{r['title']} {r['text']}".lower() for r in texts)
    window.filter_bar.search.setText('"unbalanced')  # odd input never breaks the search
    qtbot.wait(400)


def test_bulk_done_moves_items_out_of_the_inbox(window):
    window.table.selectRow(0)
    window.table.selectionModel().select(window.inbox.index(1, 0), window.table.selectionModel().SelectionFlag.Select
                                         | window.table.selectionModel().SelectionFlag.Rows)
    chosen = window.selected_ids()
    assert len(chosen) == 2
    window.done_action.trigger()
    assert not set(chosen) & set(ids_shown(window))
    window.set_filter(InboxFilter(view="done"))
    assert set(chosen) <= set(ids_shown(window))


def test_snooze_hides_until_then_and_pin_shows_in_pinned(window):
    window.table.selectRow(0)
    item_id = window.current_item_id()
    window.snooze_action.trigger()
    assert item_id not in ids_shown(window)
    window.set_filter(InboxFilter(view="snoozed"))
    assert ids_shown(window) == [item_id]
    window.table.selectRow(0)
    window.pin_action.trigger()
    window.set_filter(InboxFilter(view="pinned"))
    assert ids_shown(window) == [item_id]


def test_saving_a_search_adds_a_view(window, monkeypatch, qtbot):
    from PySide6.QtWidgets import QInputDialog

    window.filter_bar.topic.setCurrentIndex(window.filter_bar.topic.findData("parking"))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Parking rows", True))
    qtbot.mouseClick(window.filter_bar.save_button, Qt.MouseButton.LeftButton)  # the button, not only the menu
    saved = rows_where(window, "SELECT value FROM settings WHERE key = 'saved_views'")
    assert json.loads(saved[0]["value"])[0]["filter"]["topic"] == "parking"
    window.set_filter(InboxFilter(view="all"))
    group = next(window.sidebar.topLevelItem(i) for i in range(window.sidebar.topLevelItemCount())
                 if window.sidebar.topLevelItem(i).text(0) == "Saved searches")
    window.sidebar.setCurrentItem(group.child(0))
    assert window.inbox.filter.topic == "parking"


def test_the_dashboard_opens_and_a_chart_click_opens_the_items(window, qtbot):
    window.dashboard_action.trigger()
    dashboard = window.dashboard
    qtbot.waitExposed(dashboard)
    assert all(view.chart().series() for view in dashboard.views.values())
    bars = dashboard.views["sentiment"].chart().series()[0].barSets()
    bars[0].clicked.emit(bars[0].count() - 1)  # the busiest topic's negative bar
    assert window.inbox.filter.sentiment == "negative" and window.inbox.filter.topic
    assert ids_shown(window)
    assert not dashboard.isVisible(), "the inbox it filtered is in front, not behind the dashboard"


def test_the_dashboard_says_what_rises_as_the_ward_report_does(window, qtbot):
    """The rising chart's figures and words are the PDF's: counts of the last 7 days and of the usual week."""
    from networked_councillor.printing.report_data import ward_report_data

    window.dashboard_action.trigger()
    chart = window.dashboard.views["rising"].chart()
    usual, last_week = chart.series()[0].barSets()
    labels = chart.axes(Qt.Orientation.Vertical)[0].categories()
    with window.app.store.read() as db:
        report = ward_report_data(db, clock.today() - timedelta(days=28), clock.today(), today=clock.today())
    assert report.rising, "the demo ward has rising topics"
    shown = {label.split("<br>")[0]: (last_week.at(n), usual.at(n), label) for n, label in enumerate(labels)}
    for topic in report.rising:
        this_week, usual_week, label = shown[topic.topic]
        assert this_week == topic.this_week and usual_week == pytest.approx(topic.usual_week, abs=0.051)  # shown to one decimal
        assert topic.change in label
    lines = window.dashboard.views["per_day"].chart().series()
    assert len({series.color().name() for series in lines}) == len(lines), "no two topics share a colour"
    pie = window.dashboard.views["sources"].chart().series()[0].slices()
    assert len({piece.color().name() for piece in pie}) == len(pie)


def test_settings_open_and_the_ward_saves(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    window.settings_action.trigger()
    dialog = window.settings_dialog
    qtbot.waitExposed(dialog)
    dialog.show_tab("ward")
    dialog.pages["ward"].term_edits["streets"].appendPlainText("Quarry Lane")
    dialog.pages["ward"]._save_ward()
    with window.app.store.read() as db:
        assert "Quarry Lane" in settings_store.load_ward(db).streets
    assert dialog.pages["sources"].sources_model.rowCount() == 12  # the demo's 11, and the emails brought in


def test_the_mapit_key_is_set_under_passwords_and_kept_in_the_keyring(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from networked_councillor.base.secrets import SecretStore
    from networked_councillor.ui.secret_prompt import SecretPrompt

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(SecretPrompt, "ask", classmethod(lambda cls, parent, label: "mapit-key-123"))
    window.settings_action.trigger()
    window.settings_dialog.show_tab("passwords")
    dialog = window.settings_dialog.pages["passwords"]
    labels = [dialog.secret_list.item(row).text() for row in range(dialog.secret_list.count())]
    assert labels[-1] == "MapIt API key (ward set-up)"
    assert any(label.endswith(": App password") for label in labels)  # the demo's Bluesky source
    dialog.secret_list.setCurrentRow(len(labels) - 1)
    dialog._set_secret()
    assert SecretStore("mapit").get("api_key") == "mapit-key-123"
    dialog._forget_secret()
    assert SecretStore("mapit").get("api_key") is None
    assert "mapit-key-123" not in window.app.store.path.read_bytes().decode("latin-1")


def test_a_source_added_in_settings_is_fetched_in_the_background_without_freezing(qtbot, tmp_path, server):
    body = "".join(f"<item><guid>{n}</guid><title>Report {n} on Mill Lane</title><description>Bins missed {n}"
                   f"</description></item>" for n in range(300))
    answer = threading.Event()
    url = server.route("/slow.xml", Reply(f'<rss version="2.0"><channel>{body}</channel></rss>'.encode(),
                                          hold=answer))
    app = App(tmp_path / "data", log_to_file=False)
    add_source(app.store, "Slow feed", url)
    win = MainWindow(app, welcome=False)  # the real threaded runner
    qtbot.addWidget(win)
    win.show()
    ticks = []
    timer = QTimer(interval=20, timeout=lambda: ticks.append(clock.utcnow()))
    timer.start()
    win.fetch_action.trigger()
    assert win.runner.busy("fetch")
    # The feed has not answered, yet the window keeps turning: twenty ticks of its timer go by meanwhile.
    qtbot.waitUntil(lambda: len(ticks) >= 20 and bool(server.hits("/slow.xml")), timeout=60_000)
    assert win.runner.busy("fetch")
    answer.set()
    qtbot.waitUntil(lambda: not win.runner.busy(), timeout=60_000)
    timer.stop()
    assert win.inbox.rowCount() == 300
    assert "300 new items" in win.statusBar().currentMessage()
    close_app(win)


def test_a_failing_source_shows_its_reason_in_the_status_panel(qtbot, tmp_path, server):
    app = App(tmp_path / "data", log_to_file=False)
    add_source(app.store, "Gone", server.route("/gone", Reply(status=404)))
    win = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    qtbot.addWidget(win)
    win.fetch_action.trigger()
    model = win.sources_model
    assert "Nothing was found" in model.index(0, 5).data()
    assert "problem" in win.statusBar().currentMessage()
    close_app(win)


def test_hostile_and_huge_items_render_safely(window):
    loads = []

    class Spy(type(window.detail.body)):
        def loadResource(self, kind, name):  # noqa: N802
            loads.append(name.toString())
            return super().loadResource(kind, name)

    body = Spy()
    hostile = ('<p>Hello <script>alert(1)</script><img src="https://tracker.example/p.gif">'
               '<iframe src="https://evil.example"></iframe><a href="javascript:steal()">x</a>'
               '<img src="file:///etc/passwd"></p>')
    body.show_item(hostile, "Hello")
    document = body.toHtml()
    for bad in ("<script", "tracker.example", "<iframe", "javascript:", "/etc/passwd"):
        assert bad not in document
    assert loads == [] or all(r is None for r in loads)  # and if Qt asks, it gets nothing
    huge = "word " * 220_000  # over 1 MB
    body.show_item("<p>" + huge + "</p>", huge)
    assert "too long to show here" in body.toPlainText()


def test_links_open_only_after_asking_and_only_on_the_web(window, monkeypatch):
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.items.open_link(QUrl("javascript:alert(1)"))
    window.items.open_link(QUrl("file:///etc/passwd"))
    window.items.open_link(QUrl("https://www.ashcombe.example/consultations"))
    assert opened == ["https://www.ashcombe.example/consultations"]


def test_every_item_action_has_a_shortcut_and_a_menu(window):
    menus = [m for m in window.menuBar().findChildren(QMenu)]
    in_menus = {a for m in menus for a in m.actions()}
    for action in [*window.item_actions, window.fetch_action, window.dashboard_action, window.settings_action,
                   window.find_action, *window.view_actions]:
        assert action.shortcut().toString(), action.text()
        assert action in in_menus, action.text()
    for widget in (window.table, window.sidebar, window.detail, window.filter_bar.search):
        assert widget.accessibleName()


def test_layout_is_remembered(qtbot, tmp_path):
    app = App(tmp_path / "data", log_to_file=False)
    first = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    qtbot.addWidget(first)
    first.splitter.setSizes([300, 700, 400])
    first.close()
    second = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    qtbot.addWidget(second)
    assert second.splitter.sizes()[0] == first.splitter.sizes()[0]
    close_app(second)


def test_first_run_offers_the_demo_ward(qtbot, tmp_path, monkeypatch):
    from networked_councillor.ui import dialogs

    monkeypatch.setattr(dialogs.Welcome, "exec", lambda self: dialogs.Welcome.DEMO)
    app = App(tmp_path / "data", log_to_file=False)
    win = MainWindow(app, runner=TaskRunner(inline=True), welcome=True)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.ward.name == "Millbrook", timeout=30_000)
    assert win.inbox.rowCount() > 50
    close_app(win)


def test_mentions_notify_only_when_asked(qtbot, tmp_path, server):
    app = App(tmp_path / "data", log_to_file=False)
    with app.store.write() as db:
        ward = settings_store.load_ward(db)
        ward.name, ward.handles = "Millbrook", ["cllr-jo.bsky.social"]
        settings_store.save_ward(db, ward, clock.now_iso())
    url = server.route("/f", Reply(b'<rss version="2.0"><channel><item><guid>1</guid><description>'
                                   b"@cllr-jo.bsky.social the bins again</description></item></channel></rss>"))
    add_source(app.store, "Feed", url)
    win = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    qtbot.addWidget(win)
    shown = []
    win.notifier.shown.connect(shown.append)
    win.fetch_action.trigger()
    assert shown == []  # quiet by default
    with app.store.write() as db:
        settings_store.set_setting(db, "notify.mentions", True)
        settings_store.set_setting(db, "notify.checked_at", "2000-01-01T00:00:00+00:00")
    assert [a.kind for a in win.notifier.check()] == ["mention"]
    close_app(win)


def test_inbox_model_passes_the_model_tester(qtmodeltester, window):
    model = InboxModel(window.app.store, window.topic_names)
    model.set_filter(InboxFilter(view="all"))
    qtmodeltester.check(model)
    assert model.index(0, 0).data(ItemIdRole) == model.item_id(0)


def test_source_status_model_passes_the_model_tester(qtmodeltester, window):
    qtmodeltester.check(SourceStatusModel(window.app.store))


def test_similar_posts_offers_the_nearest_items(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMenu, "popup", lambda self, *a: shown.append([a.text() for a in self.actions()]))
    window.table.selectRow(0)
    window.similar_action.trigger()
    assert shown and len(shown[0]) == 20 and all("%" in text for text in shown[0])


@pytest.mark.slow
def test_retrain_now_runs_in_the_background_and_retags(window):
    window.table.selectRow(0)
    item_id = window.current_item_id()
    window.items.correct_topic(item_id, "noise")
    window.retrain_action.trigger()
    assert (window.app.data_dir / "models" / "model.json").is_file()
    assert "Retrained on" in window.statusBar().currentMessage()
    assert rows_where(window, "SELECT topic FROM items WHERE id = ?", [item_id])[0]["topic"] == "noise"
