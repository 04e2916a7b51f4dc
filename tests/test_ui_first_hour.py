"""What a councillor met in the first hour, through the real window: failing sources that stay marked, an empty
inbox that says what to do, setting the ward up offline, the demo's threshold at once, posting in the demo ward,
links that open only on the web, and the shortcuts and icons."""

import html
import re

from helpers import add_source, close_app, demo_item_id, open_composer_on_a_feed_item
from localserver import Reply
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from networked_councillor.app import App
from networked_councillor.base.changes import Changes
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.ui.main_window import MainWindow
from networked_councillor.ui.tasks import TaskRunner

FEED = (b'<rss version="2.0"><channel><item><guid>1</guid><title>Pothole on Oak Road</title>'
        b"<description>Deep one on Oak Road.</description></item></channel></rss>")


def open_window(qtbot, tmp_path, **kwargs):
    app = App(tmp_path / "data", log_to_file=False)
    window = MainWindow(app, runner=TaskRunner(inline=True), welcome=False, **kwargs)
    qtbot.addWidget(window)
    window.show()
    return window


def sidebar_leaf(window, text):
    sidebar = window.sidebar
    for i in range(sidebar.topLevelItemCount()):
        group = sidebar.topLevelItem(i)
        for j in range(group.childCount()):
            if text in group.child(j).text(0):
                return group, group.child(j)
    raise AssertionError(f"no sidebar entry {text!r}")


def test_a_failing_source_stays_marked_with_its_reason_until_it_next_succeeds(qtbot, tmp_path, server):
    window = open_window(qtbot, tmp_path)
    url = server.route("/feed", Reply(status=404), Reply(status=404), Reply(FEED))
    add_source(window.app.store, "Gazette", url)
    window.app.announce(Changes(sources=True))
    window.fetch_action.trigger()
    group, leaf = sidebar_leaf(window, "Gazette")
    assert leaf.text(0).startswith("⚠") and "Nothing was found" in leaf.toolTip(0)
    assert group.text(0) == "Sources (1 with a problem)"
    assert leaf.data(0, Qt.ItemDataRole.AccessibleDescriptionRole).startswith("Nothing was found")
    assert window.problem_button.isVisible() and "1 source(s) with a problem" in window.problem_button.text()
    status = window.sources_model.index(0, 5).data()
    assert status.startswith("Problem: Nothing was found at ") and status.endswith("source's settings."), "in full"
    window.statusBar().clearMessage()  # the passing message is gone; the marks are not
    window.app.announce(Changes(inbox=True))
    assert sidebar_leaf(window, "Gazette")[1].text(0).startswith("⚠")
    window.fetch_action.trigger()
    window.fetch_action.trigger()  # the third answer works
    assert sidebar_leaf(window, "Gazette")[1].text(0) == "Gazette" and not window.problem_button.isVisible()
    assert window.sources_model.index(0, 4).data() == "1 new of 1"
    close_app(window)


def test_an_unchanged_feed_says_nothing_new_rather_than_0_of_0(qtbot, tmp_path, server):
    window = open_window(qtbot, tmp_path)
    add_source(window.app.store, "Gazette", server.route("/feed", Reply(FEED, etag='"v1"')))
    window.fetch_action.trigger()
    window.fetch_action.trigger()  # 304 Not Modified
    assert window.sources_model.index(0, 4).data() == "Nothing new"
    close_app(window)


def test_an_empty_inbox_says_what_to_do_next(qtbot, tmp_path, server):
    window = open_window(qtbot, tmp_path)
    assert window.inbox_stack.currentWidget() is window.empty
    assert "does not know your ward" in window.empty.message.text()
    visible = {key for key, button in window.empty.buttons.items() if not button.isHidden()}
    assert visible == {"ward", "demo"}
    add_source(window.app.store, "Gazette", server.route("/feed", Reply(FEED)))
    window.app.announce(Changes(sources=True))
    assert "not been fetched" in window.empty.message.text()
    window.empty.buttons["fetch"].click()
    assert window.inbox_stack.currentWidget() is window.table, "the fetched item shows (no ward: no threshold)"
    window.set_filter(InboxFilter(view="inbox", query="nothing like this anywhere"))
    assert "Nothing here matches" in window.empty.message.text()
    window.empty.buttons["clear"].click()
    assert window.inbox_stack.currentWidget() is window.table
    close_app(window)


