"""The reply composer in the real window: a suggested draft, live checks with fixes, a thread split, saved replies,
settings that change the checks, and drafts that survive closing the window and killing the app."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest
from helpers import demo_item_id, open_composer_on_a_feed_item
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.replies import drafts
from networked_councillor.replies.snippets import add_snippet
from networked_councillor.store.inbox import InboxFilter


def open_composer(window, post="bsky-002"):
    """The composer on one demo post: Rich Dawson's Bluesky post about Mill Lane."""
    window.set_filter(InboxFilter(view="all"))
    window.show_item(demo_item_id(window.app.store, post))
    window.reply_action.trigger()
    return window.composers[window.detail.item["id"]]


def codes(composer):
    return {f.code for f in composer.findings}


def test_the_composer_shows_the_post_and_suggests_a_draft_addressed_to_the_resident(window):
    composer = open_composer(window)
    assert composer.focusWidget() is composer.editor, "typing starts in the reply, not lost elsewhere"
    assert composer.editor.textCursor().atEnd()
    item = window.detail.item
    name = (item["author_name"] or "").split()[0]
    text = composer.editor.toPlainText()
    assert text.startswith(f"Hello {name}") or text.startswith(f"Hi {name}")
    assert "Mill Lane" in text, "the street the post mentions is in the draft"
    assert "Suggested from" in composer.origin.text()
    assert composer.findings == [] or all(f.severity != "block" for f in composer.findings)


def test_a_phone_number_blocks_every_way_out_until_it_is_removed(window, monkeypatch):
    opened, asked = [], []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", lambda url: opened.append(url) or True)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    QGuiApplication.clipboard().setText("what was there before")
    composer = open_composer(window)
    composer.editor.setPlainText("Thanks Sam, ring me on 07700 900123 and we can sort it.")
    assert "phone_number" in codes(composer) or any("phone" in f.message for f in composer.findings)
    blocker = next(f for f in composer.findings if f.severity == "block")
    assert "Must fix" in composer.finding_list.item(0).text()
    assert composer.editor.extraSelections(), "the number is underlined"
    assert "to fix before this reply can leave the app" in composer.status.text()
    assert blocker.message in composer.status.text(), "the reason is shown, not just a count"
    start, end = blocker.span
    assert "07700 900123" in composer.editor.toPlainText()[start:end]
    buttons = (composer.post_button, composer.copy_only_button, composer.copy_button, composer.replied_button)
    assert not any(button.isEnabled() for button in buttons)
    for way_out in (composer.post, composer.copy_reply, composer.copy_and_open, composer.mark_replied):
        way_out()  # as a shortcut or a stale click would
        assert "fix what is marked “Must fix” first" in composer.status.text()
    assert QGuiApplication.clipboard().text() == "what was there before" and opened == [] and asked == []
    assert composer.isVisible()
    with window.app.store.read() as db:
        assert drafts.posted_replies(db, composer.item["id"]) == []
    composer.editor.setPlainText("Thanks Sam, drop me a private message and we can sort it.")
    assert not [f for f in composer.findings if f.severity == "block"]
    assert composer.status.text() == "" and all(button.isEnabled() for button in buttons)


def test_too_long_for_bluesky_can_be_posted_as_a_thread(window):
    composer = open_composer(window)
    composer.platform = "bluesky"
    composer.editor.setPlainText(" ".join(["The diversion signs on Mill Lane are going up this week."] * 8))
    assert "too_long" in codes(composer)
    composer.finding_list.setCurrentRow([f.code for f in composer.findings].index("too_long"))
    assert composer.fix_button.isEnabled()
    composer.fix_button.click()
    assert "too_long" not in codes(composer)
    parts = composer.parts()
    assert len(parts) == 2 and parts[0].endswith("(1/2)") and parts[1].endswith("(2/2)")
    assert composer.thread_preview.count() == 2 and not composer.thread_preview.isHidden()


def test_a_saved_reply_is_inserted_with_its_placeholders_filled(window):
    with window.app.store.write() as db:
        add_snippet(db, "Reported", "I've reported this on {street} to the council, {name}.", clock.now_iso())
    composer = open_composer(window)
    composer.editor.clear()
    index = composer.snippet_box.findText("Reported")
    composer.snippet_box.setCurrentIndex(index)
    composer.snippet_box.activated.emit(index)
    name = (window.detail.item["author_name"] or "").split()[0]
    assert composer.editor.toPlainText() == f"I've reported this on Mill Lane to the council, {name}."


