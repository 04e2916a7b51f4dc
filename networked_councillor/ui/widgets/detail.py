"""The item detail pane: the post (safely), why it is here, its tags, its conversation."""

from __future__ import annotations

import html
from datetime import datetime

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base.text import sanitise_html
from networked_councillor.casework.issues import STATUS_NAMES
from networked_councillor.ui.itemmodels.inbox import posted_by

DISPLAY_HTML_LIMIT = 150_000
DISPLAY_TEXT_LIMIT = 100_000
EVIDENCE_WORDS = {
    "street": "street", "place": "place", "postcode": "postcode", "postcode sector": "postcode sector",
    "postcode district": "postcode district", "hashtag": "hashtag", "handle": "mentions you",
    "boundary": "location", "ward feed": "source", "conversation": "thread",
}


class SafeTextBrowser(QTextBrowser):
    """Shows sanitised HTML and never loads anything: no images, no stylesheets, no remote or local files."""

    link_activated = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self.link_activated.emit)

    def loadResource(self, kind: int, name: QUrl):  # noqa: N802 (Qt's name)
        return None

    def show_item(self, item_html: str | None, text: str | None) -> None:
        if item_html and len(item_html) <= DISPLAY_HTML_LIMIT:
            self.setHtml(sanitise_html(item_html))  # sanitised on the way in too; this is belt and braces
            return
        body = text or ""
        if len(body) > DISPLAY_TEXT_LIMIT:
            body = body[:DISPLAY_TEXT_LIMIT] + "\n\n… (the rest is too long to show here; open it in the browser)"
        self.setPlainText(body)