def test_offline_the_ward_is_typed_in_by_hand(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    with window.app.store.write() as db:  # nothing listens there: as if the laptop were offline
        from networked_councillor.store import settings as settings_store

        settings_store.set_setting(db, "services.postcodes_io", "http://127.0.0.1:9")
    window.ward_action.trigger()
    dialog = window.ward_dialog
    dialog.postcode.setText("CB1 1AA")
    dialog.look_up.click()
    assert "Could not connect" in dialog.result.text() and "type your ward in below" in dialog.result.text()
    assert dialog.by_hand.isChecked() and not dialog.use.isEnabled()
    dialog.hand["name"].setText("Petersfield")
    dialog.hand["council"].setText("Cambridge City Council")
    dialog.hand["streets"].setText("Mill Road, Covent Garden")
    dialog.hand["postcodes"].setText("CB1 2")
    assert dialog.use.isEnabled()
    dialog.use.click()
    assert window.ward.name == "Petersfield" and window.ward.streets == ["Mill Road", "Covent Garden"]
    assert window.ward.postcodes == ["CB1 2"] and "Petersfield ward" in window.windowTitle()
    close_app(window)


def test_after_opening_the_demo_ward_the_inbox_hides_what_is_not_about_it_at_once(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path)
    window.demo_action.trigger()
    threshold = window.ward.effective_threshold
    assert threshold > 0 and window.inbox.filter.min_relevance == threshold
    with window.app.store.read() as db:
        shown = [window.inbox.item_id(r) for r in range(window.inbox.rowCount())]
        lowest = db.execute(f"SELECT min(relevance) FROM items WHERE id IN ({','.join('?' * len(shown))})",
                            shown).fetchone()[0]
    assert lowest >= threshold, "no 0% items until a restart"
    close_app(window)


def test_in_the_demo_ward_a_bluesky_reply_posts_to_the_demos_own_service(window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.set_filter(InboxFilter(view="all"))
    item_id = demo_item_id(window.app.store, "bsky-002")
    window.show_item(item_id)
    window.reply_action.trigger()
    composer = window.composers[item_id]
    assert composer.post_button.isEnabled() and not composer.cannot_post, "no set-up needed"
    composer.editor.setPlainText("Thanks Rich, that count is useful. I've asked highways about signage.")
    composer.post_button.click()
    assert "the demo's own Bluesky on this computer" in window.statusBar().currentMessage()
    (created,) = window.app.demo_bluesky.created
    assert created["record"]["text"].startswith("Thanks Rich")


def test_a_bluesky_source_with_no_account_says_so_before_anyone_writes(qtbot, tmp_path):
    from test_bluesky import post

    from networked_councillor.base import clock
    from networked_councillor.demo.bluesky import LocalBluesky
    from networked_councillor.store import sources as source_store

    server = LocalBluesky([post(1, "Huge pothole on Oak Road again #Millbrook", minutes_ago=30)],
                          require_auth=False)
    server.start()
    try:
        window = open_window(qtbot, tmp_path)
        with window.app.store.write() as db:
            source_store.add(db, "bluesky", "Bluesky", {"service": server.url, "accounts": ["resident.bsky.social"],
                                                        "search_ward": False}, clock.now_iso())
        window.fetch_action.trigger()
        window.set_filter(InboxFilter(view="all"))
        window.table.selectRow(0)
        window.reply_action.trigger()
        composer = window.composers[window.detail.item["id"]]
        composer.editor.setPlainText("Thanks, I'll chase it.")
        assert not composer.post_button.isEnabled()
        assert "add your Bluesky handle and an app password" in composer.status.text()
        close_app(window)
    finally:
        server.close()


def test_links_from_feeds_open_only_if_they_are_web_or_mail_addresses(window, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    window.set_filter(InboxFilter(view="all"))
    window.table.selectRow(0)
    for address in ("file:///C:/Windows/System32/calc.exe", "smb://server/share", "javascript:alert(1)"):
        window.detail.item["url"] = address
        window.items.open_in_browser()
        assert "opens only web and email addresses" in window.statusBar().currentMessage()
    window.detail.item["url"] = "https://www.ashcombe.example/news/1"
    window.items.open_in_browser()
    assert opened == ["https://www.ashcombe.example/news/1"]


def test_when_no_browser_opens_the_composer_says_so_and_the_address_is_copied(window, monkeypatch):
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    window.set_filter(InboxFilter(view="all"))
    composer = open_composer_on_a_feed_item(window)
    composer.editor.setPlainText("Thanks, I've reported it.")
    composer.copy_button.click()
    assert "No web browser could be opened" in composer.status.text()
    assert QGuiApplication.clipboard().text() == composer.item["url"]


def test_the_shortcuts_read_in_columns_and_say_each_action_once(window, monkeypatch):
    from networked_councillor.ui.dialogs import ShortcutsDialog

    shown = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(self) or 0)
    window.show_shortcuts()
    table = shown[0].table
    assert table.columnCount() == 3
    names = [table.item(row, 1).text() for row in range(table.rowCount())]
    assert len(names) == len(set(names)), "no action listed twice"
    assert "Needs reply" in names and "Mark as needing a reply" in names


def test_each_source_has_an_icon_of_its_own(window):
    from networked_councillor.store import sources as source_store
    from networked_councillor.ui.icons import source_icon

    with window.app.store.read() as db:
        rows = source_store.all_sources(db)
    images = {source_icon(r.plugin, r.name, r.config.get("kind") or "").pixmap(16).toImage().constBits().tobytes()
              for r in rows}
    assert len(images) >= len(rows) - 2, "a few may share a letter and a colour; most are told apart"


def test_a_street_report_is_from_a_resident_and_its_title_carries_no_date(window):
    window.set_filter(InboxFilter(view="all"))
    model = window.inbox
    row = next(r for r in range(model.rowCount())
               if model.index(r, 0).data(Qt.ItemDataRole.AccessibleTextRole).startswith("FixMyStreet"))
    assert model.index(row, 1).data() == "A resident's report"
    window.show_item(model.item_id(row))
    assert html.unescape(window.detail.meta.text()).startswith("A resident's report")
    assert not re.search(r", \d{1,2}:\d{2}, \w{3} \d", window.detail.item["title"]), window.detail.item["title"]
