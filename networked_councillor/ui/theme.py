"""Light, dark and high-contrast themes and the text size, applied live to every open window.

Each theme sets the whole palette (so nothing of Dark is left behind after a
switch to Light) and the few colours the app draws itself: warnings, the
training banner, the focus ring. Every text colour on its background reaches
WCAG 2.2 AA's 4.5:1, and every control's edge and the focus ring 3:1
(`tests/test_accessibility.py` measures them on the real windows).

Fusion draws check boxes, radio buttons, frames and the pressed look of a
toggle button in shades of the window colour, which vanish on black, so
`ThemeStyle` draws those from the theme's own colours, and a focus ring thick
enough to find at a glance around whatever has the keyboard focus.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFocusFrame, QProxyStyle, QStyle, QStyleFactory, QWidget
from shiboken6 import isValid

THEMES = {"light": "Light", "dark": "Dark", "contrast": "High contrast"}
TEXT_SIZES = {"normal": ("Normal", 1.0), "large": ("Large", 1.2), "larger": ("Larger", 1.45)}


@dataclass(frozen=True)
class Theme:
    window: str
    text: str
    base: str
    alternate: str
    button: str
    button_text: str
    highlight: str
    highlighted_text: str
    link: str
    placeholder: str
    disabled: str
    edge: str
    """Borders of inputs, check boxes and frames: 3:1 against the window and the base."""
    focus: str
    danger: str
    warning: str
    info: str
    banner: str
    banner_text: str


LIGHT = Theme(window="#efefef", text="#1a1a1a", base="#ffffff", alternate="#f3f5f8", button="#e4e4e4",
              button_text="#1a1a1a", highlight="#1d5db5", highlighted_text="#ffffff", link="#0b57b0",
              placeholder="#636363", disabled="#8c8c8c", edge="#6f6f6f", focus="#0b57b0", danger="#b3261e",
              warning="#8a4b00", info="#0b57b0", banner="#fff3c4", banner_text="#3d2e00")
DARK = Theme(window="#2b2b2b", text="#ececec", base="#1e1e1e", alternate="#272727", button="#3b3b3b",
             button_text="#ececec", highlight="#2c66c4", highlighted_text="#ffffff", link="#8ab4ff",
             placeholder="#a9a9a9", disabled="#767676", edge="#9b9b9b", focus="#8ab4ff", danger="#ff8a80",
             warning="#ffc46b", info="#8ab4ff", banner="#4d3d00", banner_text="#ffe9a8")
CONTRAST = Theme(window="#000000", text="#ffffff", base="#000000", alternate="#111111", button="#000000",
                 button_text="#ffff00", highlight="#ffff00", highlighted_text="#000000", link="#00ffff",
                 placeholder="#c8c8c8", disabled="#8c8c8c", edge="#ffffff", focus="#00ffff", danger="#ff7b7b",
                 warning="#ffd24d", info="#00ffff", banner="#ffff00", banner_text="#000000")
PALETTES = {"light": LIGHT, "dark": DARK, "contrast": CONTRAST}

_current = LIGHT


def current() -> Theme:
    """The theme on show: for colours the app paints itself (chart bars, finding lists)."""
    return _current


def apply_theme(app: QApplication, name: str, text_size: str = "normal") -> Theme:
    """Put ``name`` and ``text_size`` on every window now (no restart), and return the theme."""
    global _current
    theme = _current = PALETTES.get(name, LIGHT)
    base_style = QStyleFactory.create("Fusion")
    app.setStyle(ThemeStyle(base_style, theme))
    app.setPalette(palette(theme))
    font = QFont(app.font())
    font.setPointSizeF(_base_points(app) * TEXT_SIZES.get(text_size, TEXT_SIZES["normal"])[1])
    app.setFont(font)
    app.setStyleSheet(style_sheet(theme, font.pointSizeF()))  # also re-polishes every widget: nothing stale
    _install_focus_ring(app, theme)
    return theme


def palette(theme: Theme) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window, QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base, QPalette.ColorRole.AlternateBase: theme.alternate,
        QPalette.ColorRole.Text: theme.text, QPalette.ColorRole.Button: theme.button,
        QPalette.ColorRole.ButtonText: theme.button_text, QPalette.ColorRole.BrightText: theme.danger,
        QPalette.ColorRole.Highlight: theme.highlight, QPalette.ColorRole.HighlightedText: theme.highlighted_text,
        QPalette.ColorRole.ToolTipBase: theme.base, QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.Link: theme.link, QPalette.ColorRole.LinkVisited: theme.link,
        QPalette.ColorRole.PlaceholderText: theme.placeholder,
        QPalette.ColorRole.Light: theme.edge, QPalette.ColorRole.Midlight: theme.edge,
        QPalette.ColorRole.Mid: theme.edge, QPalette.ColorRole.Dark: theme.edge, QPalette.ColorRole.Shadow: theme.edge,
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(theme.disabled))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(theme.disabled))
    p.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, QColor(theme.highlight))
    p.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.HighlightedText, QColor(theme.highlighted_text))
    return p


def style_sheet(theme: Theme, points: float) -> str:
    """The app's few named styles: headings sized from the text size, warnings and the banner in theme colours."""
    return f"""
        QLabel#heading {{ font-size: {points * 1.45:.1f}pt; font-weight: 600; }}
        QLabel#subheading {{ font-size: {points * 1.25:.1f}pt; font-weight: 600; }}
        QLabel[tone="danger"] {{ color: {theme.danger}; }}
        QLabel[tone="warning"] {{ color: {theme.warning}; }}
        QFrame#trainingBanner {{ background: {theme.banner}; border-bottom: 2px solid {theme.edge}; }}
        QFrame#trainingBanner QLabel {{ color: {theme.banner_text}; font-weight: bold; }}
        QFrame#attention {{ border: 2px solid {theme.warning}; border-radius: 4px; }}
    """


