"""The morning briefing for the demo ward: each section checked against the data it counts, written as HTML and
PDF, shown by the window on the first start of a day (and not again that day)."""

import shutil
import subprocess
import unicodedata
from datetime import timedelta

import pytest
from mailfiles import resident_email, write

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.casework import ops
from networked_councillor.casework.issues import NewIssue
from networked_councillor.cli.main import main
from networked_councillor.ingest.imports import holding_source
from networked_councillor.plugin_api.source import RawItem
from networked_councillor.printing import briefing
from networked_councillor.store import inbox as inbox_store
from networked_councillor.store import settings as settings_store


@pytest.fixture
def app(demo_folder, tmp_path):
    shutil.copytree(demo_folder, tmp_path / "data")
    with App(tmp_path / "data", log_to_file=False) as app:
        yield app


def diary(app):
    """A consultation closing in three days, one in ten, a meeting in two days and one last week."""
    now = clock.utcnow()
    items = [
        RawItem("c-soon", title="Millbrook Park: play area consultation", kind="consultation", created_at=now,
                extra={"end": (now + timedelta(days=3)).isoformat(), "ward_feed": True}),
        RawItem("c-later", title="Library opening hours", kind="consultation", created_at=now,
                extra={"end": (now + timedelta(days=10)).isoformat(), "ward_feed": True}),
        RawItem("m-soon", title="Millbrook Area Committee", kind="meeting", created_at=now + timedelta(days=2),
                extra={"ward_feed": True}),
        RawItem("m-past", title="Planning Committee", kind="meeting", created_at=now - timedelta(days=6),
                extra={"ward_feed": True}),
    ]
    pipeline = app.pipeline(tagger=None)
    pipeline.ingest(holding_source(app.store, app.registry.get("by-hand")), items)


def test_each_section_of_the_briefing_matches_the_data(app, tmp_path):
    now = clock.utcnow()
    since = now - timedelta(days=1)
    diary(app)
    app.import_files([write(tmp_path, "a.eml", resident_email("brief@example.org"))])
    with app.store.write() as db:
        waiting = [r[0] for r in db.execute("SELECT id FROM items WHERE kind = 'post' ORDER BY created_at DESC LIMIT 3")]
        inbox_store.set_state(db, waiting, "needs_reply")
        db.execute("UPDATE sources SET last_error = 'The forum answered 503.' WHERE id = "
                   "(SELECT id FROM sources WHERE enabled = 1 ORDER BY id LIMIT 1)")
        settings_store.save_view(db, "Oak Road", {"view": "all", "query": "Oak Road"})
        briefing.choose_searches(db, ["Oak Road"])
    issue = app.perform(ops.log_issue, NewIssue(title="Bins <script>x</script> on Elm Grove")).value
    with app.store.read() as db:
        b = briefing.build(db, now)
        threshold = settings_store.load_ward(db).effective_threshold
        new = db.execute("SELECT count(*) FROM items WHERE first_seen_at >= ? AND relevance >= ? AND kind != 'email'",
                         [since.isoformat(timespec="seconds"), threshold]).fetchone()[0]
        emails = db.execute("SELECT count(*) FROM items WHERE kind = 'email' AND first_seen_at >= ?",
                            [since.isoformat(timespec="seconds")]).fetchone()[0]
        overdue = {r[0] for r in db.execute(
            "SELECT reference FROM issues WHERE due_date < ? AND status NOT IN ('resolved', 'closed')",
            [now.date().isoformat()])}
        failing = [r[0] for r in db.execute("SELECT name FROM sources WHERE last_error IS NOT NULL AND enabled = 1")]
        oak = db.execute("SELECT count(*) FROM items_fts JOIN items ON items.id = items_fts.rowid WHERE items_fts "
                         "MATCH '\"Oak Road\"' AND items.relevance >= ? AND items.created_at >= ? AND kind != 'email'",
                         [threshold, since.isoformat(timespec="seconds")]).fetchone()[0]
    assert b.new_total == new > 0 and b.new_emails == emails == 4  # the demo's three and the one brought in
    assert sorted(i["id"] for i in b.needs_reply) == sorted(waiting) and b.needs_reply_total == 3
    assert {i["reference"] for i in b.overdue} == overdue and overdue
    assert [i["id"] for i in b.updated] == [issue]
    assert [c["title"] for c in b.closing] == ["Millbrook Park: play area consultation"]
    assert [m["title"] for m in b.meetings] == ["Millbrook Area Committee"]
    assert [name for name, _ in b.failing] == failing and len(failing) == 1
    assert b.searches == [("Oak Road", oak)]
    assert [r.topic for r in b.rising] and all(r.this_week >= 3 for r in b.rising)

    page = briefing.to_html(b)
    assert "<script>" not in page and "Bins &lt;script&gt;" in page
    for heading in ("New since yesterday", "Topics rising this week", "Waiting for your reply (3)", "Casework overdue",
                    "Consultations closing in the next week", "Meetings in the next week", "Your saved searches",
                    "Sources with a problem", "The forum answered 503."):
        assert heading in page


def test_the_briefing_is_written_as_one_printed_page_and_as_html(app, tmp_path, capsys):
    pdf, page = tmp_path / "briefing.pdf", tmp_path / "briefing.html"
    assert main(["--data-dir", str(app.data_dir), "briefing", "--out", str(pdf)]) == 0
    assert main(["--data-dir", str(app.data_dir), "briefing", "--out", str(page)]) == 0
    assert main(["--data-dir", str(app.data_dir), "briefing", "--out", str(tmp_path / "b.docx")]) == 2
    text = unicodedata.normalize("NFKC", subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                                         text=True, check=True).stdout)  # the "fi" ligature
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Morning briefing: Millbrook" in text and "Casework overdue" in text and "Pages:           1" in info
    assert "Morning briefing: Millbrook" in page.read_text()
    assert "written as .pdf or .html" in capsys.readouterr().err


def test_the_window_opens_the_briefing_on_the_first_start_of_a_day_only(window, qtbot):
    from networked_councillor.ui.briefing_view import offer_briefing

    offer_briefing(window)
    dialog = window.briefing_dialog
    assert dialog.isVisible() and "Morning briefing: Millbrook" in dialog.page.toPlainText()
    dialog.close()
    window.briefing_dialog = None
    offer_briefing(window)  # the same day: not again
    assert window.briefing_dialog is None
    dialog = window.briefing_action.trigger() or window.briefing_dialog  # asked for: always
    assert dialog.isVisible()
    dialog.daily.setChecked(False)
    with window.app.store.read() as db:
        assert settings_store.get_setting(db, briefing.DAILY_KEY) is False
        assert not briefing.due_today(db, (clock.today() + timedelta(days=1)).isoformat())


def test_emailing_the_briefing_to_oneself_fits_a_mail_clients_address(window, monkeypatch):
    from networked_councillor.replies.email_reply import MAILTO_LIMIT
    from networked_councillor.ui import briefing_view

    opened = []
    monkeypatch.setattr(briefing_view, "open_address", lambda url: opened.append(url.toString(
        url.ComponentFormattingOption.FullyEncoded)) or None)
    dialog = briefing_view.show_briefing(window)
    dialog.email()
    assert opened[0].startswith("mailto:?subject=Morning%20briefing") and len(opened[0]) <= MAILTO_LIMIT
    assert "the%20whole%20briefing%20is%20in%20the%20app" in opened[0]  # the demo's briefing is longer than that
