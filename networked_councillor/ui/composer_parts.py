"""The composer's panes: the post being answered, the reply editor with its checks, and the ways out."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.replies.email_reply import PRIVATE_EMAIL_NOTE
from networked_councillor.ui.widgets.detail import SafeTextBrowser, thread_html
from networked_councillor.ui.widgets.text_box import text_box

log = logging.getLogger(__name__)

AUTOSAVE_MS = 3000
MODEL_PAUSE_MS = 700
SEVERITY_WORDS = {"block": "Must fix", "warn": "Check", "info": "Tip"}

PostReply = Callable[[int, list[str], Callable[[], None], Callable[[Exception], None]], None]
"""(item id, parts, on_posted, on_failed): posts in the background and calls back."""




def post_pane(c) -> QWidget:
    pane = QWidget()
    layout = QVBoxLayout(pane)
    title = QLabel(f"<b>{html.escape(c._who())}</b> on {html.escape(c.item.get('source_name') or '')}")
    body = SafeTextBrowser()
    body.setAccessibleName("The post you are replying to")
    body.show_item(c.item.get("html"), c.item.get("text"))
    layout.addWidget(title)
    layout.addWidget(body, 2)
    thread = c.item.get("thread") or []
    if len(thread) > 1:
        conversation = SafeTextBrowser()
        conversation.setAccessibleName("The conversation")
        conversation.setHtml(thread_html(thread, c.item["id"]))
        layout.addWidget(QLabel(f"Conversation ({len(thread)} posts)"))
        layout.addWidget(conversation, 3)
    return pane


def editor_pane(c, suggestion) -> QWidget:
    pane = QWidget()
    layout = QVBoxLayout(pane)
    tools = QHBoxLayout()
    c.suggest_button = QPushButton("Suggest a draft", clicked=c.use_suggestion)
    c.suggest_button.setToolTip("Acknowledge, inform, invite: from your template for this topic")
    c.suggest_button.setEnabled(suggestion is not None)
    c.suggestion = suggestion
    c.snippet_box = QComboBox()
    c.snippet_box.setAccessibleName("Insert a saved reply")
    c.snippet_box.addItem("Insert a saved reply…", None)
    for snippet in c.snippets:
        c.snippet_box.addItem(snippet["name"], snippet["id"])
    c.snippet_box.setEnabled(bool(c.snippets))
    c.snippet_box.setToolTip("Saved replies are kept in Settings > Replies" if c.snippets else
                                "Add saved replies in Settings > Replies")
    c.snippet_box.activated.connect(c._insert_snippet)
    tools.addWidget(c.suggest_button)
    tools.addWidget(c.snippet_box, 1)
    layout.addLayout(tools)

    c.origin = QLabel()
    c.origin.setWordWrap(True)
    if suggestion is not None:
        source = "your own template" if suggestion.source == "custom" else "the standard template"
        c.origin.setText(f"Suggested from {source}: acknowledge, inform, invite. Make it your own."
                            + (f" Fill in: {', '.join(suggestion.missing)}." if suggestion.missing else ""))
    layout.addWidget(c.origin)
    if c.private:
        c.private_note = QLabel(PRIVATE_EMAIL_NOTE, wordWrap=True)
        c.private_note.setAccessibleName("Which checks apply to a private email")
        layout.addWidget(c.private_note)

    c.editor = text_box()
    c.editor.setAccessibleName("Your reply")
    c.editor.setPlaceholderText("Thank them, say what you know or will do, and invite them to keep talking.")
    layout.addWidget(c.editor, 3)
    c.counter = QLabel()
    c.counter.setAccessibleName("Length")
    layout.addWidget(c.counter)

    checks = QGroupBox("Checks")
    checks_layout = QVBoxLayout(checks)
    c.finding_list = QListWidget()
    c.finding_list.setAccessibleName("What the checks found")
    c.finding_list.setWordWrap(True)
    c.finding_list.currentRowChanged.connect(c._select_finding)
    c.fix_button = QPushButton("Fix it", clicked=c.fix_selected)
    c.fix_button.setEnabled(False)
    checks_layout.addWidget(c.finding_list)
    checks_layout.addWidget(c.fix_button, alignment=Qt.AlignmentFlag.AlignRight)
    layout.addWidget(checks, 2)

    c.thread_preview = QListWidget()
    c.thread_preview.setAccessibleName("The thread as it will be posted")
    c.thread_preview.setWordWrap(True)
    c.thread_preview.hide()
    layout.addWidget(c.thread_preview, 2)

    similar = suggestion.similar if suggestion is not None else []
    c.similar_list = QListWidget()
    c.similar_list.setAccessibleName("Your past replies to similar posts")
    c.similar_list.setWordWrap(True)
    for reply in similar:
        entry = QListWidgetItem(f"{reply.similarity:.0%} alike: {reply.text}")
        entry.setData(Qt.ItemDataRole.UserRole, reply.text)
        c.similar_list.addItem(entry)
    c.similar_list.itemActivated.connect(lambda entry: c.editor.setPlainText(
        entry.data(Qt.ItemDataRole.UserRole)))
    if similar:
        box = QGroupBox("Your replies to similar posts (double-click to use one)")
        QVBoxLayout(box).addWidget(c.similar_list)
        layout.addWidget(box, 1)
    return pane


def buttons_row(c) -> QHBoxLayout:
    row = QHBoxLayout()
    c.discard_button = QPushButton("Discard draft…", clicked=c.discard)
    c.discard_button.setToolTip("Clear the reply and forget the saved draft (asks first)")
    row.addWidget(c.discard_button)  # far from Post, and it asks first
    row.addStretch(1)
    c.replied_button = QPushButton("Mark as replied", clicked=c.mark_replied)
    c.replied_button.setToolTip("When you have posted your reply on the site itself")
    c.copy_only_button = QPushButton("Copy reply", clicked=c.copy_reply)
    c.copy_only_button.setToolTip("Copy the reply, to paste it wherever you answer this post")
    if c.private:  # a resident's email: answered from the councillor's own mail client
        c.copy_button = QPushButton("Open in my mail client", clicked=c.open_in_mail_client)
        c.copy_button.setToolTip("A new message to the resident with your reply in it, ready to send")
        c.draft_button = QPushButton("Save as a draft email…", clicked=c.save_draft_email)
        c.draft_button.setToolTip("An .eml file your mail client opens ready to send (for long replies)")
        extra = [c.draft_button]
    else:
        c.copy_button = QPushButton("Copy and open the post", clicked=c.copy_and_open)
        c.copy_button.setEnabled(bool(c.item.get("url")))
        extra = []
    for button in (c.replied_button, c.copy_only_button, c.copy_button, *extra):
        row.addWidget(button)
    c.post_button = None
    if c._post is not None:
        c.post_button = QPushButton(f"Post on {c.where}…", clicked=c.post)
        c.post_button.setAccessibleName(f"Post the reply on {c.where}")
        c.post_button.setDefault(True)
        row.addWidget(c.post_button)
    close = QPushButton("Close", clicked=c.reject)
    row.addWidget(close)
    return row
