"""The facilitator guide, quick reference and exercise sheet: printed to PDFs that render, one page for the quick
reference, and readable in the app's help viewer without loading anything."""

import shutil
import subprocess
import unicodedata

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from networked_councillor.cli.main import main
from networked_councillor.printing.handouts import HANDOUTS, handout_text, write_handouts
from networked_councillor.training.exercises import EXERCISES
from networked_councillor.ui.help_viewer import HelpViewer


def pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    assert main(["training", "handouts", "--out", str(out)]) == 0
    return out


def test_every_handout_is_printed_and_renders(printed, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    for name in HANDOUTS:
        pdf = printed / f"{name}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)],
                       check=True)
        image = QImage(str(next(tmp_path.glob(f"{name}*.png"))))
        inked = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
                    if image.pixelColor(x, y).lightness() < 160)
        assert inked > 300, f"page 1 of {name} has text on it"


def test_the_quick_reference_is_one_page_and_the_guide_covers_the_session(printed):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert pages(printed / "quick_reference.pdf") == 1
    guide = unicodedata.normalize("NFKC", subprocess.run(  # NFKC: the PDF's "ﬂ" ligature back to "fl"
        ["pdftotext", str(printed / "facilitator_guide.pdf"), "-"], capture_output=True, text=True, check=True).stdout)
    for phrase in ("90-minute", "Reset training workspace", "digital footprint", "3. Influencing and leading",
                   "Page 1 of"):
        assert phrase in guide


def test_the_exercise_sheet_matches_the_exercises_in_the_app():
    sheet = handout_text("exercise_sheet")
    for number, exercise in enumerate(EXERCISES, 1):
        assert f"## {number}. {exercise.title}" in sheet


def test_the_help_viewer_shows_each_document_and_loads_nothing(qtbot, monkeypatch):
    viewer = HelpViewer(None, "quick_reference")
    qtbot.addWidget(viewer)
    assert "Listen, engage, act" in viewer.page.toPlainText()
    loaded = []
    monkeypatch.setattr(viewer.page, "loadResource", lambda kind, url: loaded.append(url))
    for row in range(viewer.contents.count()):
        viewer.contents.setCurrentRow(row)
        assert viewer.page.toPlainText().strip()
    assert viewer.current == "exercise_sheet" and not loaded


def test_handouts_print_black_on_white_whatever_the_screens_theme(tmp_path):
    """A councillor working in the dark theme prints handouts an officer can read."""
    from networked_councillor.ui.theme import apply_theme

    app = QApplication.instance()
    apply_theme(app, "dark")
    try:
        write_handouts(tmp_path)
    finally:
        apply_theme(app, "light")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(tmp_path / "quick_reference.pdf"),
                    str(tmp_path / "page")], check=True)
    image = QImage(str(next(tmp_path.glob("page*.png"))))
    inked = sum(1 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
                if image.pixelColor(x, y).lightness() < 160)
    assert inked > 300
