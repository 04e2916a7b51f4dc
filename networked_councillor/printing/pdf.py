"""The ward report as a PDF, drawn with Qt's own PDF writer, for a ward meeting or a residents' association.

A4 portrait at 300 dpi: a title block, the headline numbers in words, casework
tables, vector bar charts, the posts most worth reading, and a footer with page
numbers on every page. It needs only a QGuiApplication (``ensure_qt_app``), so it
runs from the command line and on a machine without a screen.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPageLayout, QPageSize, QPainter, QPdfWriter

from networked_councillor.base import clock
from networked_councillor.base.errors import ExportError
from networked_councillor.base.files import put_in_place, staged, write_whole
from networked_councillor.casework import audit
from networked_councillor.printing.report_charts import FEELING_COLOURS, BarChart, draw_bar_chart, draw_figures
from networked_councillor.printing.report_data import ReportData, ward_report_data
from networked_councillor.printing.report_layout import (
    ACCENT,
    BODY,
    META,
    SMALL,
    STRONG,
    SUBHEADING,
    Column,
    PageFlow,
    Style,
    TableGrid,
)
from networked_councillor.printing.report_words import (
    day_words,
    period_words,
    plural,
    short_day,
    summary_sentences,
)

if TYPE_CHECKING:
    from networked_councillor.store.db import Store

RESOLUTION = 300  # dots per inch
TOPICS_CHARTED = 18
FEELINGS_CHARTED = 10
OVERDUE_LISTED = 30  # a meeting needs the worst; the casework export has the rest
RIGHT = Qt.AlignmentFlag.AlignRight
_app: QGuiApplication | None = None


def ensure_qt_app() -> QGuiApplication:
    """Qt needs an application object to find fonts; the command line has none, so make a window-less one."""
    global _app
    existing = QGuiApplication.instance()
    if existing is not None:
        return existing
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no screen: draw in memory
    _app = QGuiApplication(sys.argv[:1] or ["networked-councillor"])
    return _app


def export_ward_report(store: Store, path: str | Path, start: date, end: date, *,
                       today: date | None = None) -> tuple[ReportData, int]:
    """Gather, write and record in the audit log a ward report for ``start`` to ``end``; its data and page count.

    The file is moved into place inside the audit log's transaction, so there is never a
    report on disk that the log does not know about, nor a log entry for a report that failed.
    """
    target = _checked_target(path)
    today = today or clock.utcnow().date()
    with store.read() as db:
        data = ward_report_data(db, start, end, today=today)
    ensure_qt_app()
    with staged(target, ExportError) as file:
        pages = _draw(data, file)
        with store.write() as db:
            audit.record(db, "export", f"Ward report for {data.ward}, {period_words(start, end)} (PDF)",
                         clock.now_iso(), records=len(data.overdue) + len(data.top_items), personal_data=False,
                         detail={"format": "pdf", "report": "ward", "file": target.name, "path": str(target),
                                 "from": start.isoformat(), "to": end.isoformat(), "pages": pages})
            put_in_place(file, target, ExportError)
    return data, pages


def write_ward_report(data: ReportData, path: str | Path) -> int:
    """Write the report to ``path`` (whole, or not at all) and say how many pages it has."""
    ensure_qt_app()
    return write_whole(_checked_target(path), lambda file: _draw(data, file), ExportError)


def _checked_target(path: str | Path) -> Path:
    """The report's file, or a plain reason why it cannot be saved there (before any work is done)."""
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise ExportError(f"Could not save the report: {target} is a folder.",
                          hint="Give a file name for the report, such as ward-report.pdf.")
    if not target.parent.is_dir():
        raise ExportError(f"Could not save the report: there is no folder {target.parent}.",
                          hint="Choose a folder that exists.")
    return target


