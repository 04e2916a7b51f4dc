"""A data folder inside OneDrive, Dropbox or iCloud: say why that is dangerous, and offer to move it."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from networked_councillor.app import App
from networked_councillor.base import paths
from networked_councillor.base.errors import NcError
from networked_councillor.store.relocate import copy_data_folder
from networked_councillor.ui.errors import explain


def offer_to_move(app: App) -> App:
    """The app to carry on with: the same one, or one opened on the copy in the local folder."""
    service = paths.synced_by(app.data_dir)
    target = paths.local_data_dir()
    if service is None or paths.synced_by(target) is not None or target == app.data_dir:
        return app
    box = QMessageBox(QMessageBox.Icon.Warning, "Your data is in a synced folder",
                      f"Networked Councillor's data is in {app.data_dir}, which {service} copies to the cloud.")
    box.setInformativeText(f"{service} can corrupt the app's database by copying it while it is being written. "
                           f"Move it to {target}, which stays on this computer? The copy in {service} is left as "
                           "it is.")
    move = box.addButton(f"Move it to {target}", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Keep it where it is", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(move)
    box.exec()
    if box.clickedButton() is not move:
        return app
    source = app.data_dir
    app.close()
    try:
        copy_data_folder(source, target)
    except NcError as exc:
        explain(None, exc, "Move your data")
        return App(source)
    return App(target)
