"""Tools > Find and erase a person, and Settings > Data, in the real window on the demo ward."""

from PySide6.QtWidgets import QMessageBox

from networked_councillor.casework import audit
from networked_councillor.ui.privacy_dialog import PrivacyDialog


def test_find_review_and_erase_a_resident(window, monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr(PrivacyDialog, "exec", lambda self: shown.append(self) or 1)
    window.privacy_action.trigger()
    dialog = shown[0]
    dialog.name.setText("Claire Hopkins")
    dialog.find_button.click()
    assert dialog.results.topLevelItemCount() >= 2 and "Found" in dialog.summary.text()
    own = next(dialog.results.topLevelItem(n) for n in range(dialog.results.topLevelItemCount())
               if dialog.results.topLevelItem(n).text(0).startswith("Post they wrote"))
    assert own.childCount() >= 1
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)
    dialog.erase_button.click()
    assert asked and "cannot be undone" in asked[0][2]
    assert "Erasure" in dialog.summary.text() and dialog.record_button.isEnabled()
    with window.app.store.read() as db:
        left = db.execute("SELECT count(*) FROM authors WHERE display_name = 'Claire Hopkins'").fetchone()[0]
        assert left == 0 and audit.entries(db, action="erase_person")
        assert db.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH '\"Claire Hopkins\"'").fetchone()[0] == 0
    monkeypatch.setattr("networked_councillor.ui.privacy_dialog.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "record.txt"), ""))
    dialog.save_record()
    assert "Claire Hopkins" in (tmp_path / "record.txt").read_text()


def test_an_unticked_record_is_kept(window, monkeypatch):
    from PySide6.QtCore import Qt

    dialog = PrivacyDialog(window)
    dialog.name.setText("Claire Hopkins")
    dialog.find()
    group = dialog.results.topLevelItem(0)
    for n in range(dialog.results.topLevelItemCount()):
        for k in range(dialog.results.topLevelItem(n).childCount()):
            dialog.results.topLevelItem(n).child(k).setCheckState(0, Qt.CheckState.Unchecked)
    assert dialog.ticked().findings == [] and group.childCount()


def test_retention_is_set_and_applied_from_settings(window, monkeypatch):
    told = []
    monkeypatch.setattr("networked_councillor.ui.settings_data.QMessageBox.information",
                        lambda *a: told.append(a[2]))
    window.open_settings("data")
    page = window.settings_dialog.pages["data"]
    page.retention.setValue(7)
    page.contact_retention.setValue(30)
    page._purge_now()
    with window.app.store.read() as db:
        from networked_councillor.store import settings as settings_store

        assert settings_store.get_setting(db, "retention.days") == 7
        assert settings_store.get_setting(db, "retention.contact_days") == 30
    assert told and told[0].startswith("Retention:")
