"""Shared casework in the real window: set up in Settings, synced in the background, shown in the casework
window and the status bar, against a real PostgreSQL server on loopback."""

from __future__ import annotations

import shutil

import pytest
from conftest import close_for_good
from PySide6.QtCore import Qt
from sharedcase import NORTH, SOUTH, add, laptop

from networked_councillor.app import App
from networked_councillor.base.secrets import SecretStore
from networked_councillor.casework import ops
from networked_councillor.shared.connection import SharedSettings
from networked_councillor.ui.itemmodels.issues import HANDLED_BY
from networked_councillor.ui.main_window import MainWindow
from networked_councillor.ui.tasks import TaskRunner


def open_window(qtbot, folder, login=None, settings=None):
    app = App(folder, log_to_file=False)
    app.shared_secrets = SecretStore("shared-casework", memory={"password": f"pw-{login}"} if login else {})
    if settings is not None:
        with app.store.write() as db:
            settings.save(db)
    window = MainWindow(app, runner=TaskRunner(inline=True), welcome=False)
    window.show()
    return window


@pytest.fixture
def ann_window(qtbot, postgres_server, shared_db, demo_folder, tmp_path):
    """Cllr Ann's window on the demo ward, sharing its casework; the demo's seven issues go to the database."""
    add(postgres_server, shared_db, "cllr_ann", name="Cllr Ann Patel")
    add(postgres_server, shared_db, "off_olga", "officer", wards=(NORTH, SOUTH), name="Olga Reyes")
    shutil.copytree(demo_folder, tmp_path / "ann")
    window = open_window(qtbot, tmp_path / "ann", "cllr_ann",
                         SharedSettings(address=postgres_server.address(shared_db), user="cllr_ann"))
    qtbot.waitUntil(lambda: "Shared casework: synced" in window.shared.label.text(), timeout=30_000)
    yield window
    close_for_good(window, window.app)


def test_an_officer_assigns_an_issue_and_the_councillors_window_shows_it(ann_window, postgres_server, shared_db,
                                                                          qtbot, tmp_path):
    window = ann_window
    window.open_casework()
    casework = window.casework_window
    model = casework.model
    assert model.headerData(8, Qt.Orientation.Horizontal) == HANDLED_BY
    olga = laptop(postgres_server, shared_db, tmp_path / "olga", "off_olga")
    try:
        olga.sync_shared()
        with olga.store.read() as db:
            issue_id = db.execute("SELECT id FROM issues WHERE reference = 'MI-0003'").fetchone()[0]
        olga.perform(ops.edit, issue_id, {"assigned_to": "off_olga"}, note="Picking this up while Ann is away")
        olga.sync_shared()
    finally:
        olga.close()
    def handled_by_olga():
        rows = {model.index(r, 0).data(): r for r in range(model.rowCount())}
        return "MI-0003" in rows and model.index(rows["MI-0003"], 8).data() == "Olga Reyes"

    qtbot.waitUntil(handled_by_olga, timeout=10_000)  # by notification: polling would take 30 s
    with window.app.store.read() as db:
        ann_id = db.execute("SELECT id FROM issues WHERE reference = 'MI-0003'").fetchone()[0]
    casework.show_issue(ann_id)
    panel = casework.panel
    assert panel.handled_by.currentText() == "Olga Reyes"
    lines = [panel.timeline.item(n).text() for n in range(panel.timeline.count())]
    assert any("Olga Reyes: Picking this up while Ann is away" in line for line in lines)
    assert any("Olga Reyes: Handled by: Olga Reyes" in line for line in lines)
    assert casework.mine.isVisible()
    casework.mine.setChecked(True)  # nothing is Ann's yet
    assert model.rowCount() == 0
    casework.mine.setChecked(False)
    casework.show_issue(ann_id)
    # Ann takes it back in the panel: it reaches the database, and it is hers
    panel.handled_by.setCurrentIndex(panel.handled_by.findData("cllr_ann"))
    panel.save()
    casework.mine.setChecked(True)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["MI-0003"]
    with postgres_server.connect(shared_db) as it:
        def in_database():
            return it.execute("SELECT value #>> '{}' FROM casework.issue_event WHERE field = 'assigned_to' "
                              "ORDER BY seq DESC LIMIT 1").fetchone() == ("cllr_ann",)
        qtbot.waitUntil(in_database, timeout=10_000)


