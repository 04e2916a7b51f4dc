"""Training mode: a separate workspace seeded from the demo ward, every exercise completed through the real
window and recognised, progress per trainee exported, a reset in seconds, and nothing leaving the computer."""

import csv
import socket
import urllib.request

import httpx
import pytest
from localserver import Reply
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox

from networked_councillor.base import netguard
from networked_councillor.base.errors import SourceError
from networked_councillor.plugin_api.http import HttpClient
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.training import exercises as ex
from networked_councillor.training.workspace import (
    training_folder,
)


def post_id(window, post):
    with window.app.store.read() as db:
        return window.exercise_panel.posts.id(db, post)


def select(window, item_ids):
    """Select these items in the inbox, as a ctrl-click would."""
    window.set_filter(InboxFilter(view="all"))
    window.table.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for item_id in item_ids:
        row = window.inbox.position_of(item_id)
        assert row is not None, f"item {item_id} is in the inbox"
        window.table.selectionModel().select(window.inbox.index(row, 0), flags)
    window.table.selectionModel().setCurrentIndex(window.inbox.index(window.inbox.position_of(item_ids[0]), 0),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)
    window.show_detail(item_ids[0])


def done(window, exercise_id):
    window.exercise_panel.refresh()
    return window.exercise_panel.step_states(exercise_id)


def test_the_training_window_says_nothing_is_sent_and_lists_the_exercises(trainer):
    assert trainer.windowTitle().startswith("Training:")
    assert "nothing is posted or sent" in trainer.training_banner.label.text()
    assert trainer.training_banner.isVisible() and trainer.exercise_panel.isVisible()
    assert trainer.exercise_panel.exercise_list.count() == len(ex.EXERCISES)
    assert all(not any(done(trainer, e.id)) for e in ex.EXERCISES), "nothing is done at the start"


def test_the_banners_buttons_show_the_exercises_and_reset_the_workspace(trainer, qtbot):
    trainer.exercise_panel.hide()
    qtbot.mouseClick(trainer.training_banner.exercises_button, Qt.MouseButton.LeftButton)
    assert trainer.exercise_panel.isVisible()
    trainer.pin_action.trigger()
    qtbot.mouseClick(trainer.training_banner.reset_button, Qt.MouseButton.LeftButton)  # asks first: answered Yes
    assert "Training workspace reset" in trainer.statusBar().currentMessage()
    with trainer.app.store.read() as db:
        assert db.execute("SELECT count(*) FROM items WHERE pinned = 1").fetchone()[0] == 0


def test_listen_first(trainer):
    trainer.filter_bar.search.setText("Oak Road closed")
    closure = [post_id(trainer, p) for p in ex.OAK_ROAD_CLOSURE]
    select(trainer, closure)
    trainer.pin_action.trigger()
    assert done(trainer, "listen-first") == [True, True]
    assert "listen-first" in trainer.app.progress.completed("Alex")


def test_teach_the_tagger(trainer):
    wrong_topic = post_id(trainer, ex.WRONG_TOPIC)
    trainer.show_item(wrong_topic)
    trainer.detail.correct_topic.emit(wrong_topic, "parking")  # what the Change topic menu does
    assert done(trainer, "teach-the-tagger") == [True, False]
    trainer.show_detail(post_id(trainer, ex.WRONG_FEELING))
    negative = next(b for b in trainer.detail.feeling.buttons() if b.property("sentiment") == "negative")
    negative.click()
    assert done(trainer, "teach-the-tagger") == [True, True]


def test_the_posts_the_exercises_name_are_ones_the_shipped_model_really_gets_wrong(trainer):
    """Exercise 2 is only worth doing if the tags really are wrong: as the shipped model tagged the demo ward,
    with a confident label (not shown as unsure), on posts the inbox shows."""
    import json

    from networked_councillor.demo import demo_material

    content = {p["id"]: p for p in json.loads((demo_material() / "content.json").read_text())["items"]}
    assert content[ex.WRONG_TOPIC]["topic"] == "parking" and content[ex.WRONG_FEELING]["sentiment"] == "negative"
    with trainer.app.store.read() as db:
        topic = db.execute("SELECT topic, topic_unsure FROM items WHERE id = ?",
                           [post_id(trainer, ex.WRONG_TOPIC)]).fetchone()
        feeling = db.execute("SELECT sentiment, sentiment_unsure FROM items WHERE id = ?",
                             [post_id(trainer, ex.WRONG_FEELING)]).fetchone()
    assert topic[0] != "parking" and not topic[1]
    assert feeling[0] != "negative" and not feeling[1]


def test_show_me_the_post_finds_the_post_a_step_is_about(trainer):
    panel = trainer.exercise_panel
    panel.exercise_list.setCurrentRow(1)  # correct a wrong topic and feeling
    assert not panel.show_me.isHidden()
    panel.show_me.click()
    assert trainer.detail.item["id"] == post_id(trainer, ex.WRONG_TOPIC)
    panel.exercise_list.setCurrentRow(2)
    panel.show_me.click()
    assert trainer.detail.item["id"] == post_id(trainer, ex.HEATED_POST)
    trainer.reply_action.trigger()
    composer = trainer.composers[trainer.detail.item["id"]]
    composer.editor.setPlainText("Thanks Rich, that count is useful.")
    composer.save()
    assert done(trainer, "reply-that-passes")[0], "replying to the named post ticks the step"
    panel.exercise_list.setCurrentRow(0)
    assert panel.show_me.isHidden(), "listening first is about searching, not one post"