def _draw(data: ReportData, file: Path) -> int:
    writer = QPdfWriter(str(file))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Portrait)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setResolution(RESOLUTION)
    writer.setTitle(f"{_title(data)} report, {period_words(data.start, data.end)}")
    writer.setCreator("Networked Councillor")
    flow = PageFlow(writer)
    compose(flow, data)
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError(f"Could not write the report to {file.parent}.", hint="Choose a folder you can write to.")
    try:
        pages = flow.render(painter, writer.newPage,
                            header=f"{_title(data)} report · {period_words(data.start, data.end)}",
                            footer=f"Networked Councillor — generated {day_words(data.generated)}")
    finally:
        finished = painter.end()
    if not finished:
        raise ExportError("The report could not be finished: the disk may be full.")
    return pages


def compose(flow: PageFlow, data: ReportData) -> None:
    """The report, section by section."""
    _title_block(flow, data)
    _summary(flow, data)
    if data.nothing_to_report:
        return
    _casework(flow, data)
    _what_was_said(flow, data)
    _top_items(flow, data)


# ---- sections ----------------------------------------------------------------------------

TITLE_LABEL = Style(9, bold=True, colour="#bcd3ea")
TITLE = Style(26, bold=True, colour="#ffffff")
TITLE_LINE = Style(12, colour="#ffffff")
TITLE_PERIOD = Style(12, bold=True, colour="#ffffff")


def _title(data: ReportData) -> str:
    return data.ward if data.ward.lower().endswith("ward") else f"{data.ward} ward"


def _title_block(flow: PageFlow, data: ReportData) -> None:
    lines = [("WARD REPORT", TITLE_LABEL, 2), (_title(data), TITLE, 1), (data.council, TITLE_LINE, 5),
             (period_words(data.start, data.end), TITLE_PERIOD, 0)]

    def paint(p: QPainter, rect: QRectF) -> None:
        p.fillRect(rect, QColor(ACCENT))
        y = rect.top() + flow.mm(7)
        for text, style, after in lines:
            if text:
                height = flow.metrics(style).height()
                p.setFont(style.font())
                p.setPen(QColor(style.colour))
                p.drawText(QRectF(rect.left() + flow.mm(9), y, rect.width() - flow.mm(18), height),
                           int(Qt.AlignmentFlag.AlignLeft), text)
                y += height + flow.mm(after)

    flow.block(46, paint, after_mm=2.5)
    prepared = f"Prepared for {data.councillor} · " if data.councillor else ""
    flow.paragraph(f"{prepared}Generated {day_words(data.generated)}", SMALL)
    flow.skip(2)


def _summary(flow: PageFlow, data: ReportData) -> None:
    open_words = "issues open at the end" + (f" ({len(data.overdue):,} overdue)" if data.overdue else "")
    figures = [(f"{data.items_heard:,}", "posts and reports heard"), (f"{data.issues_logged:,}", "issues logged"),
               (f"{data.issues_resolved:,}", "issues resolved"), (f"{data.issues_open_at_end:,}", open_words)]
    flow.block(24, lambda p, rect: draw_figures(p, rect, figures), after_mm=5)
    flow.heading("Summary")
    for sentence in summary_sentences(data):
        flow.paragraph(sentence)


def _casework(flow: PageFlow, data: ReportData) -> None:
    flow.heading("Casework")
    if not data.issues_in_report:
        flow.paragraph("There is no casework to report for this period.")
        return
    flow.paragraph("Every issue logged, resolved or still open in the period, with its status at the end of it.",
                   SMALL)
    _table_beside_chart(flow, "Issues by status", [Column("Status", 3), Column("Issues", 1, RIGHT)],
                        [(status, f"{count:,}") for status, count in data.issues_by_status],
                        BarChart([(status, [count]) for status, count in data.issues_by_status]))
    _chart(flow, "Issues by topic", BarChart(_charted(data.issues_by_category, TOPICS_CHARTED)))
    if not data.overdue:
        flow.paragraph("Overdue issues", SUBHEADING, keep_with_next_mm=10)
        flow.paragraph("No issue was overdue at the end of the period.")
        return
    listed = data.overdue[:OVERDUE_LISTED]
    note = "Longest overdue first."
    if len(data.overdue) > len(listed):
        note = (f"The {len(listed)} longest overdue of {len(data.overdue):,}; "
                "the casework export lists them all.")
    flow.table([Column("Reference", 1.3), Column("Issue", 5), Column("Due", 1.4), Column("Status", 2)],
               [(i.reference, i.title, short_day(i.due_date), i.status) for i in listed],
               title="Overdue issues", note=note)


