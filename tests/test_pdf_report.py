"""The PDF ward report on the demo ward: it opens, says the right things, draws its charts, and carries no
resident's contact details."""

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from PySide6.QtGui import QImage

from networked_councillor.app import App
from networked_councillor.core import audit, clock
from networked_councillor.core.casework import Contact, NewIssue, create_issue
from networked_councillor.core.errors import ExportError
from networked_councillor.exporters.pdf import export_ward_report

TODAY = date.today()


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


def test_the_report_says_what_happened_in_the_period(app, tmp_path):
    path = tmp_path / "report.pdf"
    start = TODAY - timedelta(days=30)
    data, pages = export_ward_report(app.store, path, start, TODAY)
    assert path.read_bytes().startswith(b"%PDF") and pages >= 2
    text = pdf_text(path)
    assert "Millbrook ward" in text and f"{TODAY:%B %Y}" in text
    assert "Issues by status" in text and "Posts worth reading" in text and "Overdue issues" in text
    assert f"Page 1 of {pages}" in text
    assert data.top_items and data.top_items[0].excerpt[:30] in " ".join(text.split())
    assert "Zebedee" not in text and "900999" not in text, "no resident's contact details"
    with app.store.read() as db:
        entry = audit.entries(db, action="export")[0]
    assert entry["detail"]["format"] == "pdf" and entry["personal_data"] is False


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
    _data, pages = export_ward_report(app.store, path, date(2001, 1, 1), date(2001, 1, 31))
    assert pages >= 1
    text = pdf_text(path)
    assert "January 2001" in text and "Millbrook" in text


def test_a_missing_folder_is_explained_and_an_older_report_kept(app, tmp_path):
    with pytest.raises(ExportError, match="no folder"):
        export_ward_report(app.store, tmp_path / "nowhere" / "r.pdf", TODAY - timedelta(days=7), TODAY)
    with app.store.read() as db:
        assert not [e for e in audit.entries(db, action="export") if e["detail"].get("format") == "pdf"]


def test_links_to_bluesky_posts_do_not_name_their_authors(app, tmp_path):
    data, _pages = export_ward_report(app.store, tmp_path / "r.pdf", TODAY - timedelta(days=60), TODAY)
    bluesky = [item.url for item in data.top_items if "bsky.app" in item.url]
    assert bluesky and all("/profile/did:" in url for url in bluesky)