class ThemeStyle(QProxyStyle):
    """Fusion, with check marks, frames, toggled buttons and the focus ring drawn in the theme's colours."""

    def __init__(self, base: QStyle, theme: Theme) -> None:
        super().__init__(base)
        self.theme = theme

    def drawPrimitive(self, element, option, painter, widget=None):  # noqa: N802 (Qt's name)
        e = QStyle.PrimitiveElement
        if element in (e.PE_IndicatorCheckBox, e.PE_IndicatorItemViewItemCheck):
            return self._check_box(option, painter)
        if element == e.PE_IndicatorRadioButton:
            return self._radio_button(option, painter)
        if element in (e.PE_FrameLineEdit, e.PE_Frame) and option.rect.height() > 4:
            painter.save()
            painter.setPen(QPen(QColor(self._colour(option, self.theme.edge)), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5))
            painter.restore()
            return None
        if element == e.PE_FrameFocusRect and not isinstance(widget, QAbstractItemView):
            return None  # the focus ring (`FocusRing`) shows where the focus is; a list still marks its item
        super().drawPrimitive(element, option, painter, widget)
        if element == e.PE_PanelButtonCommand:  # Fusion's button edge is a shade of the window: none on black
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(self._colour(option, self.theme.edge)), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5), 2, 2)
            painter.restore()
        return None

    def pixelMetric(self, metric, option=None, widget=None):  # noqa: N802
        if metric in (QStyle.PixelMetric.PM_FocusFrameHMargin, QStyle.PixelMetric.PM_FocusFrameVMargin):
            return 0  # the ring lies on the widget's own edge: outside it, a pane's splitter would hide it
        return super().pixelMetric(metric, option, widget)

    def styleHint(self, hint, option=None, widget=None, data=None):  # noqa: N802
        if hint == QStyle.StyleHint.SH_FocusFrame_Mask:
            return 0  # no mask: with no margin it would hide the whole ring; the ring paints only its line
        if hint == QStyle.StyleHint.SH_FocusFrame_AboveWidget:
            return 1  # over the widget's edge, not under it
        return super().styleHint(hint, option, widget, data)

    def drawControl(self, element, option, painter, widget=None):  # noqa: N802
        if element == QStyle.ControlElement.CE_PushButton and option.state & QStyle.StateFlag.State_On:
            pressed = QPalette(option.palette)  # a toggled button (a chosen feeling) is filled, not just sunken
            pressed.setColor(QPalette.ColorRole.Button, QColor(self.theme.highlight))
            pressed.setColor(QPalette.ColorRole.ButtonText, QColor(self.theme.highlighted_text))
            option.palette = pressed
        return super().drawControl(element, option, painter, widget)

    def _colour(self, option, colour: str) -> str:
        return self.theme.disabled if not option.state & QStyle.StateFlag.State_Enabled else colour

    def _check_box(self, option, painter: QPainter) -> None:
        r = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)
        side = min(r.width(), r.height())
        r = QRectF(r.center().x() - side / 2, r.center().y() - side / 2, side, side)
        edge = QColor(self._colour(option, self.theme.edge))
        mark = QColor(self._colour(option, self.theme.text))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(edge, 1.6))
        painter.setBrush(QColor(self.theme.base))
        painter.drawRoundedRect(r, 2, 2)
        painter.setPen(QPen(mark, max(1.8, side / 7), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        if option.state & QStyle.StateFlag.State_On:
            painter.drawPolyline(QPolygonF([QPointF(r.left() + side * 0.22, r.top() + side * 0.52),
                                            QPointF(r.left() + side * 0.42, r.top() + side * 0.72),
                                            QPointF(r.left() + side * 0.78, r.top() + side * 0.28)]))
        elif option.state & QStyle.StateFlag.State_NoChange:
            painter.drawLine(QPointF(r.left() + side * 0.25, r.center().y()),
                             QPointF(r.right() - side * 0.25, r.center().y()))
        painter.restore()

    def _radio_button(self, option, painter: QPainter) -> None:
        r = QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(self._colour(option, self.theme.edge)), 1.6))
        painter.setBrush(QColor(self.theme.base))
        painter.drawEllipse(r)
        if option.state & QStyle.StateFlag.State_On:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(self._colour(option, self.theme.text)))
            painter.drawEllipse(r.center(), r.width() * 0.25, r.height() * 0.25)
        painter.restore()


