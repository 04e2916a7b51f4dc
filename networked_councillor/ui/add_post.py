"""Add a post by hand (Ctrl+Shift+A): what a resident said in a Facebook group, on Nextdoor, in a WhatsApp group,
a letter, a phone call or a surgery, pasted in so it can be tagged, answered and logged like any other post."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from networked_councillor.base.errors import NcError
from networked_councillor.ingest.by_hand import PLACES, HandPost, site_of, to_item
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.ui.errors import explain
from networked_councillor.ui.screen import fit_on_screen


class AddPostDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a post by hand")
        self.images: list[tuple[str, bytes]] = []
        intro = QLabel("Paste what a resident said somewhere the app does not read: a Facebook group, Nextdoor, "
                       "WhatsApp, a letter, a phone call or a surgery. It is tagged and can be answered and logged "
                       "like any other post.", wordWrap=True)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("What they said")
        self.text.setTabChangesFocus(True)
        self.link = QLineEdit(placeholderText="https://… (optional)")
        self.link.setAccessibleName("Link to the post")
        self.link.textChanged.connect(self._link_changed)
        self.who = QLineEdit(placeholderText="Their name, as they gave it (optional)")
        self.who.setAccessibleName("Who said it")
        self.where = QComboBox()
        self.where.addItems(PLACES)
        self.where.setAccessibleName("Where it was said")
        self.pictures = QLabel("No pictures")
        paste = QPushButton("&Paste a picture", clicked=self.paste_picture)
        choose = QPushButton("Add a picture &file…", clicked=self.choose_picture)
        pictures = QHBoxLayout()
        for widget in (self.pictures, paste, choose):
            pictures.addWidget(widget)
        form = QFormLayout()
        form.addRow("&What they said:", self.text)
        form.addRow("&Link:", self.link)
        form.addRow("W&ho:", self.who)
        form.addRow("Wh&ere:", self.where)
        form.addRow("Pictures:", pictures)
        self.problem = QLabel(wordWrap=True)
        self.problem.setProperty("tone", "warning")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add post")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro,):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        fit_on_screen(self, 640, 480)
        self.text.setFocus()

    def _link_changed(self, link: str) -> None:
        place = site_of(link.strip()) if link.strip() else ""
        if place:
            self.where.setCurrentText(place)

    def paste_picture(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.problem.setText("There is no picture on the clipboard: copy one first (right-click it, Copy image).")
            return
        self.add_image(f"pasted-{len(self.images) + 1}.png", image)

    def add_image(self, name: str, image: QImage) -> None:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        self.images.append((name, bytes(data)))
        self._show_pictures()

    def choose_picture(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Add a picture", "", "Pictures (*.png *.jpg *.jpeg)")
        if name:
            with open(name, "rb") as file:
                self.images.append((name.replace("\\", "/").rsplit("/", 1)[-1], file.read()))
            self._show_pictures()

    def _show_pictures(self) -> None:
        self.pictures.setText(", ".join(name for name, _ in self.images) or "No pictures")

    def post(self) -> HandPost:
        return HandPost(self.text.toPlainText(), self.link.text(), self.who.text(), self.where.currentText(),
                        images=list(self.images))

    def _accept(self) -> None:
        """Checked here, so a bad link or picture is said while the pasted words are still in the form."""
        try:
            to_item(self.post())
        except NcError as exc:
            self.problem.setText(str(exc))
            (self.text if not self.text.toPlainText().strip() else self.link).setFocus()
            return
        self.accept()


def add_post_by_hand(window) -> None:
    """File > Add a post by hand…: the dialog, then the post stored (and tagged) in the background."""
    dialog = AddPostDialog(window)
    if not dialog.exec():
        return
    post = dialog.post()

    def added(outcome) -> None:
        if not outcome.item_ids:
            window.statusBar().showMessage("That post was already added.", 8000)
            return
        window.statusBar().showMessage("Post added. Reply to it, or log it as an issue, as with any post.", 10000)
        window.set_filter(InboxFilter(view="all"))
        window.show_item(outcome.item_ids[0])

    try:
        window.ops.run("add-post", lambda cancel, progress: window.app.add_post(post), parent=window, on_done=added)
    except NcError as exc:
        explain(window, exc)
