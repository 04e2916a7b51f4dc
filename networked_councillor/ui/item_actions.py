"""What a councillor does to the posts selected in the inbox: triage, correct, reply, log as casework.

Every change is an operation (`ui/operations.py`): the window's views refresh from the one `changed` signal, so
nothing here refreshes anything by hand.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from networked_councillor.base import clock
from networked_councillor.base.errors import NcError
from networked_councillor.casework import issues as casework
from networked_councillor.casework import ops as casework_ops
from networked_councillor.plugin_api.source import can_load_thread, can_reply
from networked_councillor.replies.posting import post_reply, why_not_postable
from networked_councillor.store import attachments
from networked_councillor.store import inbox as inbox_store
from networked_councillor.store import sources as source_store
from networked_councillor.store import tags as tag_store
from networked_councillor.ui.errors import explain
from networked_councillor.ui.links import OPENABLE, open_address

SNOOZES = {"For an hour": timedelta(hours=1), "Until tomorrow": timedelta(days=1), "For a week": timedelta(days=7)}


class ItemActions(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.app = window.app
        self.ops = window.ops

    def _say(self, message: str, msecs: int = 8000) -> None:
        self.window.statusBar().showMessage(message, msecs)

    # ---- triage ---------------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        ids = self.window.selected_ids()
        if ids:
            self.ops.perform(self.window, inbox_store.set_state, ids, state)

    def toggle_pin(self) -> None:
        ids = self.window.selected_ids()
        if ids:
            self.ops.perform(self.window, inbox_store.toggle_pin, ids)

    def snooze(self, delta: timedelta | None) -> None:
        ids = self.window.selected_ids()
        if ids:
            until = (clock.utcnow() + delta).isoformat(timespec="seconds") if delta else None
            self.ops.perform(self.window, inbox_store.snooze, ids, until)

    def correct_topic(self, item_id: int, topic: str) -> None:
        if self.ops.perform(self.window, tag_store.correct, item_id, "topic", topic, clock.now_iso()) is not None:
            self._say(f"Topic set to {self.window.topic_names.get(topic, topic)}. "
                      "The model learns from this at the next retrain.")

    def correct_sentiment(self, item_id: int, sentiment: str) -> None:
        self.ops.perform(self.window, tag_store.correct, item_id, "sentiment", sentiment, clock.now_iso())

    # ---- links --------------------------------------------------------------------------------

    def open_link(self, url: QUrl) -> None:
        """A link inside a post: asked first, as a post's words may hide where a link goes."""
        if url.scheme().lower() not in OPENABLE:
            self._say(open_address(url) or "", 10000)
            return
        answer = QMessageBox.question(self.window, "Open link",
                                      f"Open this link in your web browser?\n\n{url.toString()}")
        if answer == QMessageBox.StandardButton.Yes:
            self._say_if_not_opened(url)

    def open_in_browser(self) -> None:
        item = self.window.detail.item
        if item and item.get("url"):
            self._say_if_not_opened(QUrl(item["url"]))
        elif item:
            self._say("This item has no web address.", 5000)

    def _say_if_not_opened(self, url: QUrl) -> None:
        problem = open_address(url)
        if problem:
            self._say(problem, 15000)

    # ---- replies ------------------------------------------------------------------------------

    def reply(self) -> None:
        """Open the composer for the item shown (one per item: asking again brings it back to the front)."""
        from networked_councillor.ui.composer import Composer

        item = self.window.detail.item
        if item is None:
            return
        composers = self.window.composers
        composer = composers.get(item["id"])
        if composer is None:
            plugin = self.app.registry.get(item["plugin"])
            where = plugin.name if plugin is not None else item.get("source_name") or "the site"
            postable = can_reply(plugin)
            try:
                cannot_post = why_not_postable(self.app, item["id"]) if postable else ""
            except NcError as exc:
                cannot_post = str(exc)
            composer = Composer(self.window, self.app, item, where=where, post=self.post_reply if postable else None,
                                cannot_post=cannot_post)
            composer.finished.connect(lambda _result, item_id=item["id"]: composers.pop(item_id, None))
            composers[item["id"]] = composer
        composer.show()
        composer.raise_()
        composer.activateWindow()

    def post_reply(self, item_id: int, parts: list[str], on_posted=None, on_failed=None) -> None:
        """Post through the source's plugin in the background (the composer has asked for an explicit yes)."""
        def posted(result) -> None:
            if self.app.training:
                self._say("Training: your reply is recorded as if posted, in the right place in the conversation. "
                          "Nothing was sent.", 15000)
            elif self._is_demo(item_id):
                self._say("Demo ward: your reply went to the demo's own Bluesky on this computer, in the right place "
                          "in the thread. Nothing left the computer.", 15000)
            else:
                self._say(f"Reply posted: {result.url or result.external_id}", 15000)
            if on_posted:
                on_posted()

        def failed(error: Exception) -> None:
            explain(self.window, error, "Reply not posted")
            if on_failed:
                on_failed(error)

        self.ops.run("reply", lambda cancel, progress: post_reply(self.app, item_id, parts), parent=self.window,
                     on_done=posted, on_error=failed)

    def _is_demo(self, item_id: int) -> bool:
        with self.app.store.read() as db:
            return source_store.item_is_demo(db, item_id)

    def load_conversation(self, item_id: int) -> None:
        self.ops.run("thread", lambda cancel, progress: self.app.fetch_thread(item_id, cancel), parent=self.window,
                     title="Conversation",
                     on_done=lambda outcome: self._say(f"Conversation loaded: {outcome.seen} posts."))

    def save_attachment(self, attachment_id: int) -> None:
        """A copy in a folder the councillor chooses; the app itself never opens an attachment."""
        folder = QFileDialog.getExistingDirectory(self.window, "Save the attachment in…", str(Path.home()))
        if not folder:
            return
        try:
            with self.app.store.read() as db:
                saved = attachments.save_copy(db, attachment_id, Path(folder))
        except (NcError, OSError) as exc:
            self._say(f"Not saved: {exc}", 15000)
            return
        self._say(f"Saved {saved}. Check it with your antivirus before opening it.", 15000)

    @staticmethod
    def can_load_conversation(app, item: dict | None) -> bool:
        return bool(item) and can_load_thread(app.registry.get(item["plugin"]))

    # ---- casework -----------------------------------------------------------------------------

    def log_issue(self) -> None:
        """One issue from the item shown, linked to every selected post (several posts can be one issue)."""
        from networked_councillor.ui.dialogs import LogIssueDialog

        window = self.window
        item = window.detail.item
        if item is None:
            return
        others = [i for i in window.selected_ids() if i != item["id"]]
        if item.get("issues") and not self._new_issue_anyway(item, others):
            return
        dialog = LogIssueDialog(window, item, window.topic_names, window.ward.name, also_linked=len(others))
        if dialog.exec():
            issue = dialog.issue()
            issue.item_ids = [item["id"], *others]
            if self.ops.perform(window, casework_ops.log_issue, issue) is not None:
                self._say(f"Issue logged: {issue.title}. View > Casework (Ctrl+I) shows it.")

    def _new_issue_anyway(self, item: dict, others: list[int]) -> bool:
        """The post is casework already: offer its issue (and to add the other selected posts to it) first."""
        issue = item["issues"][-1]
        box = QMessageBox(QMessageBox.Icon.Question, "Log issue",
                          f"This post is already part of {issue['reference']}: {issue['title']}.", parent=self.window)
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
            self.window.open_casework(issue["id"])
        elif add is not None and chosen is add:
            if self.ops.perform(self.window, casework_ops.link_posts, issue["id"], others) is not None:
                self._say(f"{len(others)} post(s) added to {issue['reference']}.")
        return chosen is anyway

    def add_to_issue(self) -> None:
        from networked_councillor.ui.dialogs import choose_issue

        ids = self.window.selected_ids()
        if not ids:
            return
        with self.app.store.read() as db:
            issues = casework.list_issues(db, casework.IssueFilter(open_only=True), today=clock.today())
        issue_id = choose_issue(self.window, issues, len(ids))
        if issue_id is not None and self.ops.perform(self.window, casework_ops.link_posts, issue_id, ids) is not None:
            self._say(f"{len(ids)} post(s) linked to the issue.")

    # ---- similar posts ------------------------------------------------------------------------

    def similar_posts(self) -> None:
        window = self.window
        item_id = window.current_item_id()
        if item_id is None:
            return
        from networked_councillor.tagger.similar import similar_items

        def show(found: list[tuple[int, float]]) -> None:
            if not found:
                self._say("This item has no stored embedding yet (it is tagged at the next fetch).")
                return
            window.similar_results = found
            menu = QMenu(window)
            with self.app.store.read() as db:
                rows = inbox_store.rows(db, [i for i, _ in found])
            for other, score in found:
                row = rows.get(other)
                if row:
                    text = " ".join((row["title"] or row["preview"] or "").split())[:90]
                    menu.addAction(f"{score:.0%}  {text}", lambda o=other: window.show_item(o))
            menu.popup(window.table.mapToGlobal(window.table.rect().center()))

        self.ops.run("similar", lambda cancel, progress: similar_items(
            self.app.store, item_id, cancel=cancel, progress=progress), parent=window, on_done=show)
