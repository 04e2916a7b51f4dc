"""Every window on a 1366x768 laptop, in every theme: it fits, its text and controls reach WCAG 2.2 AA contrast,
each control has a name a screen reader can say, Tab moves on from every text box, and a theme applies at once."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from networked_councillor.ui import theme as themes
from networked_councillor.ui.itemmodels.inbox import COLUMN_NAMES, POST

TEXT, COMPONENT = 4.5, 3.0  # WCAG 2.2 AA: 1.4.3 text, 1.4.11 controls and focus indicators


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(one: QColor | str, two: QColor | str) -> float:
    a, b = sorted((luminance(QColor(one)), luminance(QColor(two))), reverse=True)
    return (a + 0.05) / (b + 0.05)


# ---- the windows ------------------------------------------------------------------------------------

def windows(window) -> dict[str, QWidget]:
    """Every window a councillor or an officer meets, opened on the demo ward."""
    from networked_councillor.ui.audit_view import AuditLogDialog
    from networked_councillor.ui.casework_export import ExportDialog, WardReportDialog
    from networked_councillor.ui.dialogs import LogIssueDialog
    from networked_councillor.ui.help_viewer import HelpViewer
    from networked_councillor.ui.privacy_dialog import PrivacyDialog
    from networked_councillor.ui.settings_sources import SourceEditor
    from networked_councillor.ui.ward_setup import WardSetupDialog

    window.table.selectRow(0)
    window.reply_action.trigger()
    shown = {"main window": window, "composer": window.composers[window.detail.item["id"]]}
    window.open_casework()
    window.casework_window.table.selectRow(0)
    window.open_settings()
    window.open_dashboard()
    shown |= {"casework": window.casework_window, "settings": window.settings_dialog, "dashboard": window.dashboard,
              "audit log": AuditLogDialog(window, window.app.store),
              "privacy": PrivacyDialog(window),
              "training material": HelpViewer(window),
              "log an issue": LogIssueDialog(window, window.detail.item, window.topic_names, "Millbrook"),
              "export": ExportDialog(window, 1, 6, Path.home()),
              "ward report": WardReportDialog(window, Path.home()),
              "ward set-up": WardSetupDialog(window),
              "source editor": SourceEditor(window.settings_dialog, window.app.registry.plugins)}
    for widget in shown.values():
        widget.show()
    return shown


def settings_pages(dialog):
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        yield dialog.tabs.tabText(index)


@pytest.fixture
def all_windows(window, qtbot):
    shown = windows(window)
    yield shown
    for name, widget in shown.items():
        if name != "main window":
            widget.close()


# ---- fits a laptop ---------------------------------------------------------------------------------------

def test_the_tests_draw_on_a_laptop_screen():
    assert QApplication.primaryScreen().availableGeometry().size().toTuple() == (1366, 768)


def test_every_window_fits_a_1366_by_768_screen(all_windows):
    screen = QApplication.primaryScreen().availableGeometry()
    for name, widget in all_windows.items():
        least = widget.minimumSizeHint()
        assert least.width() <= screen.width() and least.height() <= screen.height(), f"{name} cannot shrink to fit"
        assert screen.contains(widget.frameGeometry()), f"{name} opens partly off the screen"


def test_the_inbox_keeps_room_for_the_post_on_a_laptop(window, trainer):
    for shown in (window, trainer):
        shown.showMaximized()
        QApplication.processEvents()
        assert shown.width() <= 1366 and shown.minimumSizeHint().width() <= 1366, "it can shrink to fit"
        assert shown.table.columnWidth(POST) >= 130, "the post is readable, not “…”"


# ---- contrast ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(themes.THEMES))
def test_each_themes_colours_reach_wcag_aa(name):
    t = themes.PALETTES[name]
    for fg, bg, why in ((t.text, t.base, "text"), (t.text, t.window, "labels"), (t.text, t.alternate, "striped rows"),
                        (t.button_text, t.button, "buttons"), (t.highlighted_text, t.highlight, "selection"),
                        (t.link, t.base, "links"), (t.link, t.window, "links on windows"),
                        (t.placeholder, t.base, "placeholders and done items"), (t.danger, t.base, "must fix"),
                        (t.danger, t.window, "overdue"), (t.warning, t.base, "check"), (t.warning, t.window, "notes"),
                        (t.info, t.base, "tips"), (t.banner_text, t.banner, "training banner")):
        assert contrast(fg, bg) >= TEXT, f"{name}: {why} {fg} on {bg} is {contrast(fg, bg):.2f}:1"
    for fg, bg, why in ((t.edge, t.base, "input edges"), (t.edge, t.window, "control edges"),
                        (t.focus, t.window, "focus ring"), (t.focus, t.base, "focus ring on inputs")):
        assert contrast(fg, bg) >= COMPONENT, f"{name}: {why} {fg} on {bg} is {contrast(fg, bg):.2f}:1"


def text_colours(widget: QWidget) -> tuple[QColor, QColor] | None:
    """What a widget's text is drawn in and on, as the theme and any style sheet left its palette."""
    palette = widget.palette()
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractItemView, QAbstractSpinBox)):
        return palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
    if isinstance(widget, QComboBox):
        return palette.color(QPalette.ColorRole.ButtonText), palette.color(QPalette.ColorRole.Button)
    if isinstance(widget, QAbstractButton) and not widget.property("flat"):
        return palette.color(QPalette.ColorRole.ButtonText), palette.color(QPalette.ColorRole.Button)
    if isinstance(widget, (QLabel, QGroupBox, QTabBar)):
        return palette.color(QPalette.ColorRole.WindowText), background(widget)
    return None