def _table_beside_chart(flow: PageFlow, title: str, columns: list[Column], rows: list[tuple[str, str]],
                        chart: BarChart) -> None:
    """A short table on the left and the same numbers as a chart on the right, kept on one page with their title."""
    table_width, gap = flow.width * 0.42, flow.mm(8)
    grid = TableGrid(flow, columns, table_width)
    height_mm = max(grid.height(rows) / flow.dots_per_mm, chart.height_mm)
    flow.paragraph(title, SUBHEADING, keep_with_next_mm=height_mm + 1)

    def paint(p: QPainter, rect: QRectF) -> None:
        grid.draw_whole(p, rect.left(), rect.top(), rows)
        draw_bar_chart(p, rect.adjusted(table_width + gap, flow.mm(1), 0, 0), chart)

    flow.block(height_mm + 1, paint, after_mm=5)


def _what_was_said(flow: PageFlow, data: ReportData) -> None:
    flow.heading("What the ward has been saying")
    if not data.items_heard:
        flow.paragraph(f"No posts or reports about {data.ward} were heard in this period.")
        return
    _chart(flow, "Posts and reports by topic", BarChart(_charted(data.items_by_topic, TOPICS_CHARTED)))
    _chart(flow, "Feeling by topic", BarChart([(f.topic, [f.negative, f.neutral, f.positive])
                           for f in data.feeling_by_topic[:FEELINGS_CHARTED]], FEELING_COLOURS))
    flow.table([Column("Source", 5), Column("Posts and reports", 1.6, RIGHT), Column("Share", 1, RIGHT)],
               [(name, f"{count:,}", f"{count / data.items_heard:.0%}") for name, count in data.items_by_source],
               title="Where it was heard")
    if not data.rising:
        flow.paragraph("Rising topics", SUBHEADING, keep_with_next_mm=10)
        flow.paragraph("No topic was rising at the end of the period.")
        return
    flow.table([Column("Topic", 4), Column("Last week", 1.3, RIGHT), Column("Usual week", 1.3, RIGHT),
                Column("Change", 1.9, RIGHT)],
               [(r.topic, f"{r.this_week:,}", f"{r.usual_week:.1f}", r.change)
                for r in data.rising],
               title="Rising topics",
               note="The last week of the period against the average of the four weeks before it.")


def _charted(counts: list[tuple[str, int]], limit: int) -> list[tuple[str, list[int]]]:
    """The first ``limit`` rows as chart bars, the rest added up in one last bar so the total stays true."""
    rows = [(name, [count]) for name, count in counts[:limit]]
    rest = counts[limit:]
    if rest:
        rows.append((plural(len(rest), "other topic"), [sum(count for _, count in rest)]))
    return rows


def _chart(flow: PageFlow, title: str, chart: BarChart) -> None:
    flow.paragraph(title, SUBHEADING, keep_with_next_mm=chart.height_mm)
    flow.block(chart.height_mm, lambda p, rect: draw_bar_chart(p, rect, chart), after_mm=5)


def _top_items(flow: PageFlow, data: ReportData) -> None:
    if not data.top_items:
        return
    flow.heading("Posts worth reading")
    flow.paragraph("The most relevant posts of the period, lifted by how many people engaged with them. "
                   "Authors' names are left out on purpose.", SMALL)
    flow.skip(2)
    for item in data.top_items:
        def place(item=item) -> None:
            facts = [item.source, short_day(item.date) if item.date else "", item.topic]
            flow.paragraph(" · ".join(fact for fact in facts if fact), META, keep_with_next_mm=10)
            if item.title:
                flow.paragraph(item.title, STRONG)
            if item.excerpt:
                flow.paragraph(item.excerpt, BODY)
            if item.url:
                flow.link(item.url)
            flow.skip(3)

        flow.keep_together(place)