def test_settings_connect_a_laptop_and_the_status_bar_says_when_it_synced(qtbot, postgres_server, shared_db,
                                                                         demo_folder, tmp_path, monkeypatch):
    from networked_councillor.ui.secret_prompt import SecretPrompt
    from networked_councillor.ui.settings_dialog import SettingsDialog

    add(postgres_server, shared_db, "cllr_ann", name="Cllr Ann Patel", wards=(NORTH, SOUTH))
    shutil.copytree(demo_folder, tmp_path / "ann")
    window = open_window(qtbot, tmp_path / "ann")
    try:
        assert not window.shared.label.isVisible()
        dialog = SettingsDialog(window, tab="council")
        box = dialog.council.shared
        box.address.setText(postgres_server.address(shared_db))
        box.user.setText("cllr_ann")
        monkeypatch.setattr(SecretPrompt, "ask", classmethod(lambda cls, parent, label: "pw-cllr_ann"))
        box.set_password()
        assert "Saved in the password store" in box.password_state.text()
        box.check()
        assert "Connected as Cllr Ann Patel, councillor: North Ward, South Ward" in box.result.text()
        assert box.ward.count() == 2
        box.ward.setCurrentIndex(box.ward.findData(SOUTH[0]))
        box.save()
        qtbot.waitUntil(lambda: "Shared casework: synced" in window.shared.label.text(), timeout=30_000)
        assert window.shared.label.isVisible()
        assert "Cllr Ann Patel, councillor: North Ward, South Ward" in window.shared.label.toolTip()
        with postgres_server.connect(shared_db) as it:
            assert it.execute("SELECT ward_id, count(*) FROM casework.issue GROUP BY 1").fetchall() == [(SOUTH[0], 7)]
        box.stop_sharing()
        assert not window.shared.label.isVisible() and window.shared.loop is None
        assert window.app.shared_secrets.get("password") is None
        dialog.close()
    finally:
        close_for_good(window, window.app)


def test_offline_the_status_bar_says_so_and_what_waits(qtbot, demo_folder, tmp_path):
    shutil.copytree(demo_folder, tmp_path / "ann")
    window = open_window(qtbot, tmp_path / "ann", "cllr_ann", SharedSettings(address="127.0.0.1:1/casework",
                                                                             user="cllr_ann"))
    try:
        qtbot.waitUntil(lambda: "offline" in window.shared.label.text(), timeout=30_000)
        text = window.shared.label.text()
        assert text.startswith("Shared casework: offline (last synced never)")
        with window.app.store.read() as db:
            entries = db.execute("SELECT count(*) FROM issue_events").fetchone()[0]
        assert text.endswith(f", {entries} waiting to send")
        assert "cannot be reached just now" in window.shared.label.toolTip()
        window.open_casework()  # the casework works as ever, offline
        assert window.casework_window.model.rowCount() == 6
        window.app.perform(ops.add_note, 1, "Rang the resident")
        qtbot.waitUntil(lambda: window.shared.label.text().endswith(f", {entries + 1} waiting to send"),
                        timeout=30_000)
    finally:
        close_for_good(window, window.app)


def test_an_officer_never_posts_a_reply_as_a_councillor(qtbot, postgres_server, shared_db, demo_folder, tmp_path):
    add(postgres_server, shared_db, "off_olga", "officer", name="Olga Reyes")
    shutil.copytree(demo_folder, tmp_path / "olga")
    window = open_window(qtbot, tmp_path / "olga", "off_olga",
                         SharedSettings(address=postgres_server.address(shared_db), user="off_olga"))
    try:
        qtbot.waitUntil(lambda: "Shared casework: synced" in window.shared.label.text(), timeout=30_000)
        with window.app.store.read() as db:  # a Bluesky post: the demo's account could post a reply to it
            item_id = db.execute("SELECT items.id FROM items JOIN sources ON sources.id = items.source_id "
                                 "WHERE sources.plugin = 'bluesky' LIMIT 1").fetchone()[0]
        window.show_item(item_id)
        window.reply_action.trigger()
        composer = window.composers[item_id]
        composer.editor.setPlainText("Thanks for flagging this, I'll pass it to the highways team.")
        assert composer.post_button is not None and not composer.post_button.isEnabled()
        assert "you do not post replies as a councillor" in composer.status.text()
        assert composer.copy_only_button.isEnabled()  # the officer can copy it for the councillor
    finally:
        close_for_good(window, window.app)


def test_the_audit_log_shows_the_shared_record_of_who_changed_what(ann_window, qtbot):
    from networked_councillor.ui.audit_view import AuditLogDialog

    dialog = AuditLogDialog(ann_window, ann_window.app.store, app=ann_window.app, runner=ann_window.runner)
    assert dialog.tabs.count() == 2 and dialog.tabs.tabText(1) == "Shared casework"
    table = dialog.shared_table
    rows = [[table.item(r, c).text() for c in range(5)] for r in range(table.rowCount())]
    issues = [row for row in rows if row[3]]
    assert issues and all(row[1] == "Cllr Ann Patel" and row[2] == "North Ward" for row in issues)
    assert ["postgres", "North Ward", "", "added off_olga to the ward"] in [row[1:] for row in rows]
    assert {"MI-0001", "MI-0007"} <= {row[3] for row in rows}
    assert any(row[4] == "created" for row in rows) and any(row[4] == "changed status" for row in rows)
    dialog.close()


def test_without_shared_casework_the_window_is_as_it_was(window):
    assert not window.shared.label.isVisible() and window.shared.loop is None
    window.open_casework()
    assert window.casework_window.model.columnCount() == 8
    assert not window.casework_window.mine.isVisible()
    panel = window.casework_window.panel
    panel.show_issue(1)
    assert not panel.form.isRowVisible(panel.handled_by)
    assert "assigned_to" not in panel.changes()
