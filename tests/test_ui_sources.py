"""Adding and editing sources in Settings: a save is all or nothing, and what the app set itself survives."""

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from networked_councillor.demo import DEMO_BLUESKY
from networked_councillor.store import sources as source_store
from networked_councillor.ui.settings_sources import SourceEditor


def source(window, source_id):
    with window.app.store.read() as db:
        return source_store.get(db, source_id)


def edit(window, source_id, **typed) -> SourceEditor:
    window.open_settings("sources")
    editor = SourceEditor(window.settings_dialog, window.app.registry.plugins, source(window, source_id))
    editor.show()
    for key, text in typed.items():
        editor.inputs[key].setText(text)
    editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    return editor


def test_a_source_edit_whose_password_cannot_be_kept_changes_nothing(window, monkeypatch, no_keyring):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    before = source(window, DEMO_BLUESKY)
    editor = edit(window, DEMO_BLUESKY, handle="jo-whitfield.bsky.social", app_password="abcd-efgh-ijkl-mnop")
    assert warnings and "password store" in warnings[0]
    assert editor.isVisible(), "the editor stays open with what was typed"
    editor.reject()
    after = source(window, DEMO_BLUESKY)
    assert after.config == before.config and after.name == before.name, "neither the handle nor anything else"
    assert after.config.get("demo") is True


def test_a_saved_edit_keeps_what_the_app_set_and_notes_the_secret(window, memory_keyring):
    editor = edit(window, DEMO_BLUESKY, handle="jo-whitfield.bsky.social", app_password="abcd-efgh-ijkl-mnop")
    assert not editor.isVisible()
    row = source(window, DEMO_BLUESKY)
    assert row.config["handle"] == "jo-whitfield.bsky.social" and row.config["demo"] is True
    assert row.keeps_secrets is True
    assert memory_keyring.secrets[("networked-councillor", f"{DEMO_BLUESKY}:app_password")] == "abcd-efgh-ijkl-mnop"