class FocusRing(QFocusFrame):
    """A 3-pixel ring in the theme's focus colour around the widget with the keyboard focus (WCAG 2.4.7, 2.4.13)."""

    WIDTH = 3

    def __init__(self, colour: str) -> None:
        super().__init__()
        self.colour = QColor(colour)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.colour, self.WIDTH))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = self.WIDTH / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 3, 3)


_ring: FocusRing | None = None


def _install_focus_ring(app: QApplication, theme: Theme) -> None:
    if not app.property("nc_focus_ring"):
        app.setProperty("nc_focus_ring", True)
        app.focusChanged.connect(_follow_focus)
    if _ring is not None and isValid(_ring):
        _ring.setWidget(None)  # a new style hides the ring where it was: let go, and take it up again
    _follow_focus(None, app.focusWidget())


def _follow_focus(_old: QWidget | None, new: QWidget | None) -> None:
    """Put the ring around the new focus widget; the ring goes with a window that closes, so it is made anew."""
    global _ring
    keyboard = new is not None and not new.isWindow() and bool(new.focusPolicy() & Qt.FocusPolicy.TabFocus)
    if _ring is None or not isValid(_ring):
        if not keyboard:
            return
        _ring = FocusRing(_current.focus)
    _ring.colour = QColor(_current.focus)
    _ring.setWidget(new if keyboard else None)


def _base_points(app: QApplication) -> float:
    """The system's own text size, remembered before any text-size setting changes it."""
    points = app.property("nc_base_points")
    if points is None:
        points = app.font().pointSizeF()
        app.setProperty("nc_base_points", points)
    return float(points)
