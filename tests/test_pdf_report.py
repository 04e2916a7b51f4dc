"""The PDF ward report on the demo ward: it opens, says the right things, draws its charts, and carries no
resident's contact details."""

import json
import shutil
import subprocess
import unicodedata
from datetime import date, timedelta

import pytest
from PySide6.QtGui import QImage

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.base.errors import ExportError
from networked_councillor.casework import audit
from networked_councillor.casework.issues import Contact, NewIssue, create_issue
from networked_councillor.printing.pdf import export_ward_report
from networked_councillor.printing.report_privacy import public_text

TODAY = clock.today()


@pytest.fixture
def app(demo_folder, tmp_path):
    shutil.copytree(demo_folder, tmp_path / "data")
    with App(tmp_path / "data", log_to_file=False) as demo:
        with demo.store.write() as db:
            create_issue(db, NewIssue(title="Fence down on Mill Lane", ward="Millbrook",
                                      contact=Contact(name="Zebedee Quatermass", phone="07700 900999")),
                         clock.now_iso())
        yield demo


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def words(text: str) -> str:
    """The text as one line of words, so wrapping and table spacing do not matter."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def add_loud_post(store) -> None:
    """A post everyone reacted to, quoting a resident's phone, email, house and handle: it tops the report."""
    now = clock.utcnow().isoformat(timespec="seconds")
    with store.write() as db:
        db["items"].insert({
            "source_id": "hand-made", "external_id": "loud-1", "url": "https://mastodon.example/@pargeter/1234",
            "title": "Burst main flooding Mill Lane",
            "text": "Burst main flooding Mill Lane. Water pouring out by 14 Mill Lane since six. Ring Mrs Pargeter "
                    "on 07700 900123 or pargeter@example.net, or message @pargeter.bsky.social for access.",
            "topic": "flooding", "sentiment": "negative", "relevance": 1.0, "created_at": now,
            "first_seen_at": now, "engagement": json.dumps({"likes": 900, "replies": 150}),
        })


def test_the_report_says_what_happened_in_the_period(app, tmp_path):
    path = tmp_path / "report.pdf"
    start = TODAY - timedelta(days=30)
    data, pages = export_ward_report(app.store, path, start, TODAY)
    assert path.read_bytes().startswith(b"%PDF") and pages >= 2
    text = words(pdf_text(path))
    assert "Millbrook ward" in text and f"{start.day} {start:%B}" in text and f"{TODAY:%B %Y}" in text
    assert "Issues by status" in text and "Issues by topic" in text and "Posts worth reading" in text
    assert "New" in dict(data.issues_by_status), "the issue logged today is new"
    for status, count in data.issues_by_status:
        assert f"{status} {count}" in text, f"the status table shows {status}: {count}"
    assert f"{data.issues_logged} issues were logged" in text and f"{data.issues_open_at_end} were still open" in text
    assert f"Page 1 of {pages}" in text
    assert data.top_items and data.top_items[0].excerpt[:40] in text
    assert "Zebedee" not in text and "900999" not in text, "no resident's contact details"
    with app.store.read() as db:
        entry = audit.entries(db, action="export")[0]
    assert entry["detail"]["format"] == "pdf" and entry["detail"]["file"] == "report.pdf"
    assert entry["detail"]["from"] == start.isoformat() and entry["detail"]["pages"] == pages
    assert entry["personal_data"] is False


def test_quoted_posts_carry_no_personal_data(app, tmp_path):
    add_loud_post(app.store)
    path = tmp_path / "report.pdf"
    data, _pages = export_ward_report(app.store, path, TODAY - timedelta(days=7), TODAY)
    assert data.top_items[0].title == "Burst main flooding Mill Lane"
    assert data.top_items[0].url == "", "a link that names its author is left out"
    text = words(pdf_text(path))
    assert "Burst main flooding Mill Lane" in text and "Ring Mrs Pargeter on [phone number removed]" in text
    for personal in ("07700 900123", "900123", "pargeter@", "@pargeter", "14 Mill Lane", "mastodon.example"):
        assert personal not in text
    assert "@cllr-jo-whitfield.bsky.social" in public_text("Thanks @cllr-jo-whitfield.bsky.social",
                                                          ["cllr-jo-whitfield.bsky.social"]), "the councillor's own"


