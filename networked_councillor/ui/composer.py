"""The reply composer: the post and its conversation beside the editor, a suggested draft, live checks, autosave.

The checks run on every keystroke without the model (they take well under a
millisecond) and again with the tone model once typing pauses. Findings are
underlined in the editor and listed with their reason and fix; anything that
must not be posted ("block") disables posting until it is fixed. The draft is
saved every few seconds and when the window closes, so a crash loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from networked_councillor.base.errors import NcError
from networked_councillor.replies import drafts, email_reply
from networked_councillor.replies import ops as reply_ops
from networked_councillor.replies.checks import (
    LIMITS,
    Finding,
    ReplyContext,
    check_reply,
    length,
    reply_context,
    split_thread,
)
from networked_councillor.replies.drafting import draft_context, suggest_draft
from networked_councillor.replies.snippets import fill_snippet, list_snippets
from networked_councillor.ui.composer_parts import buttons_row, editor_pane, post_pane
from networked_councillor.ui.links import open_address
from networked_councillor.ui.operations import perform
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.theme import current as current_theme

log = logging.getLogger(__name__)

AUTOSAVE_MS = 3000
MODEL_PAUSE_MS = 700
SEVERITY_WORDS = {"block": "Must fix", "warn": "Check", "info": "Tip"}

PostReply = Callable[[int, list[str], Callable[[], None], Callable[[Exception], None]], None]
"""(item id, parts, on_posted, on_failed): posts in the background and calls back."""


class Composer(QDialog):
    """Write one reply to one item. ``post`` is given when the item's plugin can post replies."""


    def __init__(self, parent: QWidget | None, app, item: dict, *, where: str, post: PostReply | None = None,
                 cannot_post: str = "", autosave_ms: int = AUTOSAVE_MS) -> None:
        """``cannot_post``: why the plugin cannot post this reply now (no account set up), shown from the start."""
        super().__init__(parent)
        self.app, self.item, self.where, self._post, self.cannot_post = app, item, where, post, cannot_post
        self.platform = item.get("plugin") if item.get("plugin") in LIMITS else None
        self.private = email_reply.is_private(item)
        self.findings: list[Finding] = []
        self.as_thread = False
        self._dirty = False
        self.setWindowTitle(f"Reply to {self._who()}")
        self.setAccessibleName("Reply composer")
        fit_on_screen(self, 1100, 680)
        with app.store.read() as db:
            self.context = reply_context(db, platform=self.platform, public=not self.private, recipient=self._who(),
                                         sentiment=self._sentiment())
            self.placeholders = draft_context(db, item["id"])
            saved = drafts.open_draft(db, item["id"])
            self.snippets = list_snippets(db)
            suggestion = self._suggest(db)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(post_pane(self))
        splitter.addWidget(editor_pane(self, suggestion))
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.status = QLabel(wordWrap=True)
        self.status.setAccessibleName("What happened")
        layout.addWidget(self.status)
        layout.addLayout(buttons_row(self))

        if saved:
            self.editor.setPlainText(saved["text"])
            saved_at = datetime.fromisoformat(saved["updated_at"]).astimezone().strftime("%d %b %H:%M")
            self.origin.setText(f"Your draft from {saved_at}, restored.")
        elif suggestion is not None:
            self.editor.setPlainText(suggestion.text)
        self._dirty = False
        self.editor.textChanged.connect(self._edited)
        self.recheck()
        self.editor.moveCursor(QTextCursor.MoveOperation.End)
        self.editor.setFocus()  # typing starts in the reply, however the composer was opened

        self.autosave = QTimer(self, interval=autosave_ms, timeout=self.save)
        self.autosave.start()
        self.model_pause = QTimer(self, singleShot=True, interval=MODEL_PAUSE_MS, timeout=self._recheck_with_model)

    # ---- building ------------------------------------------------------------------------------
    def _who(self) -> str:
        return self.item.get("author_name") or self.item.get("author_handle") or "this post"

    def _sentiment(self):
        """The tone model, if the tagger is already loaded (loading it would freeze the window)."""
        tagger = getattr(self.app, "_tagger", None)
        if tagger is None:
            return None
        return lambda text: tagger.tag([text])[0].sentiment or ("neutral", 0.0)

    def _suggest(self, db):
        try:
            return suggest_draft(db, self.item["id"], tagger=getattr(self.app, "_tagger", None),
                                 platform=self.platform)
        except NcError as exc:
            log.warning("no suggested draft for item %s: %s", self.item["id"], exc)
            return None

    # ---- checks --------------------------------------------------------------------------------
    def _edited(self) -> None:
        self._dirty = True
        self.recheck()
        self.model_pause.start()

    def _recheck_with_model(self) -> None:
        self.recheck(with_model=True)

    def recheck(self, *, with_model: bool = False) -> None:
        text = self.editor.toPlainText()
        context = self.context if with_model else _without_model(self.context)
        findings = check_reply(text, context)
        if self.as_thread:
            findings = [f for f in findings if f.code != "too_long"]
        self.findings = findings
        self._show_length(text)
        self._show_findings(text)

    def _show_length(self, text: str) -> None:
        limit = LIMITS.get(self.platform or "")
        count = length(text, self.platform)
        words = f"{count} / {limit} characters on {self.where}" if limit else f"{count} characters"
        self.counter.setText(words)
        self.counter.setProperty("tone", "danger" if limit and count > limit and not self.as_thread else "")
        self.counter.style().unpolish(self.counter)  # a changed property needs a re-polish to restyle
        self.counter.style().polish(self.counter)
        parts = split_thread(text, self.platform) if self.as_thread else []
        self.thread_preview.clear()
        self.thread_preview.addItems([f"Part {n}: {part}" for n, part in enumerate(parts, 1)])
        self.thread_preview.setVisible(self.as_thread)

    def _show_findings(self, text: str) -> None:
        self.finding_list.blockSignals(True)
        self.finding_list.clear()
        marks = []
        for finding in self.findings:
            entry = QListWidgetItem(f"{SEVERITY_WORDS.get(finding.severity, '')}: {finding.message} {finding.fix}")
            entry.setForeground(severity_colour(finding.severity))
            entry.setToolTip(finding.fix)
            self.finding_list.addItem(entry)
            marks.append(self._underline(finding))
        if not self.findings and text.strip():
            self.finding_list.addItem("Nothing to flag. Read it once more as the resident will, then post.")
        self.finding_list.blockSignals(False)
        self.editor.setExtraSelections(marks)
        self.fix_button.setEnabled(False)
        blockers = self.blockers()
        reason = "Fix the items marked “Must fix” first." if blockers else ""
        for button in (self.post_button, self.copy_only_button, self.copy_button, self.replied_button):
            if button is not None:
                button.setToolTip(reason or button.toolTip())
        if self.post_button is not None:
            self.post_button.setEnabled(bool(text.strip()) and not blockers and not self.cannot_post)
        self.copy_only_button.setEnabled(bool(text.strip()) and not blockers)
        self.copy_button.setEnabled((self.private or bool(self.item.get("url"))) and not blockers)
        self.replied_button.setEnabled(not blockers or not text.strip())
        self.status.setText(f"{len(blockers)} thing(s) to fix before this reply can leave the app: "
                            + "; ".join(f.message for f in blockers) if blockers else self.cannot_post)

    def _underline(self, finding: Finding) -> QTextEdit.ExtraSelection:
        mark = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(severity_colour(finding.severity))
        fmt.setToolTip(f"{finding.message} {finding.fix}")
        mark.format = fmt
        mark.cursor = self._cursor(*finding.span)
        return mark

    def _cursor(self, start: int, end: int) -> QTextCursor:
        """A cursor over Python string offsets (Qt counts UTF-16 units, so emoji shift positions)."""
        text = self.editor.toPlainText()
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(_utf16(text, start))
        cursor.setPosition(_utf16(text, end), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _select_finding(self, row: int) -> None:
        finding = self.findings[row] if 0 <= row < len(self.findings) else None
        self.fix_button.setEnabled(finding is not None and _fixable(finding))
        if finding is not None:
            self.editor.setTextCursor(self._cursor(*finding.span))

    def fix_selected(self) -> None:
        row = self.finding_list.currentRow()
        if not 0 <= row < len(self.findings):
            return
        finding = self.findings[row]
        if finding.code == "too_long":
            self.as_thread = True
            self.status.setText("It will be posted as a thread; the parts are shown below the checks.")
            self.recheck()
            return
        replacement = getattr(finding, "replacement", None)
        if replacement is not None:
            cursor = self._cursor(*finding.span)
            cursor.insertText(replacement)

    # ---- drafts and snippets -------------------------------------------------------------------
    def use_suggestion(self) -> None:
        if self.suggestion is not None:
            self.editor.setPlainText(self.suggestion.text)

    def _insert_snippet(self, index: int) -> None:
        snippet_id = self.snippet_box.itemData(index)
        self.snippet_box.setCurrentIndex(0)
        if snippet_id is None:
            return
        with self.app.store.read() as db:
            text, missing = fill_snippet(db, snippet_id, self.placeholders)
        self.editor.insertPlainText(text)
        if missing:
            self.status.setText(f"Fill in: {', '.join(missing)}.")

    def save(self) -> None:
        """Keep the draft (only once the councillor has typed: a suggestion they never touched is not theirs)."""
        if not self._dirty:
            return
        try:
            self.app.perform(reply_ops.save_draft, self.item["id"], self.platform, self.editor.toPlainText())
            self._dirty = False
        except NcError as exc:
            log.warning("the draft could not be saved: %s", exc)
            self.status.setText(f"Your draft could not be saved: {exc}")

    def discard(self) -> None:
        if self.editor.toPlainText().strip() and QMessageBox.question(
                self, "Discard draft", "Clear this reply and forget the saved draft?") != QMessageBox.StandardButton.Yes:
            return
        if perform(self.app, self, reply_ops.discard_draft, self.item["id"]) is None:
            return
        self._dirty = False
        self.editor.blockSignals(True)
        self.editor.clear()
        self.editor.blockSignals(False)
        self.recheck()
        self.status.setText("Draft discarded.")

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A new theme: the findings and underlines take its colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "autosave") and self.isVisible():
            self.recheck()

    def done(self, result: int) -> None:
        """However the window closes (Close, Escape, the title bar), the draft is kept first."""
        self.save()
        self.autosave.stop()
        self.model_pause.stop()
        super().done(result)

    # ---- sending -------------------------------------------------------------------------------
    def parts(self) -> list[str]:
        text = self.editor.toPlainText().strip()
        return split_thread(text, self.platform) if self.as_thread else ([text] if text else [])

    def blockers(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]

    def _held_back(self, what: str) -> bool:
        """Whether a "Must fix" finding stands; if so nothing leaves the composer, and the status says why."""
        self.recheck(with_model=True)
        blockers = self.blockers()
        if blockers:
            self.status.setText(f"Not {what}: fix what is marked “Must fix” first ("
                                + "; ".join(f.message for f in blockers) + ").")
        return bool(blockers)

    def post(self) -> None:
        """Post through the plugin after an explicit yes; a failure keeps the window and the text."""
        parts = self.parts()
        if self._held_back("posted") or not parts or self._post is None or self.cannot_post:
            return
        shown = "\n\n".join(parts)
        what = f"this thread of {len(parts)} posts" if len(parts) > 1 else "this reply"
        answer = QMessageBox.question(self, "Post reply", f"Post {what} publicly on {self.where}?\n\n{shown}")
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.save()
        self.post_button.setEnabled(False)
        self.status.setText(f"Posting on {self.where}…")
        self._post(self.item["id"], parts, self._posted, self._failed)

    def _posted(self) -> None:
        self._dirty = False
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.recheck()
        self.status.setText(f"Not posted: {error} Your draft is kept.")

    def copy_reply(self) -> bool:
        if self._held_back("copied"):
            return False
        QGuiApplication.clipboard().setText("\n\n".join(self.parts()))
        self.status.setText("Copied. Paste it where you answer the post, then press “Mark as replied”.")
        return True

    def copy_and_open(self) -> None:
        if not self.copy_reply():
            return
        problem = open_address(self.item["url"])
        self.status.setText(f"Copied, but the post did not open. {problem}" if problem else
                            "Copied. Paste it on the site, then press “Mark as replied”.")

    def open_in_mail_client(self) -> None:
        """A private email's reply: a new message in the councillor's mail client, after the same checks."""
        if self._held_back("opened"):
            return
        address = email_reply.mailto(self.item, "\n\n".join(self.parts()))
        if address is None:
            self.status.setText("This reply is too long to hand to your mail client directly: use "
                                "“Save as a draft email…” and open the file.")
            return
        problem = open_address(QUrl.fromEncoded(address.encode()))
        self.status.setText(f"Your mail client did not open. {problem}" if problem else
                            "Opened in your mail client: send it from there, then press “Mark as replied”.")

    def save_draft_email(self) -> None:
        if self._held_back("saved"):
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save the reply as a draft email",
                                              str(Path.home() / email_reply.draft_file_name(self.item)),
                                              "Email (*.eml)")
        if not name:
            return
        try:
            Path(name).write_bytes(email_reply.draft(self.item, "\n\n".join(self.parts())))
        except OSError as exc:
            self.status.setText(f"Not saved: {exc.strerror or exc}")
            return
        self.status.setText(f"Saved {name}: open it to send it from your mail client, then press “Mark as replied”.")

    def mark_replied(self) -> None:
        text = "\n\n".join(self.parts())
        if text and self._held_back("marked as replied"):
            return
        if perform(self.app, self, reply_ops.mark_replied, self.item["id"],
                   self.platform or self.item.get("plugin"), text) is None:
            return
        self._dirty = False
        self.accept()


def severity_colour(severity: str) -> QColor:
    """A finding's colour in the theme on show (each readable on the reply box's background)."""
    theme = current_theme()
    return QColor({"block": theme.danger, "warn": theme.warning}.get(severity, theme.info))


def _without_model(context: ReplyContext) -> ReplyContext:
    return replace(context, sentiment=None)


def _fixable(finding: Finding) -> bool:
    return finding.code == "too_long" or getattr(finding, "replacement", None) is not None


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2