class ItemDetail(QWidget):
    correct_topic = Signal(int, str)
    correct_sentiment = Signal(int, str)
    link_activated = Signal(QUrl)
    open_item = Signal(int)
    load_conversation = Signal(int)
    open_issue = Signal(int)
    save_attachment = Signal(int)

    def __init__(self, actions: list[QAction], topic_names: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.topic_names = topic_names
        self.item: dict | None = None
        self.setAccessibleName("Item detail")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)

        self.title = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.title.setAccessibleName("Item title")
        self.title.setObjectName("heading")
        self.meta = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.meta.setAccessibleName("Who posted it, where and when")
        toolbar = QToolBar("Item actions")
        toolbar.setAccessibleName("Item actions")
        toolbar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # overflows into »
        toolbar.setToolButtonStyle(toolbar.toolButtonStyle().ToolButtonTextOnly)
        for action in actions:
            toolbar.addAction(action)
        more = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")  # the » that holds what does not fit
        if more is not None:
            more.setAccessibleName("More item actions")
        self.evidence = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.evidence.setAccessibleName("Why this item is here")

        tags = QHBoxLayout()
        feelings = QHBoxLayout()
        self.topics_label = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.topics_label.setAccessibleName("Topics")
        self.topic_button = QToolButton(text="Change topic…", popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        self.topic_button.setAccessibleName("Change the topic")
        self.topic_menu = QMenu(self.topic_button)
        self.topic_button.setMenu(self.topic_menu)
        tags.addWidget(QLabel("Topic:"))
        tags.addWidget(self.topics_label, 1)
        tags.addWidget(self.topic_button)
        feelings.addWidget(QLabel("Feeling:"))
        self.feeling_doubt = QLabel()
        self.feeling_doubt.setAccessibleName("The model is unsure of the feeling")
        feelings.addWidget(self.feeling_doubt)
        self.feeling = QButtonGroup(self)
        for label in ("negative", "neutral", "positive"):
            button = QPushButton(label.capitalize(), checkable=True)
            button.setAccessibleName(f"Mark as {label}")
            button.setProperty("sentiment", label)
            self.feeling.addButton(button)
            feelings.addWidget(button)
        feelings.addStretch(1)
        self.feeling.buttonClicked.connect(self._sentiment_clicked)

        self.body = SafeTextBrowser()
        self.body.setAccessibleName("The post")
        self.body.link_activated.connect(self.link_activated.emit)
        self.restricted = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)  # addresses are untrusted
        self.restricted.setAccessibleName("Privacy note")
        self.restricted.setProperty("tone", "warning")
        self.conversation_button = QPushButton("Load the whole conversation")
        self.conversation_button.setAccessibleName("Load the whole conversation from the source")
        self.conversation_button.clicked.connect(lambda: self.item and self.load_conversation.emit(self.item["id"]))
        self.thread_label = QLabel()
        self.thread = SafeTextBrowser()
        self.thread.setAccessibleName("The conversation")
        self.thread.setMaximumHeight(180)
        self.thread.link_activated.connect(self._thread_link)
        self.seen = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.casework = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.casework.setAccessibleName("Casework linked to this post")
        self.casework.linkActivated.connect(lambda link: link.startswith("issue:") and self.open_issue.emit(int(link[6:])))

        self.attachments = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.attachments.setAccessibleName("Attachments: choose one to save a copy")
        self.attachments.linkActivated.connect(
            lambda link: link.startswith("attachment:") and self.save_attachment.emit(int(link[11:])))

        for widget in (self.title, self.meta, toolbar, self.evidence):
            layout.addWidget(widget)
        layout.addLayout(tags)
        layout.addLayout(feelings)
        layout.addWidget(self.casework)
        layout.addWidget(self.restricted)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.attachments)
        layout.addWidget(self.conversation_button)
        layout.addWidget(self.thread_label)
        layout.addWidget(self.thread)
        layout.addWidget(self.seen)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(280)
        self.show_item(None)

    def set_topics(self, topic_names: dict[str, str]) -> None:
        self.topic_names = topic_names
        self.topic_menu.clear()
        for topic_id, name in topic_names.items():
            action = self.topic_menu.addAction(name)
            action.triggered.connect(lambda _checked=False, t=topic_id: self._topic_chosen(t))

    def show_item(self, item: dict | None, *, can_load_conversation: bool = False) -> None:
        self.item = item
        self.conversation_button.setVisible(item is not None and can_load_conversation)
        enabled = item is not None
        for widget in (self.topic_button, *self.feeling.buttons()):
            widget.setEnabled(enabled)
        if item is None:
            self.title.setText("Nothing selected")
            self.meta.setText("Choose an item in the list to read it here.")
            self.evidence.clear()
            self.topics_label.clear()
            self.body.clear()
            self.thread.clear()
            self.thread.hide()
            self.thread_label.hide()
            self.seen.clear()
            self.casework.hide()
            self.restricted.hide()
            self.attachments.hide()
            return
        self.title.setText(html.escape(item.get("title") or _first_line(item.get("text")) or "(no title)"))
        who = item.get("author_name") or item.get("author_handle") or posted_by(None, item.get("kind"),
                                                                                 item.get("source_name"))
        when = datetime.fromisoformat(item["created_at"]).astimezone().strftime("%a %d %b %Y, %H:%M") \
            if item.get("created_at") else ""
        state = {"new": "New", "needs_reply": "Needs reply", "replied": "Replied", "done": "Done"}.get(item["state"], "")
        extras = [state] + (["Pinned"] if item.get("pinned") else [])
        if item.get("snoozed_until"):
            extras.append("Snoozed until " + datetime.fromisoformat(item["snoozed_until"]).astimezone().strftime("%d %b %H:%M"))
        where = (item.get("extra") or {}).get("where")
        source = f"{where} (added by hand)" if where else item.get("source_name") or ""
        self.meta.setText(" · ".join(html.escape(p) for p in (who, source, when, *extras) if p))
        self.evidence.setText(_evidence_text(item))
        self._show_tags(item)
        self.body.show_item(item.get("html"), item.get("text"))
        self.restricted.setText(_privacy_note(item))
        self.restricted.setVisible(bool(self.restricted.text()))
        self.attachments.setText(attachments_html(item.get("attachments") or []))
        self.attachments.setVisible(bool(item.get("attachments")))
        self._show_thread(item)
        issues = item.get("issues") or []
        self.casework.setText("Casework: " + ", ".join(
            f'<a href="issue:{i["id"]}">{html.escape(i["reference"])}</a> {html.escape(i["title"][:60])} '
            f'({html.escape(STATUS_NAMES.get(i["status"], i["status"]))})' for i in issues))
        self.casework.setVisible(bool(issues))
        sightings = item.get("sightings") or []
        self.seen.setText("Also seen on: " + ", ".join(html.escape(s["source_name"] or s["source_id"]) for s in sightings)
                          if sightings else "")

    def _show_tags(self, item: dict) -> None:
        topics = [t for t in item["tags"] if t["kind"] == "topic"]
        user = {t["label"] for t in topics if t["origin"] == "user"}
        once = {}
        for tag in topics:  # the councillor's correction first (the store orders it so), then the model's
            once.setdefault(tag["label"], tag)
        chips = []
        for tag in list(once.values())[:3]:
            name = html.escape(self.topic_names.get(tag["label"], tag["label"]))
            mark = " ✔" if tag["label"] in user else f" {tag['score']:.0%}"
            chips.append(f"<b>{name}</b>{mark}" if tag["label"] == item.get("topic") else f"{name}{mark}")
        doubt = "<i>unsure</i>, perhaps " if item.get("topic_unsure") else ""
        self.topics_label.setText(doubt + " · ".join(chips) or "not tagged yet")
        unsure = bool(item.get("sentiment_unsure"))
        guess = next((t for t in item["tags"] if t["kind"] == "sentiment" and t["origin"] == "model"), None)
        doubt = f"The model is unsure; perhaps {guess['label']} ({guess['score']:.0%})" if guess else "The model is unsure"
        self.feeling_doubt.setText("unsure:")
        self.feeling_doubt.setToolTip(doubt)
        self.feeling_doubt.setAccessibleDescription(doubt)
        self.feeling_doubt.setVisible(unsure)
        self.feeling.setExclusive(False)  # so that none is checked while the model is unsure
        for button in self.feeling.buttons():
            label = button.property("sentiment")
            button.setChecked(not unsure and label == item.get("sentiment"))
            perhaps = unsure and guess is not None and guess["label"] == label  # its best guess, with a "?"
            button.setText(label.capitalize() + ("?" if perhaps else ""))
        self.feeling.setExclusive(True)

    def _show_thread(self, item: dict) -> None:
        thread = item.get("thread") or []
        if len(thread) < 2:
            self.thread.hide()
            self.thread_label.hide()
            return
        self.thread_label.setText(f"Conversation ({len(thread)} posts)")
        self.thread.setHtml(thread_html(thread, item["id"]))
        self.thread.show()
        self.thread_label.show()

    def _thread_link(self, url: QUrl) -> None:
        if url.scheme() == "item":
            self.open_item.emit(int(url.path()))

    def _topic_chosen(self, topic_id: str) -> None:
        if self.item is not None:
            self.correct_topic.emit(self.item["id"], topic_id)

    def _sentiment_clicked(self, button) -> None:
        if self.item is not None:
            self.correct_sentiment.emit(self.item["id"], button.property("sentiment"))


