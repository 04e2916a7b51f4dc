"""The training handouts (facilitator guide, quick reference, exercise sheet): Markdown in `training_material/`,
shown in the app's help viewer and printed to A4 PDFs with Qt's own PDF writer.

One source for both, so what the officer prints is what the trainee reads on screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPdfWriter,
    QTextDocument,
)

from networked_councillor.base import paths
from networked_councillor.base.errors import ExportError
from networked_councillor.base.files import write_whole
from networked_councillor.printing.pdf import ensure_qt_app

HANDOUTS = {
    "facilitator_guide": "Facilitator guide",
    "quick_reference": "Quick reference",
    "exercise_sheet": "Exercise sheet",
}
RESOLUTION = 300
MARGIN_MM = 16
FOOTER_MM = 8
PAPER_TEXT = "#1a1a1a"
BODY_POINTS = 10
STYLE = """
body { color: #1a1a1a; }
h1 { color: #1f4e79; font-size: 20pt; }
h2 { color: #1f4e79; font-size: 14pt; margin-top: 12px; }
th { background-color: #e8eef5; text-align: left; }
td, th { padding: 3px; }
"""


def handout_path(name: str) -> Path:
    if name not in HANDOUTS:
        raise ExportError(f"There is no handout called {name!r}: choose one of {', '.join(HANDOUTS)}.")
    return paths.training_material_dir() / f"{name}.md"


def handout_text(name: str) -> str:
    path = handout_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"The handout {path.name} could not be read ({exc.strerror or exc}).",
                          hint="Reinstall the app from its source folder.") from exc


def _document() -> QTextDocument:
    ensure_qt_app()
    document = QTextDocument()
    document.setDefaultStyleSheet(STYLE)
    font = QFont()
    font.setPointSizeF(BODY_POINTS)
    document.setDefaultFont(font)
    return document


def handout_document(name: str) -> QTextDocument:
    """The handout as a Qt document: what the help viewer shows and the PDF prints."""
    document = _document()
    document.setMarkdown(handout_text(name), QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    return document


def html_document(page: str) -> QTextDocument:
    """A page the app wrote itself (the morning briefing) in the handouts' print style."""
    document = _document()
    document.setHtml(page)
    return document


def write_handouts(out_dir: str | Path) -> list[Path]:
    """Each handout as ``<name>.pdf`` in ``out_dir`` (made if missing); the files written."""
    out = Path(out_dir).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Could not make the folder {out} ({exc.strerror or exc}).") from exc
    return [write_handout(name, out / f"{name}.pdf") for name in HANDOUTS]


def write_handout(name: str, path: Path) -> Path:
    """One handout as an A4 PDF with page numbers, written beside ``path`` and moved into place when whole."""
    document = handout_document(name)
    write_whole(Path(path), lambda file: print_document(document, HANDOUTS[name], file), ExportError)
    return path


def page_count(document: QTextDocument) -> int:
    return document.pageCount()


def print_document(document: QTextDocument, title: str, path: Path) -> None:
    """A4, with a footer naming it and numbering the pages."""
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setTitle(title)
    writer.setCreator("Networked Councillor")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))
    painter = QPainter(writer)
    try:
        area = writer.pageLayout().paintRectPixels(RESOLUTION)
        dots_per_mm = RESOLUTION / 25.4
        footer = FOOTER_MM * dots_per_mm
        scale = RESOLUTION / 96  # the document lays out at screen resolution
        page = QSizeF(area.width() / scale, (area.height() - footer) / scale)
        document.setPageSize(page)
        pages = document.pageCount()
        for number in range(pages):
            if number:
                writer.newPage()
            painter.save()
            painter.scale(scale, scale)
            painter.translate(0, -number * page.height())
            _draw_on_paper(painter, document, QRectF(0, number * page.height(), page.width(), page.height()))
            painter.restore()
            _footer(painter, QRectF(0, area.height() - footer * 0.7, area.width(), footer * 0.7), title,
                    number + 1, pages)
    finally:
        painter.end()


def _draw_on_paper(painter: QPainter, document: QTextDocument, clip: QRectF) -> None:
    """Black on white whatever the screen's theme (drawContents would take a dark theme's white text)."""
    context = QAbstractTextDocumentLayout.PaintContext()
    context.palette.setColor(QPalette.ColorRole.Text, QColor(PAPER_TEXT))
    context.clip = clip
    painter.setClipRect(clip)
    document.documentLayout().draw(painter, context)


def _footer(painter: QPainter, rect: QRectF, title: str, number: int, pages: int) -> None:
    font = QFont()
    font.setPointSizeF(8)
    painter.setFont(font)
    painter.setPen(QColor("#667085"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"Networked Councillor · {title}")
    painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"Page {number} of {pages}")
