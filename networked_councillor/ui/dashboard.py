"""The dashboard: what the ward is talking about, how it feels, where it comes from, and what is rising.

Every chart answers a click by opening the matching items in the inbox.
"""

from __future__ import annotations

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
from PySide6.QtCore import QDateTime, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
)

from networked_councillor.core import clock
from networked_councillor.core.trends import rising_topics
from networked_councillor.store import stats
from networked_councillor.store.inbox import InboxFilter
from networked_councillor.ui.screen import fit_on_screen

SENTIMENT_COLOURS = {"negative": "#d9534f", "neutral": "#9aa5b1", "positive": "#3a9d5d"}
TOP_TOPICS = 6


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

    def refresh(self) -> None:
        days = self.period.currentData()
        now = clock.utcnow()
        since = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0).isoformat(timespec="seconds")
        with self.app.store.read() as db:
            per_day = stats.topic_per_day(db, since, self.threshold)
            by_topic = stats.sentiment_by_topic(db, since, self.threshold)
            sources = stats.volume_by_source(db, since, self.threshold)
            rising = rising_topics(db, now, self.threshold)
        self.views["per_day"].setChart(self._per_day_chart(per_day))
        self.views["sentiment"].setChart(self._sentiment_chart(by_topic))
        self.views["sources"].setChart(self._sources_chart(sources))
        self.views["rising"].setChart(self._rising_chart(rising))

    def _name(self, topic: str) -> str:
        return self.topic_names.get(topic, topic)

    def _per_day_chart(self, rows: list[tuple[str, str, int]]) -> QChart:
        chart = _chart("Items per topic per day (top topics)")
        totals: dict[str, int] = defaultdict(int)
        series_points: dict[str, dict[str, int]] = defaultdict(dict)
        for day, topic, count in rows:
            totals[topic] += count
            series_points[topic][day] = count
        days = sorted({day for day, _, _ in rows})
        x_axis, y_axis = QDateTimeAxis(format="dd MMM"), QValueAxis(labelFormat="%d")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        peak = 1
        for topic in sorted(totals, key=totals.get, reverse=True)[:TOP_TOPICS]:
            series = QLineSeries(name=self._name(topic))
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
        for sentiment, colour in SENTIMENT_COLOURS.items():
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
        for source_id, name, count in rows[:8]:
            piece = series.append(f"{name} ({count})", count)
            piece.clicked.connect(lambda s=source_id: self.open_filter.emit(
                InboxFilter(view="all", source_id=s, since=self._since())))
        if len(rows) > 8:
            series.append(f"Others ({sum(r[2] for r in rows[8:])})", sum(r[2] for r in rows[8:]))
        chart.addSeries(series)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        return chart

    def _rising_chart(self, rising) -> QChart:
        chart = _chart("Rising this week, against the four weeks before")
        series = QHorizontalBarSeries()
        bar = QBarSet("times the usual week")
        topics = [r.topic for r in reversed(rising)]
        for r in reversed(rising):
            bar.append(round(r.ratio, 1))
        bar.clicked.connect(lambda position: self.open_filter.emit(InboxFilter(
            view="all", topic=topics[position],
            since=(clock.utcnow() - timedelta(days=7)).isoformat(timespec="seconds"))))
        series.append(bar)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        labels = [f"{self._name(r.topic)} ({r.this_week})" for r in reversed(rising)] or ["nothing rising"]
        _category_axes(chart, series, labels, vertical=True)
        chart.legend().hide()
        return chart

    def _since(self) -> str:
        return (clock.utcnow() - timedelta(days=self.period.currentData())).isoformat(timespec="seconds")

    def _open_day(self, topic: str, point: QPointF) -> None:
        day_ms = 86_400_000
        start = datetime.fromtimestamp(round(point.x() / day_ms) * day_ms / 1000, tz=timezone.utc)  # nearest day
        self.open_filter.emit(InboxFilter(view="all", topic=topic, since=start.isoformat(timespec="seconds"),
                                          until=(start + timedelta(days=1)).isoformat(timespec="seconds")))


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _category_axes(chart: QChart, series, categories: list[str], *, vertical: bool) -> None:
    categories_axis = QBarCategoryAxis()
    categories_axis.append(categories)
    values_axis = QValueAxis(labelFormat="%.0f")
    chart.addAxis(categories_axis, Qt.AlignmentFlag.AlignLeft if vertical else Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(values_axis, Qt.AlignmentFlag.AlignBottom if vertical else Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories_axis)
    series.attachAxis(values_axis)


def _msecs(day: str) -> float:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp() * 1000