def test_a_reply_that_passes_every_check_is_recorded_but_not_sent(trainer):
    thread_post = post_id(trainer, "bsky-002")
    trainer.show_detail(thread_post)
    trainer.reply_action.trigger()
    composer = trainer.composers[thread_post]
    composer.editor.setPlainText("I WILL fix this!!!")
    assert done(trainer, "reply-that-passes") == [False, False], "nothing saved until the autosave"
    composer.save()
    assert done(trainer, "reply-that-passes") == [True, False]
    composer.editor.setPlainText("Thanks Rich, that count is really useful. I've asked highways about signage and "
                                 "a 20mph limit on Mill Lane during the works. Could I share your figures with them?")
    assert not [f for f in composer.findings if f.severity in ("block", "warn")]
    composer.post_button.click()
    assert done(trainer, "reply-that-passes") == [True, True]
    assert not trainer.app.demo_bluesky.created, "training mode posts nothing, even to the local service"
    assert "Nothing was sent" in trainer.statusBar().currentMessage()


def test_a_post_already_in_the_demos_issue_is_added_to_it_and_that_counts(trainer, monkeypatch):
    """forum-012 is part of the demo's fly-tipping issue already: adding reddit-007 to it is the right move."""
    monkeypatch.setattr(QMessageBox, "exec", lambda box: next(
        b for b in box.buttons() if b.text().startswith("Add the other")).click() or 0)
    select(trainer, [post_id(trainer, "forum-012"), post_id(trainer, "reddit-007")])
    trainer.issue_action.trigger()
    assert done(trainer, "one-issue-many-posts") == [True, False]


def test_one_issue_from_two_posts_then_exported(trainer, tmp_path, monkeypatch):
    from networked_councillor.ui.casework_export import ExportDialog
    from networked_councillor.ui.dialogs import LogIssueDialog

    monkeypatch.setattr(LogIssueDialog, "exec", lambda self: 1)
    select(trainer, [post_id(trainer, p) for p in ex.FLYTIPPING[::-1]])  # reddit-007 first: not casework yet
    trainer.issue_action.trigger()
    assert done(trainer, "one-issue-many-posts") == [True, False]
    trainer.open_casework()
    monkeypatch.setattr(ExportDialog, "exec", lambda self: self.file.path.setText(str(tmp_path / "x.csv")) or 1)
    trainer.casework_window.export_button.click()
    assert done(trainer, "one-issue-many-posts") == [True, True]


def test_a_threat_is_recorded_and_closed_without_a_reply(trainer, monkeypatch):
    from networked_councillor.ui.dialogs import LogIssueDialog

    monkeypatch.setattr(LogIssueDialog, "exec", lambda self: 1)
    threat = post_id(trainer, ex.THREAT)
    select(trainer, [threat])
    trainer.issue_action.trigger()
    assert done(trainer, "hostile-post") == [True, False]
    trainer.done_action.trigger()
    assert done(trainer, "hostile-post") == [True, True]


