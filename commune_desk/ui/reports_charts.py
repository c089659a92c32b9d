"""The report's charts (QtCharts), for what people would rather look at than read: the
on-time rate over the months, the dossiers by channel, the overdue dossiers by field."""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QApplication

from commune_desk.i18n import _
from commune_desk.reports.model import Report
from commune_desk.ui.reports_table import show_number, show_rate

BLUE, GREEN, ORANGE, RED = QColor("#2f6db5"), QColor("#3a9a5b"), QColor("#e08a1e"), QColor("#c0392b")


def _chart(title: str) -> QChart:
    chart = QChart()
    font = QFont(QApplication.font())
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    chart.legend().setFont(small_font(8.5))
    return chart


def small_font(points: float = 8) -> QFont:
    font = QFont(QApplication.font())
    font.setPointSizeF(points)
    return font


def chart_view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(220)
    return view


def trend_chart(report: Report) -> QChart:
    """On-time rate (Decision 766) of each of the 12 months up to the period's end."""
    chart = _chart(_("Tỷ lệ đúng hạn theo tháng (%)"))
    bars = QBarSet(_("Số hồ sơ"))
    bars.setColor(QColor("#c9d8ea"))
    line = QLineSeries()
    line.setName(_("Tỷ lệ đúng hạn (%)"))
    line.setPen(QPen(BLUE, 2.5))
    line.setPointsVisible(True)
    labels = []
    for i, point in enumerate(report.trend):
        month = point.period.number or point.period.start.month
        labels.append(f"{month}/{str(point.period.year or point.period.start.year)[2:]}")
        bars.append(point.received)
        if point.rate is not None:
            line.append(i, point.rate)
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    chart.addSeries(line)
    months = QBarCategoryAxis()
    months.append(labels)
    months.setLabelsFont(small_font(7.5))
    months.setTruncateLabels(False)
    chart.addAxis(months, Qt.AlignmentFlag.AlignBottom)
    rate_axis = QValueAxis()
    rate_axis.setRange(0, 100)
    rate_axis.setLabelFormat("%d")
    rate_axis.setLabelsFont(small_font(7.5))
    chart.addAxis(rate_axis, Qt.AlignmentFlag.AlignLeft)
    count_axis = QValueAxis()
    count_axis.setRange(0, max([p.received for p in report.trend] + [1]) * 1.15)
    count_axis.applyNiceNumbers()
    count_axis.setLabelFormat("%d")
    count_axis.setLabelsColor(QColor("#7a8a9a"))
    count_axis.setLabelsFont(small_font(7.5))
    chart.addAxis(count_axis, Qt.AlignmentFlag.AlignRight)
    series.attachAxis(months)
    series.attachAxis(count_axis)
    line.attachAxis(months)
    line.attachAxis(rate_axis)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def channel_chart(report: Report) -> QChart:
    """New dossiers of the period by channel, with the carried-over ones."""
    total = report.total
    chart = _chart(_("Hồ sơ nhận giải quyết theo kênh"))
    pie = QPieSeries()
    parts = ((_("Trực tiếp"), total.new_counter, BLUE), (_("Trực tuyến"), total.new_online, GREEN),
             (_("Bưu chính"), total.new_post, ORANGE), (_("Kỳ trước"), total.carried, QColor("#9aa5b1")))
    whole = sum(v for _l, v, _c in parts) or 1
    for label, value, color in parts:
        if value <= 0:
            continue
        piece = pie.append(f"{label} {show_number(value)} ({show_rate(100.0 * value / whole, 1)}%)", value)
        piece.setColor(color)
        piece.setLabelVisible(False)
    pie.setPieSize(0.85)
    chart.addSeries(pie)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    chart.legend().setFont(small_font(8))
    chart.legend().setMinimumWidth(165)
    return chart


def overdue_chart(report: Report) -> QChart:
    """Overdue dossiers (resolved late + still open past the appointment) by field."""
    chart = _chart(_("Hồ sơ quá hạn theo lĩnh vực"))
    data = sorted(report.overdue_by_field(), key=lambda x: x[1])[-8:]
    late = QBarSet(_("Quá hạn"))
    late.setColor(RED)
    names = []
    for field, count in data:
        names.append(field if len(field) <= 20 else field[:19] + "…")
        late.append(count)
    series = QHorizontalBarSeries()
    series.append(late)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    late.setLabelColor(QColor("#222222"))
    chart.addSeries(series)
    fields = QBarCategoryAxis()
    fields.append(names or ["-"])
    fields.setLabelsFont(small_font(7.5))
    fields.setTruncateLabels(False)
    chart.addAxis(fields, Qt.AlignmentFlag.AlignLeft)
    values = QValueAxis()
    values.setRange(0, max([c for _f, c in data] + [1]) * 1.2)
    values.applyNiceNumbers()
    values.setLabelFormat("%d")
    values.setLabelsFont(small_font(7.5))
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(fields)
    series.attachAxis(values)
    chart.legend().hide()
    return chart
