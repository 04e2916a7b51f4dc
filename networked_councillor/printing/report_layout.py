"""Laying a printed report out on pages with QPainter: text that wraps, tables that continue with their header.

Layout comes first and records drawing steps page by page; drawing comes second, so
every page knows how many there are ("Page 2 of 5"). Measurements use the target
device itself, so what is measured is what gets drawn. Lengths are in device pixels;
``mm()`` converts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPagedPaintDevice, QPainter, QPen, QTextDocument

Op = Callable[[QPainter], None]

INK = "#1d2733"
MUTED = "#5b6875"
ACCENT = "#1f4e79"
RULE = "#c9d3de"
HEADER_FILL = "#e6edf5"
ZEBRA_FILL = "#f5f8fb"
LINK = "#1a5fb4"
WRAP = int(Qt.TextFlag.TextWordWrap)
KEPT_ROWS = 3
"""Rows a table keeps with its title and header; a table of twice as many or fewer is kept whole."""


@dataclass(frozen=True)
class Style:
    points: float
    bold: bool = False
    colour: str = INK
    after: float = 2.0  # mm of space after a paragraph in this style

    def font(self) -> QFont:
        font = QFont()
        font.setPointSizeF(self.points)
        font.setBold(self.bold)
        font.setFeature(QFont.Tag("liga"), 0)  # "fi" stays two letters, so the PDF's text can be searched and copied
        return font


BODY = Style(10)
SMALL = Style(8.5, colour=MUTED, after=2.0)
META = Style(8.5, colour=MUTED, after=0.8)
HEADING = Style(15, bold=True, colour=ACCENT, after=3.0)
SUBHEADING = Style(11.5, bold=True, after=2.0)
STRONG = Style(10.5, bold=True, after=0.8)
TABLE_HEAD = Style(9, bold=True)
TABLE_CELL = Style(9)


@dataclass(frozen=True)
class Column:
    title: str
    weight: float = 1.0  # share of the table's width
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft


class PageFlow:
    """A cursor running down A4 pages; each call places something and moves the cursor past it."""

    def __init__(self, device: QPagedPaintDevice, *, margins_mm: tuple[float, float, float, float] = (18, 20, 18, 20)):
        self.device = device
        self.dots_per_mm = device.logicalDpiY() / 25.4
        left, top, right, bottom = (self.mm(m) for m in margins_mm)
        self.left, self.top = left, top
        self.right, self.bottom = device.width() - right, device.height() - bottom
        self.pages: list[list[Op]] = [[]]
        self.y = self.top

    @property
    def width(self) -> float:
        return self.right - self.left

    def mm(self, millimetres: float) -> float:
        return millimetres * self.dots_per_mm

    def metrics(self, style: Style) -> QFontMetricsF:
        return QFontMetricsF(style.font(), self.device)

    def text_height(self, text: str, style: Style, width: float, flags: int = WRAP) -> float:
        return self.metrics(style).boundingRect(QRectF(0, 0, width, 1e7), flags, text).height()

    # ---- moving down the page ----------------------------------------------------------

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` still fits on this one (or this page is still empty)."""
        if self.y + height > self.bottom and self.y > self.top:
            self.new_page()

    def skip(self, millimetres: float) -> None:
        self.y = min(self.y + self.mm(millimetres), self.bottom)

    def draw(self, op: Op) -> None:
        self.pages[-1].append(op)

    def keep_together(self, place: Callable[[], None]) -> None:
        """Lay out what ``place`` places; if it ran onto a new page, lay it out again from the top of one."""
        pages, ops, y = len(self.pages), len(self.pages[-1]), self.y
        place()
        if len(self.pages) > pages and y > self.top:
            del self.pages[pages:]
            del self.pages[-1][ops:]
            self.new_page()
            place()

    # ---- placing things --------------------------------------------------------------------

    def paragraph(self, text: str, style: Style = BODY, *, indent_mm: float = 0, keep_with_next_mm: float = 0) -> None:
        x, width = self.left + self.mm(indent_mm), self.width - self.mm(indent_mm)
        height = self.text_height(text, style, width)
        self.ensure(height + self.mm(keep_with_next_mm))
        rect = QRectF(x, self.y, width, height)
        self.draw(lambda p: _draw_text(p, rect, text, style))
        self.y += height + self.mm(style.after)

    def heading(self, text: str, style: Style = HEADING) -> None:
        """A section's heading, with room above it; it never ends a page, moving on with what follows."""
        if self.y > self.top:
            self.skip(4)
        self.paragraph(text, style, keep_with_next_mm=35)

    def link(self, url: str, style: Style = SMALL, *, indent_mm: float = 0) -> None:
        """A web address that wraps anywhere and stays clickable in the PDF."""
        document = QTextDocument()
        document.documentLayout().setPaintDevice(self.device)
        document.setDocumentMargin(0)
        document.setDefaultFont(style.font())
        document.setDefaultStyleSheet(f"a {{ color: {LINK}; text-decoration: none; }}")
        document.setTextWidth(self.width - self.mm(indent_mm))
        document.setHtml(f'<a href="{_escape(url)}">{_escape(url)}</a>')
        height = document.size().height()
        self.ensure(height)
        origin = QPointF(self.left + self.mm(indent_mm), self.y)

        def draw(p: QPainter) -> None:
            p.translate(origin)
            document.drawContents(p)

        self.draw(draw)
        self.y += height + self.mm(style.after)

    def block(self, height_mm: float, paint: Callable[[QPainter, QRectF], None], *, after_mm: float = 4) -> None:
        """Something drawn whole in a box the width of the page (a chart, a row of figures)."""
        height = self.mm(height_mm)
        self.ensure(height)
        rect = QRectF(self.left, self.y, self.width, height)
        self.draw(lambda p: paint(p, rect))
        self.y += height + self.mm(after_mm)

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, title: str = "", note: str = "",
              after_mm: float = 5) -> None:
        """A table that continues on the next page, its header repeated, when it runs out of room.

        Its ``title`` and ``note`` stay on the page with its first few rows (a short table is
        kept whole), so no page ends on a title or a lone header.
        """
        grid = TableGrid(self, columns, self.width)
        heights = [grid.row_height(row) for row in rows]
        lead = grid.header_height + sum(heights[:KEPT_ROWS] if len(heights) > 2 * KEPT_ROWS else heights)
        if title or note:
            note_height = self.text_height(note, SMALL, self.width) + self.mm(SMALL.after) if note else 0
            if title:
                self.paragraph(title, SUBHEADING, keep_with_next_mm=(note_height + lead) / self.dots_per_mm)
            if note:
                self.paragraph(note, SMALL, keep_with_next_mm=lead / self.dots_per_mm)
        self.ensure(lead)
        self._table_header(grid)
        for index, (row, height) in enumerate(zip(rows, heights, strict=True)):
            if self.y + height > self.bottom:
                self.new_page()
                self._table_header(grid)
            top = self.y
            self.draw(lambda p, row=row, top=top, height=height, index=index:
                      grid.draw_row(p, self.left, top, row, height, zebra=index % 2 == 1))
            self.y += height
        self.y += self.mm(after_mm)

    def _table_header(self, grid: TableGrid) -> None:
        top = self.y
        self.draw(lambda p: grid.draw_header(p, self.left, top))
        self.y += grid.header_height

    # ---- drawing ---------------------------------------------------------------------------

    def render(self, painter: QPainter, new_page: Callable[[], object], *, header: str, footer: str) -> int:
        """Draw every page, with a running header from page 2 on and "Page n of N" in the footer."""
        total = len(self.pages)
        for number, ops in enumerate(self.pages, start=1):
            if number > 1:
                new_page()
            for op in ops:
                painter.save()
                op(painter)
                painter.restore()
            self._running_text(painter, header if number > 1 else "", footer, f"Page {number} of {total}")
        return total

    def _running_text(self, painter: QPainter, header: str, footer: str, page: str) -> None:
        painter.save()
        painter.setFont(SMALL.font())
        painter.setPen(QColor(SMALL.colour))
        line_height = self.metrics(SMALL).height()
        footer_top = self.bottom + self.mm(8)
        painter.setPen(QPen(QColor(RULE), self.mm(0.25)))
        painter.drawLine(QPointF(self.left, footer_top - self.mm(2)), QPointF(self.right, footer_top - self.mm(2)))
        painter.setPen(QColor(SMALL.colour))
        footer_rect = QRectF(self.left, footer_top, self.width, line_height)
        painter.drawText(footer_rect, int(Qt.AlignmentFlag.AlignLeft), footer)
        painter.drawText(footer_rect, int(Qt.AlignmentFlag.AlignRight), page)
        if header:
            header_rect = QRectF(self.left, self.top - self.mm(9), self.width, line_height)
            painter.drawText(header_rect, int(Qt.AlignmentFlag.AlignLeft), header)
            painter.setPen(QPen(QColor(RULE), self.mm(0.25)))
            rule_y = header_rect.bottom() + self.mm(1.5)
            painter.drawLine(QPointF(self.left, rule_y), QPointF(self.right, rule_y))
        painter.restore()