def test_the_first_page_is_drawn(app, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    export_ward_report(app.store, path, TODAY - timedelta(days=30), TODAY)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    image = QImage(str(next(tmp_path.glob("page*.png"))))
    assert image.width() > 200 and image.height() > image.width(), "A4 portrait"
    dark = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 200, "the title block, figures and charts are drawn"


def test_a_quiet_period_still_makes_a_readable_report(app, tmp_path):
    path = tmp_path / "quiet.pdf"
    data, pages = export_ward_report(app.store, path, date(2001, 1, 1), date(2001, 1, 31))
    assert pages == 1 and data.nothing_to_report
    text = words(pdf_text(path))
    assert "1 to 31 January 2001" in text and "Millbrook ward" in text
    assert "There is nothing to report for 1 to 31 January 2001" in text
    assert "Posts worth reading" not in text


@pytest.mark.parametrize("where, reason", [("nowhere/r.pdf", "there is no folder"), (".", "is a folder")])
def test_a_bad_place_is_explained_and_an_older_report_kept(app, tmp_path, where, reason):
    older = tmp_path / "older.pdf"
    older.write_bytes(b"%PDF-1.4 older")
    with pytest.raises(ExportError, match=reason) as raised:
        export_ward_report(app.store, tmp_path / where, TODAY - timedelta(days=7), TODAY)
    assert "Traceback" not in str(raised.value) and raised.value.hint
    assert older.read_bytes() == b"%PDF-1.4 older"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == ["older.pdf"], "nothing left behind"
    with app.store.read() as db:
        assert not [e for e in audit.entries(db, action="export") if e["detail"].get("format") == "pdf"]


def test_a_report_replaces_an_older_one_of_the_same_name(app, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"not a report")
    export_ward_report(app.store, path, TODAY - timedelta(days=7), TODAY)
    assert path.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_links_to_bluesky_posts_do_not_name_their_authors(app, tmp_path):
    data, _pages = export_ward_report(app.store, tmp_path / "r.pdf", TODAY - timedelta(days=60), TODAY)
    bluesky = [item.url for item in data.top_items if "bsky.app" in item.url]
    assert bluesky and all("/profile/did:" in url for url in bluesky)


@pytest.mark.parametrize("url, kept", [
    ("https://mastodon.example/@jane/1234", False),
    ("https://mastodon.example/users/jane/statuses/1234", False),
    ("https://www.reddit.com/user/jane/comments/abc/", False),
    ("https://mastodon.example/@cllrjo/99", True),  # the councillor's own
    ("https://www.reddit.com/r/Ashcombe/comments/abc/potholes/", True),
    ("https://forum.millbrook.example/t/oak-road/101/1", True),
])
def test_links_that_name_their_author_are_left_out(url, kept):
    from networked_councillor.printing.report_data import _anonymous_link

    assert _anonymous_link(url, "x", ["@cllrjo@mastodon.example"]) == (url if kept else "")


@pytest.mark.parametrize("this_week, usual, words", [
    (13, 1.0, "13.0 × usual"),  # it once said 7.0x: (13 + 1) / (1 + 1)
    (9, 4.5, "2.0 × usual"),
    (9, 0.25, "up from almost none"),  # 36 times a quarter of a post says nothing useful
])
def test_the_change_in_a_rising_topic_is_said_plainly(this_week, usual, words):
    from networked_councillor.insights.trends import Rising

    assert Rising("parking", this_week, usual, ratio=(this_week + 1) / (usual + 1)).change == words
