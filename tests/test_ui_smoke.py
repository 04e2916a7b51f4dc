"""The minimal main window opens on a real store and shows the ward's items."""

from networked_councillor.app import App
from networked_councillor.demo import load_demo
from networked_councillor.ui.main_window import MainWindow, RecentItemsModel


def test_main_window_shows_the_demo_ward(qtbot, isolated_data_dir):
    app = App(isolated_data_dir)
    load_demo(app)
    window = MainWindow(app)
    qtbot.addWidget(window)
    window.show()
    assert "Millbrook" in window.windowTitle()
    model = window.table.model()
    assert model.rowCount() > 100
    assert window.statusBar().currentMessage().endswith("items about the ward")
    app.close()


def test_recent_items_model_passes_the_model_tester(qtmodeltester):
    rows = [{"id": 1, "source_id": "s", "source_name": "S", "created_at": "2026-11-24T10:00:00+00:00",
             "title": "Pothole", "text": "Oak Road", "relevance": 0.5, "evidence": [{"kind": "street", "term": "Oak Road"}]}]
    qtmodeltester.check(RecentItemsModel(rows))
