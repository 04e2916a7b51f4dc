"""From the desktop app, a signed-in councillor replies to a Bluesky item and sees it marked replied."""

import pytest
from helpers import add_signed_in_source, close_app
from test_bluesky import ME, PASSWORD, post

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.demo.bluesky import LocalBluesky
from networked_councillor.store import settings as settings_store
from networked_councillor.store.inbox import InboxFilter
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
    add_signed_in_source(app.store, "bluesky", "Bluesky", {"handle": ME, "service": server.url, "first_days": 30},
                         {"app_password": PASSWORD})
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
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    window.reply_action.trigger()
    composer = window.composers[item["id"]]
    composer.editor.setPlainText("Thanks for flagging this, I've reported it to the council #Millbrook")
    resets = []
    window.inbox.modelReset.connect(lambda: resets.append(1))
    composer.post_button.click()
    assert asked, "posting always asks first"
    assert len(resets) == 1, "a posted reply refreshes the inbox once"
    (created,) = server.created
    assert created["record"]["reply"]["parent"]["uri"] == item["external_id"]
    assert not composer.isVisible() and item["id"] not in window.composers
    window.show_item(item["id"])
    assert window.detail.item["state"] == "replied"
    assert "Reply posted" in window.statusBar().currentMessage()


def test_a_refused_reply_keeps_the_text(setup, monkeypatch):
    window, server = setup
    window.show_item(window.inbox.item_id(0))
    item = window.detail.item
    server.deleted.add(item["external_id"])
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a))
    window.reply_action.trigger()
    composer = window.composers[item["id"]]
    composer.editor.setPlainText("Thanks, on it")
    composer.post_button.click()
    assert composer.isVisible() and composer.editor.toPlainText() == "Thanks, on it"
    assert "Not posted" in composer.status.text() and "deleted" in composer.status.text()
    window.show_item(item["id"])
    assert window.detail.item["state"] != "replied"


def test_from_a_post_to_an_exported_issue(setup, monkeypatch, tmp_path):
    """The whole loop: draft a reply, see a check fail and fix it, post it on Bluesky, log an issue, export it."""
    import csv

    from PySide6.QtWidgets import QMessageBox

    from networked_councillor.ui.casework_export import ExportDialog
    from networked_councillor.ui.dialogs import LogIssueDialog

    window, server = setup
    window.show_item(window.inbox.item_id(0))
    item = window.detail.item
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.reply_action.trigger()
    composer = window.composers[item["id"]]
    composer.editor.setPlainText("Thanks for flagging the pothole. Ring me on 07700 900123 and I'll chase it.")
    blocker = next(f for f in composer.findings if f.severity == "block")
    assert not composer.post_button.isEnabled(), "a phone number in a public reply stops posting"
    composer.finding_list.setCurrentRow(composer.findings.index(blocker))
    if composer.fix_button.isEnabled():
        composer.fix_button.click()
    else:
        composer.editor.setPlainText("Thanks for flagging the pothole. Message me privately and I'll chase it.")
    assert "07700 900123" not in composer.editor.toPlainText()
    assert composer.post_button.isEnabled()
    composer.post_button.click()
    (created,) = server.created
    assert "07700" not in created["record"]["text"] and "chase it" in created["record"]["text"]

    monkeypatch.setattr(LogIssueDialog, "exec", lambda self: 1)
    window.issue_action.trigger()
    window.open_casework()
    casework = window.casework_window
    assert casework.model.rowCount() == 1
    target = tmp_path / "issues.csv"
    monkeypatch.setattr(ExportDialog, "exec", lambda self: self.file.path.setText(str(target)) or 1)
    casework.export_button.click()
    with target.open(encoding="utf-8-sig", newline="") as f:
        (row,) = csv.DictReader(f)
    assert "Oak Road" in row["title"] + row["description"] + row["address"]
    assert item["url"] in row["linked_posts"]
