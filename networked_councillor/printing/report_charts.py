"""Bar charts and headline figures drawn straight onto the page with QPainter, so they print as sharp vectors.

One horizontal bar chart serves every chart in the report: a bar per row, split
into coloured parts when there is more than one series (feeling by topic).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from networked_councillor.printing.report_layout import ACCENT, INK, MUTED, RULE, SMALL, TABLE_CELL, WRAP, Style

ROW_MM = 6.2
AXIS_MM = 6.0
LEGEND_MM = 7.0
FEELING_COLOURS = (("Negative", "#c8453f"), ("Neutral", "#9aa5b1"), ("Positive", "#3a8d57"))
FIGURE_NUMBER = Style(22, bold=True, colour=ACCENT)


@dataclass(frozen=True)
class BarChart:
    rows: Sequence[tuple[str, Sequence[int]]]  # a label and one value per series
    series: Sequence[tuple[str, str]] = (("Count", ACCENT),)  # each part's name and colour

    @property
    def height_mm(self) -> float:
        return len(self.rows) * ROW_MM + AXIS_MM + (LEGEND_MM if len(self.series) > 1 else 0)


def draw_bar_chart(painter: QPainter, rect: QRectF, chart: BarChart) -> None:
    if not chart.rows:
        return
    mm = painter.device().logicalDpiY() / 25.4
    device = painter.device()
    label_metrics, value_metrics = QFontMetricsF(TABLE_CELL.font(), device), QFontMetricsF(SMALL.font(), device)
    peak = max((sum(values) for _, values in chart.rows), default=0)
    label_width = min(max(label_metrics.horizontalAdvance(label) for label, _ in chart.rows) + 3 * mm,
                      rect.width() * 0.38)
    value_room = value_metrics.horizontalAdvance(f"{peak:,}") + 3 * mm
    row = ROW_MM * mm
    plot = QRectF(rect.left() + label_width, rect.top(), rect.width() - label_width - value_room,
                  len(chart.rows) * row)
    step = nice_step(peak)
    top = max(step, math.ceil(peak / step) * step)

    painter.setFont(SMALL.font())
    for tick in range(0, top + 1, step):
        x = plot.left() + plot.width() * tick / top
        painter.setPen(QPen(QColor(RULE), 0.15 * mm))
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setPen(QColor(MUTED))
        painter.drawText(QRectF(x - 10 * mm, plot.bottom() + mm, 20 * mm, AXIS_MM * mm - mm),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), f"{tick:,}")

    for index, (label, values) in enumerate(chart.rows):
        y = plot.top() + index * row
        painter.setFont(TABLE_CELL.font())
        painter.setPen(QColor(INK))
        shown = label_metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width - 2 * mm)
        painter.drawText(QRectF(rect.left(), y, label_width - 2 * mm, row),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), shown)
        x = plot.left()
        for value, (_, colour) in zip(values, chart.series, strict=True):
            width = plot.width() * value / top
            painter.fillRect(QRectF(x, y + row * 0.18, width, row * 0.64), QColor(colour))
            x += width
        painter.setFont(SMALL.font())
        painter.setPen(QColor(INK))
        painter.drawText(QRectF(x + mm, y, value_room, row), int(Qt.AlignmentFlag.AlignVCenter), f"{sum(values):,}")
    painter.setPen(QPen(QColor(INK), 0.25 * mm))
    painter.drawLine(plot.topLeft(), plot.bottomLeft())
    if len(chart.series) > 1:
        _legend(painter, QPointF(plot.left(), plot.bottom() + AXIS_MM * mm + mm), chart.series, mm)


def _legend(painter: QPainter, at: QPointF, series: Sequence[tuple[str, str]], mm: float) -> None:
    painter.setFont(SMALL.font())
    metrics = QFontMetricsF(SMALL.font(), painter.device())
    x = at.x()
    for name, colour in series:
        painter.fillRect(QRectF(x, at.y() + mm, 3 * mm, 3 * mm), QColor(colour))
        painter.setPen(QColor(INK))
        painter.drawText(QRectF(x + 4.5 * mm, at.y(), 40 * mm, 5 * mm), int(Qt.AlignmentFlag.AlignVCenter), name)
        x += 4.5 * mm + metrics.horizontalAdvance(name) + 7 * mm


def nice_step(peak: int, ticks: int = 5) -> int:
    """A round gap between gridlines (1, 2 or 5 times a power of ten) giving about ``ticks`` of them."""
    raw = max(peak, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return max(1, int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)))


def draw_figures(painter: QPainter, rect: QRectF, figures: Sequence[tuple[str, str]]) -> None:
    """A row of boxed headline figures: a big number over a few words."""
    mm = painter.device().logicalDpiY() / 25.4
    gap = 4 * mm
    width = (rect.width() - gap * (len(figures) - 1)) / len(figures)
    for index, (number, words) in enumerate(figures):
        box = QRectF(rect.left() + index * (width + gap), rect.top(), width, rect.height())
        painter.fillRect(box, QColor("#f1f5f9"))
        painter.fillRect(QRectF(box.left(), box.top(), 1.2 * mm, box.height()), QColor(ACCENT))
        inner = box.adjusted(4 * mm, 2.5 * mm, -2.5 * mm, -2 * mm)
        painter.setFont(FIGURE_NUMBER.font())
        painter.setPen(QColor(FIGURE_NUMBER.colour))
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), number)
        painter.setFont(SMALL.font())
        painter.setPen(QColor(INK))
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom) | WRAP, words)