def _privacy_note(item: dict) -> str:
    extra = item.get("extra") or {}
    if extra.get("restricted"):
        return ("The author asks that their posts are shown only to people signed in to Bluesky: "
                "do not copy this post into anything public.")
    if extra.get("private"):
        to = ", ".join(str(a) for a in extra.get("to") or [])
        return (f"A private email from {extra.get('email') or 'a resident'}{' to ' + to if to else ''}: it is kept "
                "out of public views and reports; a reply opens in your mail client.")
    return ""


def attachments_html(attachments: list[dict]) -> str:
    """Each attachment by name and size; a kept one is a link that saves a copy (nothing is ever opened)."""
    parts = []
    for a in attachments:
        bytes_ = a.get("size") or 0
        size = (f"{bytes_} bytes" if bytes_ < 1024 else f"{bytes_ / 1024:.0f} KB" if bytes_ < 2**20 else
                f"{bytes_ / 2**20:.1f} MB")
        name = html.escape(a["name"])
        parts.append(f'<a href="attachment:{a["id"]}">{name}</a> ({size})' if a.get("kept") else
                     f"{name} ({html.escape(a.get('note') or 'not kept')})")
    return "Attachments (choose one to save a copy): " + " · ".join(parts) if parts else ""


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n")[0][:140]


def _evidence_text(item: dict) -> str:
    extra = item.get("extra") or {}
    if extra.get("private"):
        return "Why it's here: an email to you, which is always casework."
    if extra.get("added_by_hand"):
        return "Why it's here: you added it by hand."
    evidence = item.get("evidence") or []
    if not evidence:
        return f"Relevance {item['relevance']:.0%}: nothing in it matched the ward profile."
    parts = [f"{html.escape(e['term'])} ({EVIDENCE_WORDS.get(e['kind'], e['kind'])})" for e in evidence]
    return f"Why it's here: matched {', '.join(parts)}. Relevance {item['relevance']:.0%}."


def thread_html(thread: list[dict], current_id: int) -> str:
    """A conversation as escaped HTML, the current post in bold and the others as links to open them."""
    parts = []
    for post in thread:
        text = html.escape(" ".join((post.get("text") or post.get("title") or "").split())[:300])
        who = html.escape(post.get("author") or "")
        if post["id"] == current_id:
            parts.append(f"<p><b>▶ {who}:</b> <b>{text}</b></p>")
        else:
            parts.append(f'<p><a href="item:{post["id"]}">{who}</a>: {text}</p>')
    return "".join(parts)