def test_settings_for_replies_change_the_checks_and_the_suggested_draft(window, monkeypatch):
    window.open_settings("replies")
    page = window.settings_dialog.replies
    page.signature.setText("Cllr Jo Whitfield, 01234 567890")
    page.blocked.setPlainText("shambles\nincompetent")
    page.pre_election.setChecked(True)
    page.period_start.setDate(page.period_start.date().addDays(-3))
    page.save_checks()
    page.template_topic.setCurrentIndex(page.template_topic.findData(window.detail.item["topic"]
                                                                     if window.detail.item else "general"))
    window.settings_dialog.close()

    composer = open_composer(window)
    topic = window.detail.item["topic"]
    window.open_settings("replies")
    page = window.settings_dialog.replies
    page.template_topic.setCurrentIndex(page.template_topic.findData(topic))
    page.template_parts["acknowledge"].setPlainText("Hello {name}, thank you for writing about {street}.")
    page.template_parts["inform"].setPlainText("I am looking into it.")
    page.template_parts["invite"].setPlainText("Message me any time. {councillor}")
    page.save_template()
    assert page.template_state.text() == "Your own template"
    window.settings_dialog.close()
    composer.reject()

    composer = open_composer(window)
    text = composer.editor.toPlainText()
    assert "thank you for writing about Mill Lane" in text and text.endswith("Cllr Jo Whitfield, 01234 567890")
    assert not [f for f in composer.findings if f.severity == "block"], "the councillor's own number is fine"
    composer.editor.setPlainText("What a shambles. Vote for me on Thursday and I'll sort it.")
    found = codes(composer)
    assert "blocked_word" in found or any("shambles" in f.message for f in composer.findings)
    assert any(f.code.startswith("campaign") or "election" in f.message.lower() for f in composer.findings)

    window.open_settings("replies")
    window.settings_dialog.replies.reset_template()
    assert window.settings_dialog.replies.template_state.text() == "Standard template"


def test_a_draft_is_kept_when_the_window_closes_and_restored_when_it_opens(window, monkeypatch):
    composer = open_composer(window)
    item_id = window.detail.item["id"]
    composer.editor.setPlainText("Half-written thought about the lorries")
    composer.reject()
    assert item_id not in window.composers
    with window.app.store.read() as db:
        assert drafts.open_draft(db, item_id)["text"] == "Half-written thought about the lorries"
    composer = open_composer(window)
    assert composer.editor.toPlainText() == "Half-written thought about the lorries"
    assert "restored" in composer.origin.text()
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    composer.discard_button.click()  # it asks first, and No keeps the draft
    assert composer.editor.toPlainText() == "Half-written thought about the lorries"
    composer.discard_button.click()
    assert answers == [] and composer.editor.toPlainText() == ""
    with window.app.store.read() as db:
        assert drafts.open_draft(db, item_id) is None


def test_copy_and_mark_replied_where_the_app_cannot_post(window, monkeypatch):
    opened = []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", lambda url: opened.append(url) or True)
    composer = open_composer_on_a_feed_item(window)
    item_id = composer.item["id"]
    assert composer.post_button is None, "feeds take no replies from the app"
    composer.editor.setPlainText("Thanks, I've reported it.")
    composer.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == "Thanks, I've reported it." and opened
    composer.replied_button.click()
    window.show_item(item_id)
    assert window.detail.item["state"] == "replied"
    with window.app.store.read() as db:
        (posted,) = drafts.posted_replies(db, item_id)
    assert posted["text"] == "Thanks, I've reported it."


CHILD = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from networked_councillor.app import App
    from networked_councillor.replies import drafts
    from networked_councillor.store import inbox
    from networked_councillor.ui.composer import Composer

    qt = QApplication([])
    app = App(sys.argv[1], log_to_file=False)
    with app.store.read() as db:
        item = inbox.detail(db, int(sys.argv[2]))
    composer = Composer(None, app, item, where="the forum", autosave_ms=200)
    composer.show()
    composer.editor.setPlainText("Draft typed just before the laptop died")

    def saved():  # the autosave has committed it: from here on only the file holds it
        with app.store.read() as db:
            if drafts.open_draft(db, item["id"]):
                print("saved", flush=True)
                poll.stop()

    poll = QTimer(interval=50, timeout=saved)
    poll.start()
    qt.exec()
""")


@pytest.mark.platform
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_draft_survives_the_app_being_killed(demo_folder, tmp_path, qtbot):
    data = tmp_path / "data"
    shutil.copytree(demo_folder, data)
    with App(data, log_to_file=False) as app, app.store.read() as db:
        item_id = db.execute("SELECT id FROM items ORDER BY id LIMIT 1").fetchone()[0]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data), str(item_id)], stdout=subprocess.PIPE,
                             env=env, text=True)
    try:
        assert child.stdout.readline().strip() == "saved"
        child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL  # SIGKILL cannot be ignored: no timeout needed
    finally:
        if child.poll() is None:
            child.kill()
    with App(data, log_to_file=False) as app, app.store.read() as db:
        assert drafts.open_draft(db, item_id)["text"] == "Draft typed just before the laptop died"


def test_posting_asks_and_can_be_declined(window, monkeypatch):
    posted = []
    composer = open_composer(window)
    assert composer.post_button is not None, "the demo's Bluesky posts can be replied to"
    composer._post = lambda *args: posted.append(args)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    composer.post_button.click()
    assert posted == [] and composer.isVisible()
