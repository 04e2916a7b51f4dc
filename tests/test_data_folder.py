"""A data folder in OneDrive, Dropbox or iCloud is spotted, warned about, and moved to the local folder on request."""

import shutil

import pytest
from PySide6.QtWidgets import QMessageBox

from networked_councillor.app import App
from networked_councillor.base import paths
from networked_councillor.cli.main import main


@pytest.mark.parametrize(("where", "service"), [
    ("OneDrive - Ashcombe District Council/Documents/nc", "OneDrive"),
    ("OneDrive/nc", "OneDrive"),
    ("Dropbox/Councillor/nc", "Dropbox"),
    ("Library/Mobile Documents/com~apple~CloudDocs/nc", "iCloud Drive"),
    ("AppData/Local/networked-councillor", None),
])
def test_synced_folders_are_recognised(tmp_path, where, service):
    assert paths.synced_by(tmp_path / where) == service


def test_a_folder_under_the_onedrive_variable_is_synced(tmp_path, monkeypatch):
    monkeypatch.setenv("OneDrive", str(tmp_path / "Work files"))
    assert paths.synced_by(tmp_path / "Work files" / "nc") == "OneDrive"


def test_the_command_line_warns_about_a_synced_data_folder(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "Dropbox" / "nc"), "sources", "list"]) == 0
    err = capsys.readouterr().err
    assert "inside Dropbox" in err and "corrupt" in err


def test_the_window_offers_to_move_it_and_the_copy_is_whole(demo_folder, tmp_path, monkeypatch, qtbot):
    from networked_councillor.ui.data_folder import offer_to_move

    synced = tmp_path / "OneDrive" / "nc"
    shutil.copytree(demo_folder, synced)
    local = tmp_path / "local" / "networked-councillor"
    monkeypatch.setattr(paths, "local_data_dir", lambda: local)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    monkeypatch.setattr(QMessageBox, "clickedButton",
                        lambda self: next(b for b in self.buttons() if b.text().startswith("Move")))
    app = offer_to_move(App(synced, log_to_file=False))
    try:
        assert app.data_dir == local
        with app.store.read() as db:
            moved = db.execute("SELECT count(*) FROM items").fetchone()[0]
            issues = db.execute("SELECT count(*) FROM issues").fetchone()[0]
        assert moved > 100 and issues > 0
        assert (local / "demo_ward").is_dir(), "the rest of the folder came too"
    finally:
        app.close()
    original = App(synced, log_to_file=False)
    try:
        with original.store.read() as db:
            assert db.execute("SELECT count(*) FROM items").fetchone()[0] == moved, "the original is left as it was"
    finally:
        original.close()
