"""Email in the real window: dropped on it, logged as an issue, the resident's reply joining that issue, and the
councillor's answer handed to their mail client."""

from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qs, urlsplit

from mailfiles import resident_email, write
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from networked_councillor.base import clock
from networked_councillor.casework import issues as casework
from networked_councillor.ui import composer as composer_module
from networked_councillor.ui import dialogs
from networked_councillor.ui.bring_in import OUTLOOK_CONTENTS, OUTLOOK_NAMES, outlook_message


def drop(window, paths):
    """What the window receives when files are dragged from a folder or a mail client and let go."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)
    return event


def test_a_dropped_email_becomes_casework_and_the_residents_reply_joins_it(window, tmp_path, monkeypatch):
    first = write(tmp_path, "oak-road.eml", resident_email(
        "oak-1@example.org", html="<p>Dear Cllr Patel,</p><p>Mattresses again. <img src='https://tracker.example/p.gif'>"
                                  "<script>alert(1)</script></p>",
        attachments=(("photo.jpg", b"\xff\xd8\xff\xe0 a photo"),)))
    drop(window, [first])
    item_id = window.current_item_id()
    assert window.sidebar.current_filter().view == "mail" and window.inbox.rowCount() == 4  # and the demo's three
    detail = window.detail
    assert detail.item["kind"] == "email" and "Fly-tipping" in detail.title.text()
    assert "private email from jane.resident@example.org" in detail.restricted.text() and detail.restricted.isVisible()
    assert "photo.jpg" in detail.attachments.text()
    shown = detail.body.toHtml()
    assert "script" not in shown and "tracker.example" not in shown and "Mattresses again" in shown

    monkeypatch.setattr(dialogs.LogIssueDialog, "exec", lambda self: True)
    window.issue_action.trigger()
    with window.app.store.read() as db:
        issue = casework.get_issue(db, max(r["id"] for r in casework.list_issues(db, today=clock.today())))
    assert [i["id"] for i in issue["items"]] == [item_id]

    reply = write(tmp_path, "re-oak-road.eml", resident_email("oak-2@example.org", in_reply_to="oak-1@example.org",
                                                              body="Still there this morning.", hours_ago=1))
    drop(window, [reply])
    with window.app.store.read() as db:
        joined = casework.get_issue(db, issue["id"])
    assert len(joined["items"]) == 2 and issue["reference"] in window.detail.casework.text()
    assert window.statusBar().currentMessage() == "Emails: 1 brought in."


def test_the_main_inbox_never_shows_an_email(window, tmp_path):
    before = window.inbox.rowCount()
    drop(window, [write(tmp_path, "a.eml", resident_email("a@example.org"))])
    window.set_filter(window.filter_bar.apply_to(window.sidebar.current_filter()).with_(view="inbox"))
    assert window.inbox.rowCount() == before


def test_files_that_are_not_emails_are_named_and_the_window_carries_on(window, tmp_path, monkeypatch):
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: said.append(text))
    drop(window, [write(tmp_path, "broken.eml", b"\x00\x01\x02"), write(tmp_path, "ok.eml", resident_email("ok@x.org"))])
    assert said and "broken.eml does not look like an email" in said[0]
    assert window.inbox.rowCount() == 4 and "1 brought in, 1 could not be read" in window.statusBar().currentMessage()


def test_a_reply_to_an_email_opens_in_the_mail_client_after_the_checks(window, tmp_path, monkeypatch):
    drop(window, [write(tmp_path, "a.eml", resident_email("a-1@example.org"))])
    window.reply_action.trigger()
    composer = window.composers[window.current_item_id()]
    assert "personal-data checks for public posts" in composer.private_note.text()
    composer.editor.setPlainText("Thank you, Jane. I have reported it; call me on 07700 900123 if it is not cleared.")
    composer.recheck()
    codes = {f.code for f in composer.findings}
    assert "phone_number" not in codes and composer.blockers() == []  # their own councillor's number, in private
    opened = []
    monkeypatch.setattr(composer_module, "open_address", lambda url: opened.append(url) or None)
    composer.copy_button.click()  # "Open in my mail client", as the councillor presses it
    address = urlsplit(opened[0].toString(QUrl.ComponentFormattingOption.FullyEncoded))
    query = parse_qs(address.query)
    assert address.scheme == "mailto" and address.path == "jane.resident@example.org"
    assert query["subject"] == ["Re: Fly-tipping behind the Oak Road garages"]
    assert "07700 900123" in query["body"][0]

    target = tmp_path / "reply.eml"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    composer.draft_button.click()
    draft = BytesParser(policy=policy.default).parsebytes(target.read_bytes())
    assert draft["In-Reply-To"] == "<a-1@example.org>" and draft["X-Unsent"] == "1"
    assert draft["To"] == "jane.resident@example.org" and "07700 900123" in draft.get_content()


def test_a_message_dragged_from_classic_outlook_is_read_from_its_virtual_file():
    mime = QMimeData()
    name = "Fly-tipping.msg".encode("utf-16-le")
    descriptor = (1).to_bytes(4, "little") + bytes(72) + name + bytes(520 - len(name))
    mime.setData(OUTLOOK_NAMES, descriptor)
    mime.setData(OUTLOOK_CONTENTS, b"\xd0\xcf\x11\xe0 the message's bytes")
    saved = outlook_message(mime)
    assert saved.name == "Fly-tipping.msg" and saved.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
