"""From the desktop app, a signed-in councillor replies to a Bluesky item and sees it marked replied."""

import pytest

from helpers import close_app
from test_bluesky import ME, PASSWORD, post
from networked_councillor.app import App
from networked_councillor.core import clock
from networked_councillor.core.secrets import SecretStore
from networked_councillor.demo.bluesky import LocalBluesky
from networked_councillor.store import settings as settings_store
from networked_councillor.store import sources as source_store
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.ui import dialogs
from networked_councillor.ui.main_window import MainWindow
from networked_councillor.ui.tasks import TaskRunner


@pytest.fixture
def setup(qtbot, tmp_path, memory_keyring):
    root = post(1, "Huge pothole on Oak Road again #Millbrook", minutes_ago=30)
    server = LocalBluesky([root, post(2, "Same here, nearly lost a wheel", minutes_ago=20, reply_to=root)],
                          accounts={ME: PASSWORD})
    server.start()
    app = App(tmp_path / "data", log_to_file=False)
    with app.store.write() as db:
        ward = settings_store.load_ward(db)
        ward.name, ward.streets, ward.hashtags = "Millbrook", ["Oak Road"], ["#Millbrook"]
        settings_store.save_ward(db, ward, clock.now_iso())
        source_id = source_store.add(db, "bluesky", "Bluesky", {"handle": ME, "service": server.url,
                                                                "first_days": 30}, clock.now_iso())
    SecretStore(source_id).set("app_password", PASSWORD)
    window = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    qtbot.addWidget(window)
    window.fetch_action.trigger()
    window.set_filter(InboxFilter(view="all"))
    yield window, server
    close_app(window)
    server.close()


def test_reply_from_the_app_posts_in_the_thread_and_marks_the_item_replied(setup, monkeypatch):
    window, server = setup
    rows = [window.inbox.item_id(r) for r in range(window.inbox.rowCount())]
    assert rows
    window.show_item(rows[0])
    item = window.detail.item
    assert item["plugin"] == "bluesky"

    def write_and_post(dialog):
        dialog.text.setPlainText("Thanks for flagging this, I've reported it to the council #Millbrook")
        dialog._post()
        return True

    monkeypatch.setattr(dialogs.ReplyDialog, "exec", write_and_post)
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    window.reply_action.trigger()
    assert asked, "posting always asks first"
    (created,) = server.created
    assert created["record"]["reply"]["parent"]["uri"] == item["external_id"]
    window.show_item(item["id"])
    assert window.detail.item["state"] == "replied"
    assert "Reply posted on Bluesky" in window.statusBar().currentMessage()


def test_a_refused_reply_keeps_the_text(setup, monkeypatch):
    window, server = setup
    window.show_item(window.inbox.item_id(0))
    server.deleted.add(window.detail.item["external_id"])
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    window.post_reply(window.detail.item["id"], "Thanks, on it", "Bluesky")
    assert QGuiApplication.clipboard().text() == "Thanks, on it"
    assert window.detail.item["state"] != "replied"


def test_load_the_whole_conversation(setup):
    window, server = setup
    target = next(window.inbox.item_id(r) for r in range(window.inbox.rowCount()))
    window.show_item(target)
    assert window.detail.conversation_button.isVisibleTo(window.detail)
    window.detail.conversation_button.click()
    window.show_item(target)
    assert len(window.detail.item["thread"]) == 2