class TableGrid:
    """The columns of one table at one width: how tall a row is, and how to draw it."""

    def __init__(self, flow: PageFlow, columns: Sequence[Column], width: float) -> None:
        self.flow, self.columns = flow, list(columns)
        total = sum(c.weight for c in self.columns)
        self.widths = [width * c.weight / total for c in self.columns]
        self.width = width
        self.pad_x, self.pad_y = flow.mm(2), flow.mm(1.3)
        self.header_height = self.row_height([c.title for c in self.columns], TABLE_HEAD)

    def row_height(self, cells: Sequence[str], style: Style = TABLE_CELL) -> float:
        return max(self.flow.text_height(str(cell), style, w - 2 * self.pad_x)
                   for cell, w in zip(cells, self.widths, strict=True)) + 2 * self.pad_y

    def height(self, rows: Sequence[Sequence[str]]) -> float:
        return self.header_height + sum(self.row_height(row) for row in rows)

    def draw_whole(self, painter: QPainter, x: float, y: float, rows: Sequence[Sequence[str]]) -> None:
        """The whole table at once, for a short table that sits beside a chart."""
        self.draw_header(painter, x, y)
        y += self.header_height
        for index, row in enumerate(rows):
            height = self.row_height(row)
            self.draw_row(painter, x, y, row, height, zebra=index % 2 == 1)
            y += height

    def draw_header(self, painter: QPainter, x: float, y: float) -> None:
        painter.fillRect(QRectF(x, y, self.width, self.header_height), QColor(HEADER_FILL))
        self._cells(painter, x, y, [c.title for c in self.columns], self.header_height, TABLE_HEAD)
        painter.setPen(QPen(QColor(ACCENT), self.flow.mm(0.35)))
        painter.drawLine(QPointF(x, y + self.header_height), QPointF(x + self.width, y + self.header_height))

    def draw_row(self, painter: QPainter, x: float, y: float, cells: Sequence[str], height: float, *,
                 zebra: bool) -> None:
        if zebra:
            painter.fillRect(QRectF(x, y, self.width, height), QColor(ZEBRA_FILL))
        self._cells(painter, x, y, cells, height, TABLE_CELL)
        painter.setPen(QPen(QColor(RULE), self.flow.mm(0.15)))
        painter.drawLine(QPointF(x, y + height), QPointF(x + self.width, y + height))

    def _cells(self, painter: QPainter, x: float, y: float, cells: Sequence[str], height: float, style: Style) -> None:
        for cell, width, column in zip(cells, self.widths, self.columns, strict=True):
            rect = QRectF(x + self.pad_x, y + self.pad_y, width - 2 * self.pad_x, height - 2 * self.pad_y)
            _draw_text(painter, rect, str(cell), style, int(column.align) | WRAP)
            x += width


def _draw_text(painter: QPainter, rect: QRectF, text: str, style: Style, flags: int = WRAP) -> None:
    painter.setFont(style.font())
    painter.setPen(QColor(style.colour))
    painter.drawText(rect, flags, text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