def test_reset_puts_the_workspace_back_and_keeps_progress(trainer, tmp_path):
    test_listen_first(trainer)
    trainer.reset_training()
    assert done(trainer, "listen-first") == [False, False]
    assert "reset in" in trainer.statusBar().currentMessage()
    assert "listen-first" in trainer.app.progress.completed("Alex"), "who did what survives a reset"
    trainer.exercise_panel.refresh()
    assert trainer.exercise_panel.exercise_list.item(0).text().startswith("✔")
    rows = trainer.app.progress.export_csv(tmp_path / "progress.csv")
    with (tmp_path / "progress.csv").open(encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert rows == len(table) == len(ex.EXERCISES)
    assert [r["completed"] for r in table if r["exercise"] == "listen-first"] == ["yes"]


def test_progress_for_several_trainees_is_safe_in_a_spreadsheet(tmp_path):
    from networked_councillor.training.progress import Progress

    progress = Progress(tmp_path)
    progress.add_trainee("=cmd|' /C calc'!A0")
    progress.complete("teach-the-tagger", "2026-11-24T10:00:00+00:00")
    progress.add_trainee("Sam")
    progress.complete("listen-first", "2026-11-24T10:05:00+00:00")
    again = Progress(tmp_path)
    assert again.current == "Sam" and set(again.trainees) == {"=cmd|' /C calc'!A0", "Sam"}
    again.export_csv(tmp_path / "p.csv")
    text = (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    assert "\n=cmd" not in text and "'=cmd" in text


def test_a_damaged_progress_file_is_set_aside_not_fatal(tmp_path):
    from networked_councillor.training.progress import Progress

    (tmp_path / "progress.json").write_text("{not json")
    progress = Progress(tmp_path)
    assert progress.trainees == {} and (tmp_path / "progress.damaged.json").is_file()


class TestNothingLeavesTheComputer:
    @pytest.fixture(autouse=True)
    def guarded(self):
        netguard.loopback_only()
        yield
        netguard.allow_network()

    def test_every_client_refuses_other_hosts_before_any_lookup(self, monkeypatch):
        netguard.allow_network()
        looked_up = []
        real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: looked_up.append(a) or real(*a, **k))
        netguard.loopback_only()
        with pytest.raises(httpx.ConnectError, match="Training mode"):
            httpx.get("https://bsky.social/xrpc/com.atproto.server.describeServer", timeout=2)
        with HttpClient(timeout=2) as http, pytest.raises(SourceError, match="nothing leaves this computer"):
            http.get("https://www.fixmystreet.com/rss/reports/Cambridge")
        with pytest.raises(OSError, match="Training mode"):
            urllib.request.urlopen("http://93.184.216.34/", timeout=2)
        with pytest.raises(OSError, match="Training mode"):
            socket.create_connection(("8.8.8.8", 53), timeout=2)
        raw = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        with pytest.raises(OSError, match="Training mode"):
            raw.connect(("2001:4860:4860::8888", 443))
        raw.close()
        assert looked_up == [], "no name was even looked up"

    def test_atproto_cannot_reach_bluesky(self):
        from atproto import Client

        with pytest.raises(Exception) as refused:
            Client().login("someone.bsky.social", "xxxx-xxxx-xxxx-xxxx")
        assert "Training mode" in str(refused.value.__cause__ or refused.value)

    def test_this_computer_is_still_reachable(self, server):
        server.route("/feed.xml", Reply(b"<rss/>"))
        with HttpClient(timeout=2) as http:
            assert http.get(server.url("/feed.xml")).status == 200


def test_the_training_workspace_is_apart_from_the_councillors_data(seeded):
    from networked_councillor.base import paths

    assert training_folder(seeded) == seeded / "training"
    assert (seeded / "training" / "workspace" / paths.DB_NAME).is_file()
    assert not paths.database_path(seeded).exists(), "the councillor's own database is never created or touched"


def test_reporting_to_the_council_goes_to_the_pretend_council_on_this_computer(trainer, monkeypatch):
    from networked_councillor.casework.issues import get_issue
    from networked_councillor.ui.casework_export import CouncilReportDialog

    trainer.open_casework()
    casework = trainer.casework_window
    with trainer.app.store.read() as db:
        issue_id = db.execute("SELECT id FROM issues WHERE title LIKE 'Pothole%'").fetchone()[0]
    casework.show_issue(issue_id)
    monkeypatch.setattr(CouncilReportDialog, "exec", lambda self: self.service.setCurrentIndex(
        self.service.findData("POTHOLE")) or 1)
    casework.council_button.click()
    (form,) = trainer.app.council.posted_forms()
    assert form["service_code"] == ["POTHOLE"]
    with trainer.app.store.read() as db:
        issue = get_issue(db, issue_id)
    assert issue["status"] == "reported" and issue["agency_ref"] in casework.summary.text()


def test_the_officer_sees_every_trainee_against_every_exercise(trainer, monkeypatch):
    from networked_councillor.ui.training import ProgressTable

    test_teach_the_tagger(trainer)
    trainer.app.progress.add_trainee("Bea")
    shown = []
    monkeypatch.setattr(ProgressTable, "exec", lambda self: shown.append(self) or 1)
    trainer.exercise_panel.show_all_trainees()
    table = shown[0].table
    assert [table.verticalHeaderItem(r).text() for r in range(table.rowCount())] == ["Alex", "Bea"]
    column = [e.id for e in ex.EXERCISES].index("teach-the-tagger")
    assert table.item(0, column).text().startswith("✔") and table.item(1, column).text() == ""


def test_a_new_trainee_is_not_credited_with_what_was_done_before(trainer, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    test_teach_the_tagger(trainer)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bea", True))
    trainer.exercise_panel.new_trainee()
    trainer.exercise_panel.refresh()
    assert trainer.app.progress.current == "Bea" and trainer.app.progress.completed("Bea") == {}
    assert "Bea: 0 of 5" in trainer.exercise_panel.summary.text()


def test_the_first_start_says_what_it_is_doing(qtbot, tmp_path):
    """Setting the training ward up takes seconds the first time: a window says so meanwhile."""
    import threading

    from PySide6.QtWidgets import QApplication, QProgressDialog

    from networked_councillor.ui.main import while_showing

    seen, release = [], threading.Event()

    def work():
        release.wait(10)
        return "ready"

    def look():
        seen.extend(w.labelText() for w in QApplication.topLevelWidgets()
                    if isinstance(w, QProgressDialog) and w.isVisible())
        release.set()

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, look)
    assert while_showing(QApplication.instance(), "Opening the training ward…", work) == "ready"
    assert seen == ["Opening the training ward…"]
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
