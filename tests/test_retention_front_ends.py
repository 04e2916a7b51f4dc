"""Retention after a fetch is the fetch's own last step, so the window and the command line apply it alike."""

import shutil
from datetime import timedelta

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.casework.retention import DAYS_SETTING
from networked_councillor.cli.main import main
from networked_councillor.store import settings as settings_store

KEEP_DAYS = 30


def first_seen_long_ago(data_dir) -> int:
    """Every post first seen 40 days ago, posts kept 30 days: how many posts there are."""
    app = App(data_dir, log_to_file=False)
    try:
        with app.store.write() as db:
            settings_store.set_setting(db, DAYS_SETTING, KEEP_DAYS)
            db.execute("UPDATE items SET first_seen_at = ?", [(clock.utcnow() - timedelta(days=40)).isoformat()])
            return db.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        app.close()


def posts_left(store) -> int:
    with store.read() as db:
        return db.execute("SELECT count(*) FROM items").fetchone()[0]


def test_the_command_line_fetch_applies_retention_as_the_window_does(window, demo_folder, tmp_path, capsys):
    cli_folder = tmp_path / "cli"
    shutil.copytree(demo_folder, cli_folder)
    before = first_seen_long_ago(cli_folder)
    assert main(["--data-dir", str(cli_folder), "fetch"]) == 0
    out = capsys.readouterr().out
    app = App(cli_folder, log_to_file=False)
    try:
        left_by_cli = posts_left(app.store)
    finally:
        app.close()
    assert left_by_cli < before, "old posts nobody worked on went"
    assert "Retention: deleted" in out and "old post" in out

    assert first_seen_long_ago(window.app.data_dir) == before
    window.background.fetch()
    assert posts_left(window.app.store) == left_by_cli, "the same posts went, whichever front end fetched"
    assert "Retention: deleted" in window.statusBar().currentMessage()
