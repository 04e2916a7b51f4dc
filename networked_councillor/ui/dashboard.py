"""The dashboard: what the ward is talking about, how it feels, where it comes from, and what is rising.

Every chart answers a click by opening the matching items in the inbox.
"""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
)

from networked_councillor.base import clock
from networked_councillor.insights.trends import end_of, rising_topics
from networked_councillor.store import stats
from networked_councillor.store.inbox import UNSURE, InboxFilter
from networked_councillor.ui.screen import fit_on_screen
from networked_councillor.ui.theme import current as current_theme

TOP_TOPICS = 6
SERIES_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442")
"""Okabe and Ito's colours, told apart with every common kind of colour blindness; the last is for dark
themes only (yellow vanishes on white), and a theme's own text colour makes the eighth."""
OTHERS_COLOUR = "#8c8c8c"
UNSURE_COLOUR = "#56b4e9"  # Okabe–Ito sky blue: apart from the three feelings for every kind of colour vision


class Dashboard(QDialog):
    open_filter = Signal(object)  # InboxFilter

    def __init__(self, window) -> None:
        super().__init__(window)
        self.app = window.app
        self.topic_names = window.topic_names
        self.threshold = window.ward.effective_threshold
        self.setWindowTitle("Dashboard")
        self.setAccessibleName("Dashboard")
        fit_on_screen(self, 1200, 800)
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for days in (7, 30, 90):
            self.period.addItem(f"Last {days} days", days)
        self.period.setCurrentIndex(1)
        self.period.currentIndexChanged.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel("Showing:"))
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(QLabel("Click a chart to open those items in the inbox."))
        self.views = {name: QChartView() for name in ("per_day", "sentiment", "sources", "rising")}
        grid = QGridLayout()
        for (name, view), (row, column) in zip(self.views.items(), ((0, 0), (0, 1), (1, 0), (1, 1)), strict=True):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumSize(420, 300)
            grid.addWidget(view, row, column)
        self.views["per_day"].setAccessibleName("Items per topic per day")
        self.views["sentiment"].setAccessibleName("Feeling by topic")
        self.views["sources"].setAccessibleName("Items by source")
        self.views["rising"].setAccessibleName("Topics rising this week")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid)
        self.refresh()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """A new theme: the charts are drawn again in its colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "views") and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        days = self.period.currentData()
        now = clock.utcnow()
        since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0).isoformat(timespec="seconds")
        with self.app.store.read() as db:
            per_day = stats.topic_per_day(db, since, self.threshold)
            by_topic = stats.sentiment_by_topic(db, since, self.threshold)
            sources = stats.volume_by_source(db, since, self.threshold)
            rising = rising_topics(db, end_of(clock.today()), self.threshold)
        self.views["per_day"].setChart(self._per_day_chart(per_day))
        self.views["sentiment"].setChart(self._sentiment_chart(by_topic))
        self.views["sources"].setChart(self._sources_chart(sources))
        self.views["rising"].setChart(self._rising_chart(rising))

    def _name(self, topic: str) -> str:
        return "Topic unsure" if topic == UNSURE else self.topic_names.get(topic, topic)

    def _per_day_chart(self, rows: list[tuple[str, str, int]]) -> QChart:
        chart = _chart("Items per topic per day (top topics)")
        totals: dict[str, int] = defaultdict(int)
        series_points: dict[str, dict[str, int]] = defaultdict(dict)
        for day, topic, count in rows:
            totals[topic] += count
            series_points[topic][day] = count
        days = sorted({day for day, _, _ in rows})
        x_axis, y_axis = _themed(QDateTimeAxis(format="dd MMM")), _themed(QValueAxis(labelFormat="%d"))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        peak = 1
        for colour, topic in zip(_colours(), sorted(totals, key=totals.get, reverse=True)[:TOP_TOPICS]):
            series = QLineSeries(name=self._name(topic))
            series.setColor(colour)
            for day in days:
                count = series_points[topic].get(day, 0)
                peak = max(peak, count)
                series.append(QPointF(_msecs(day), count))
            series.setPointsVisible(True)
            series.clicked.connect(lambda point, t=topic: self._open_day(t, point))
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        y_axis.setRange(0, peak + 1)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)  # each topic's whole name, one a line
        if days:
            x_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(_msecs(days[0]))),
                            QDateTime.fromMSecsSinceEpoch(int(_msecs(days[-1]))))
        return chart

    def _sentiment_chart(self, rows: list[tuple[str, str, int]]) -> QChart:
        chart = _chart("Feeling by topic")
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for topic, sentiment, count in rows:
            counts[topic][sentiment] += count
        topics = sorted(counts, key=lambda t: sum(counts[t].values()))[-10:]
        series = QHorizontalStackedBarSeries()
        theme = current_theme()
        feelings = {"negative": theme.danger, "neutral": OTHERS_COLOUR, "positive": "#009e73",
                    UNSURE: UNSURE_COLOUR}
        for sentiment, colour in feelings.items():
            bar = QBarSet(sentiment.capitalize())
            bar.setColor(QColor(colour))
            for topic in topics:
                bar.append(counts[topic][sentiment])
            bar.clicked.connect(lambda position, s=sentiment, ts=topics: self.open_filter.emit(
                InboxFilter(view="all", topic=ts[position], sentiment=s, since=self._since())))
            series.append(bar)
        chart.addSeries(series)
        _category_axes(chart, series, [self._name(t) for t in topics], vertical=True)
        return chart

    def _sources_chart(self, rows: list[tuple[str, str, int]]) -> QChart:
        chart = _chart("Items by source")
        series = QPieSeries()
        colours = _colours()
        shown = rows[:len(colours)]
        for colour, (source_id, name, count) in zip(colours, shown):
            piece = series.append(f"{name} ({count})", count)
            piece.setColor(colour)
            piece.setBorderColor(QColor(current_theme().base))
            piece.clicked.connect(lambda s=source_id: self.open_filter.emit(
                InboxFilter(view="all", source_id=s, since=self._since())))
        if len(rows) > len(shown):
            others = sum(r[2] for r in rows[len(shown):])
            series.append(f"Others ({others})", others).setColor(QColor(OTHERS_COLOUR))
        chart.addSeries(series)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        return chart

    def _rising_chart(self, rising) -> QChart:
        """Each rising topic's last seven days beside its usual week, counted; the words are the ward report's."""
        chart = _chart("Rising: the 7 days to the end of today against the usual week of the 4 before")
        series = QHorizontalBarSeries()
        shown = list(reversed(rising))
        this_week, usual = QBarSet("Last 7 days"), QBarSet("Usual week (average of the 4 before)")
        this_week.setColor(_colours()[0])
        usual.setColor(QColor(OTHERS_COLOUR))
        for r in shown:
            this_week.append(r.this_week)
            usual.append(round(r.weekly_before, 1))
        for bar in (usual, this_week):
            bar.clicked.connect(lambda position: self.open_filter.emit(InboxFilter(
                view="all", topic=shown[position].topic,
                since=(end_of(clock.today()) - timedelta(days=7)).isoformat(timespec="seconds"))))
            series.append(bar)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        labels = [f"{html.escape(self._name(r.topic))}<br><i>{r.change}</i>" for r in shown] or ["Nothing is rising"]
        values = _category_axes(chart, series, labels, vertical=True)
        values.setRange(0, max([r.this_week for r in shown], default=1) * 1.2)  # room for the counts at the ends
        return chart

    def _since(self) -> str:
        return (clock.utcnow() - timedelta(days=self.period.currentData())).isoformat(timespec="seconds")

    def _open_day(self, topic: str, point: QPointF) -> None:
        day_ms = 86_400_000
        start = datetime.fromtimestamp(round(point.x() / day_ms) * day_ms / 1000, tz=timezone.utc)  # nearest day
        self.open_filter.emit(InboxFilter(view="all", topic=topic, since=start.isoformat(timespec="seconds"),
                                          until=(start + timedelta(days=1)).isoformat(timespec="seconds")))


def _chart(title: str) -> QChart:
    """A chart in the colours of the theme on show."""
    theme = current_theme()
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setBackgroundBrush(QColor(theme.base))
    chart.setTitleBrush(QColor(theme.text))
    chart.legend().setLabelColor(QColor(theme.text))
    chart.legend().setShowToolTips(True)  # a name cut short in the legend is shown whole on hover
    return chart


def _colours() -> list[QColor]:
    """Series colours that can be told apart on the theme's background."""
    theme = current_theme()
    dark = QColor(theme.base).lightness() < 128
    return [QColor(c) for c in SERIES_COLOURS[: -1 if not dark else None]] + [QColor(theme.text)]


def _category_axes(chart: QChart, series, categories: list[str], *, vertical: bool) -> QValueAxis:
    categories_axis = _themed(QBarCategoryAxis())
    categories_axis.append(categories)
    categories_axis.setTruncateLabels(False)  # a topic's whole name, never "…"
    values_axis = _themed(QValueAxis(labelFormat="%.0f"))
    chart.addAxis(categories_axis, Qt.AlignmentFlag.AlignLeft if vertical else Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom if vertical else Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories_axis)
    series.attachAxis(values_axis)
    return values_axis


def _themed(axis):
    theme = current_theme()
    axis.setLabelsColor(QColor(theme.text))
    axis.setGridLineColor(QColor(theme.alternate))
    axis.setLinePenColor(QColor(theme.edge))
    return axis


def _msecs(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp() * 1000