def background(widget: QWidget) -> QColor:
    """The colour behind a label: its own if it fills it, else the nearest parent's that does."""
    while widget is not None:
        if widget.autoFillBackground() or widget.isWindow() or widget.testAttribute(
                Qt.WidgetAttribute.WA_StyledBackground):
            return widget.palette().color(widget.backgroundRole())
        widget = widget.parentWidget()
    return QApplication.palette().color(QPalette.ColorRole.Window)


def visible_widgets(root: QWidget):
    yield root
    for child in root.findChildren(QWidget):
        if child.isVisibleTo(root) and child.isEnabled():
            yield child


@pytest.mark.parametrize("name", list(themes.THEMES))
def test_every_window_in_every_theme_is_readable(window, all_windows, name):
    window.set_theme(name)
    QApplication.processEvents()
    for title, shown in all_windows.items():
        for widget in visible_widgets(shown):
            colours = text_colours(widget)
            if colours is None:
                continue
            fg, bg = colours
            assert contrast(fg, bg) >= TEXT, (f"{name}, {title}: {type(widget).__name__} "
                                              f"{widget.objectName() or widget.accessibleName()!r} has text "
                                              f"{fg.name()} on {bg.name()}: {contrast(fg, bg):.2f}:1")
    for model_view in (window.table, all_windows["casework"].table):
        model = model_view.model()
        for row in range(min(model.rowCount(), 40)):
            brush = model.index(row, 1).data(Qt.ItemDataRole.ForegroundRole)
            if brush is not None:
                base = model_view.palette().color(QPalette.ColorRole.Base)
                assert contrast(brush.color(), base) >= TEXT, f"{name}: a row's own colour {brush.color().name()}"


def test_a_theme_applies_at_once_to_every_open_window(window, all_windows):
    """Dark, then Light: no heading, button or box keeps Dark's colours until a restart."""
    window.set_theme("dark")
    window.set_theme("light")
    QApplication.processEvents()
    light = themes.PALETTES["light"]
    for title, shown in all_windows.items():
        for widget in visible_widgets(shown):
            colours = text_colours(widget)
            if colours and isinstance(widget, QLabel):
                assert colours[0].name() in (light.text, light.danger, light.warning, light.banner_text,
                                             light.placeholder), f"{title}: {widget.objectName()} stayed dark"
    assert window.detail.title.palette().color(QPalette.ColorRole.WindowText).name() == light.text


def test_the_text_size_setting_makes_everything_bigger_at_once(window):
    before = window.detail.body.font().pointSizeF(), window.detail.title.fontInfo().pointSizeF()
    window.open_settings("appearance")
    page = window.settings_dialog.pages["appearance"]
    page.text_size.setCurrentIndex(page.text_size.findData("larger"))
    after = window.detail.body.font().pointSizeF(), window.detail.title.fontInfo().pointSizeF()
    assert after[0] >= before[0] * 1.4 and after[1] > before[1] * 1.3, "body text and headings alike"
    assert window.prefs.value("text_size") == "larger"
    page.text_size.setCurrentIndex(page.text_size.findData("normal"))
    assert window.detail.body.font().pointSizeF() == pytest.approx(before[0])


def test_in_high_contrast_check_boxes_and_the_chosen_feeling_are_drawn_to_be_seen(window, all_windows, qtbot):
    """Fusion draws them in shades of the window colour, which vanish on black: the theme draws them itself."""
    window.set_theme("contrast")
    casework = all_windows["casework"]
    box = casework.overdue
    box.setChecked(True)
    image = box.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())}
    assert themes.CONTRAST.edge in colours, "the box has a white edge"
    negative, neutral, _positive = window.detail.feeling.buttons()
    negative.setChecked(True)

    def fill(button):
        image = button.grab().toImage()
        return image.pixelColor(image.width() // 2, 3)  # above the label, inside the edge

    assert contrast(fill(negative), fill(neutral)) >= COMPONENT, "the chosen feeling stands out from the others"
    reply_box = all_windows["composer"].editor.grab().toImage()
    assert reply_box.pixelColor(0, reply_box.height() // 2).name() == themes.CONTRAST.edge, "the reply box has an edge"
    window.table.selectRow(next(r for r in range(window.inbox.rowCount()) if _linked(window, window.inbox.item_id(r))))
    link = window.detail.casework.grab().toImage()
    assert themes.CONTRAST.link in {link.pixelColor(x, y).name() for x in range(link.width())
                                    for y in range(link.height())}, "casework links are cyan on black"
    palette = QApplication.palette()
    enabled = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    assert contrast(enabled, disabled) >= COMPONENT, "a disabled control looks disabled"


# ---- names a screen reader can say ----------------------------------------------------------------------

INTERACTIVE = {QAccessible.Role.PushButton, QAccessible.Role.CheckBox, QAccessible.Role.RadioButton,
               QAccessible.Role.ComboBox, QAccessible.Role.EditableText, QAccessible.Role.SpinBox,
               QAccessible.Role.Slider, QAccessible.Role.List, QAccessible.Role.Table, QAccessible.Role.Tree,
               QAccessible.Role.PageTab, QAccessible.Role.ButtonMenu, QAccessible.Role.ButtonDropDown,
               QAccessible.Role.Chart, QAccessible.Role.Graphic}


def unnamed(interface, path: str, found: list[str], depth: int = 0) -> None:
    if interface is None or depth > 30:
        return
    state = interface.state()
    if state.invisible or state.offscreen:
        return
    role = interface.role()
    name = interface.text(QAccessible.Text.Name).strip()
    if role in INTERACTIVE and not name:
        found.append(f"{path} > {role.name} ({type(interface.object()).__name__})")
    if role in (QAccessible.Role.Table, QAccessible.Role.List, QAccessible.Role.Tree):
        return  # their cells are checked by the test for the inbox; walking thousands is slow
    for index in range(interface.childCount()):
        unnamed(interface.child(index), f"{path} > {name or role.name}", found, depth + 1)


def test_every_control_in_every_window_has_a_name(all_windows):
    found: list[str] = []
    for title, shown in all_windows.items():
        pages = settings_pages(shown) if title == "settings" else [None]
        for page in pages:
            unnamed(QAccessible.queryAccessibleInterface(shown), f"{title}{' > ' + page if page else ''}", found)
    assert not found, "controls a screen reader cannot name:\n" + "\n".join(found)


def test_every_inbox_cell_has_a_name_and_a_row_reads_as_one_sentence(window):
    table = QAccessible.queryAccessibleInterface(window.table)
    cells = [table.child(i) for i in range(table.childCount())]
    cells = [c for c in cells if c.role() == QAccessible.Role.Cell][: len(COLUMN_NAMES) * 20]
    assert cells and all(c.text(QAccessible.Text.Name).strip() for c in cells), "no unnamed cell"
    model = window.inbox
    author = model.index(0, 1).data(Qt.ItemDataRole.DisplayRole)
    row = cells[0].text(QAccessible.Text.Description)
    expected = [author or "No name given", model.index(0, POST).data(Qt.ItemDataRole.AccessibleTextRole)[:20],
                model.index(0, 3).data(Qt.ItemDataRole.DisplayRole).split(",")[0],
                model.index(0, 4).data(Qt.ItemDataRole.DisplayRole),
                model.index(0, 6).data(Qt.ItemDataRole.ToolTipRole)]
    positions = [row.find(part) for part in expected]
    assert -1 not in positions and positions == sorted(positions), f"author, post, topic, feeling, time: {row!r}"
    mentions = next(r for r in range(model.rowCount()) if model.index(r, POST).data().startswith("@ "))
    assert model.index(mentions, POST).data(Qt.ItemDataRole.AccessibleTextRole).startswith("Mentions you. ")


# ---- the keyboard ----------------------------------------------------------------------------------------

def test_tab_moves_on_from_every_text_box(all_windows):
    for title, shown in all_windows.items():
        for box in [*shown.findChildren(QPlainTextEdit), *shown.findChildren(QTextEdit)]:
            if not box.isReadOnly():
                assert box.tabChangesFocus(), f"{title}: {box.accessibleName()!r} would swallow Tab"


@pytest.mark.parametrize("name", list(themes.THEMES))
def test_the_keyboard_focus_is_ringed_in_every_theme(window, qtbot, name):
    """F6 from pane to pane, Tab to a button: each time a ring in the theme's focus colour shows where."""
    window.set_theme(name)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    ring = QColor(themes.PALETTES[name].focus)
    for widget in (window.sidebar, window.table, window.detail.body, window.filter_bar.save_button):
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()
        shot = window.grab().toImage()
        edge = widget.mapTo(window, widget.rect().center())
        left = widget.mapTo(window, widget.rect().topLeft())
        colours = {shot.pixelColor(left.x() + dx, edge.y()).name() for dx in range(0, 3)}
        assert ring.name() in colours, f"{name}: no ring at the edge of {widget.accessibleName()!r}: {colours}"


def _linked(window, item_id) -> bool:
    with window.app.store.read() as db:
        return db.execute("SELECT 1 FROM issue_items WHERE item_id = ?", [item_id]).fetchone() is not None
