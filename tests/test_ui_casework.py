"""The casework log in the real window: logging from posts, editing, overdue issues, bulk changes."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from networked_councillor.base import clock
from networked_councillor.casework import issues as casework
from networked_councillor.casework.issues import NewIssue
from networked_councillor.ui import dialogs
from networked_councillor.ui.theme import current as current_theme


def select_rows(window, rows):
    window.table.clearSelection()
    model = window.table.selectionModel()
    for row in rows:
        model.select(window.inbox.index(row, 0), model.SelectionFlag.Select | model.SelectionFlag.Rows)
    model.setCurrentIndex(window.inbox.index(rows[0], 0), model.SelectionFlag.NoUpdate)


def log(window, title, **kw):
    with window.app.store.write() as db:
        return casework.create_issue(db, NewIssue(title=title, ward="Millbrook", **kw), clock.now_iso())


def test_one_issue_from_several_posts_links_them_all_and_the_post_shows_it(window, monkeypatch):
    monkeypatch.setattr(dialogs.LogIssueDialog, "exec", lambda self: True)
    select_rows(window, [0, 1, 2])
    shown = window.current_item_id()
    window.issue_action.trigger()
    with window.app.store.read() as db:
        issue = max(casework.list_issues(db, today=clock.utcnow().date()), key=lambda row: row["id"])
        linked = casework.get_issue(db, issue["id"])["items"]
    assert issue["linked"] == 3 and shown in {i["id"] for i in linked}
    assert issue["due_date"]  # a follow-up date is suggested
    window.show_item(shown)
    assert issue["reference"] in window.detail.casework.text() and window.detail.casework.isVisible()


def test_the_casework_window_edits_an_issue_and_its_timeline_grows(window, qtbot):
    issue_id = log(window, "Streetlight out on Mill Lane", category="street_lighting")
    window.casework_action.trigger()
    cw = window.casework_window
    qtbot.waitExposed(cw)
    cw.show_issue(issue_id)
    panel = cw.panel
    assert panel.title.text() == "Streetlight out on Mill Lane"
    panel.status.setCurrentIndex(panel.status.findData("reported"))
    panel.agency_ref.setText("LIGHT-2231")
    panel.contact["email"].setText("resident@example.org")
    panel.save()
    panel.note.setText("Council says a week.")
    panel.add_note()
    timeline = [panel.timeline.item(n).text() for n in range(panel.timeline.count())]
    assert any("Reported to council" in line for line in timeline)
    assert any("LIGHT-2231" in line for line in timeline)
    assert any("contact details updated" in line for line in timeline)
    assert timeline[-1].endswith("Council says a week.")
    assert not any("resident@example.org" in line for line in timeline)  # personal data stays off the timeline
    assert cw.model.data(cw.model.index(cw.model.row_of(issue_id), 3)) == "Reported to council"


def test_overdue_issues_come_first_in_red(window):
    log(window, "Fine", due_date="2999-01-01")
    late = log(window, "Bins not collected for three weeks", due_date="2020-01-01")
    window.open_casework()
    cw = window.casework_window
    assert cw.model.issue_id(0) == late
    assert cw.model.data(cw.model.index(0, 0), Qt.ItemDataRole.ForegroundRole).color().name() == current_theme().danger
    assert "(overdue)" in cw.model.data(cw.model.index(0, 5))
    overdue = [cw.model.issue_id(row) for row in range(cw.model.rowCount()) if "(overdue)" in cw.model.data(cw.model.index(row, 5))]
    assert f"{len(overdue)} overdue" in cw.summary.text()  # the demo ward has overdue casework of its own
    cw.overdue.setChecked(True)
    assert cw.model.rowCount() == len(overdue) and late in overdue


def test_bulk_status_change_moves_every_selected_issue(window, monkeypatch):
    ids = [log(window, f"Issue {n}") for n in range(3)]
    window.open_casework()
    cw = window.casework_window
    cw._reselect(ids[:2])
    cw.bulk_status.setCurrentIndex(cw.bulk_status.findData("in_progress"))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Chased highways", True)))
    cw.set_selected_status()
    with window.app.store.read() as db:
        statuses = {i: casework.get_issue(db, i)["status"] for i in ids}
        notes = [casework.describe_event(e) for e in casework.get_issue(db, ids[0])["events"]]
    assert statuses == {ids[0]: "in_progress", ids[1]: "in_progress", ids[2]: "new"}
    assert "Status: New → In progress. Chased highways" in notes


def test_a_post_can_join_an_existing_issue(window, monkeypatch):
    issue_id = log(window, "Parking on the verge")
    monkeypatch.setattr(dialogs, "choose_issue", lambda parent, issues, posts: issue_id if issue_id in {i["id"] for i in issues} else None)
    select_rows(window, [3])
    item_id = window.current_item_id()
    window.add_to_issue_action.trigger()
    with window.app.store.read() as db:
        assert item_id in {i["id"] for i in casework.get_issue(db, issue_id)["items"]}


def test_a_bad_due_date_is_explained_and_nothing_changes(window, monkeypatch):
    warnings = []
    monkeypatch.setattr("networked_councillor.ui.operations.explain", lambda parent, exc, *a: warnings.append(exc))
    issue_id = log(window, "Fly-tipping behind the shops")
    window.open_casework(issue_id)
    panel = window.casework_window.panel
    panel.title.setText("   ")
    panel.save()
    assert warnings and "needs a title" in warnings[0].message
    with window.app.store.read() as db:
        assert casework.get_issue(db, issue_id)["title"] == "Fly-tipping behind the shops"


def press(label):
    """Answer the next message box by pressing the button whose text starts with ``label``."""
    def exec_(box):
        next(button for button in box.buttons() if button.text().startswith(label)).click()
        return 0
    return exec_


def test_logging_a_post_already_in_an_issue_offers_that_issue_first(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(dialogs.LogIssueDialog, "exec", lambda self: True)
    select_rows(window, [0])
    window.issue_action.trigger()  # the first issue from this post
    first = window.current_item_id()
    with window.app.store.read() as db:
        issue = max(casework.list_issues(db, today=clock.today()), key=lambda row: row["id"])
    count = issue["id"]

    monkeypatch.setattr(QMessageBox, "exec", press("Open"))
    window.issue_action.trigger()
    assert window.casework_window.panel.issue["id"] == issue["id"], "its issue is opened, no new form"
    select_rows(window, [0, 4])
    monkeypatch.setattr(QMessageBox, "exec", press("Add the other 1"))
    window.issue_action.trigger()
    with window.app.store.read() as db:
        linked = {i["id"] for i in casework.get_issue(db, issue["id"])["items"]}
        assert max(r["id"] for r in casework.list_issues(db, today=clock.today())) == count, "no new issue"
    assert first in linked and window.inbox.item_id(4) in linked
    select_rows(window, [0])
    monkeypatch.setattr(QMessageBox, "exec", press("Log a new issue anyway"))
    window.issue_action.trigger()
    with window.app.store.read() as db:
        assert max(r["id"] for r in casework.list_issues(db, today=clock.today())) == count + 1


def test_a_status_change_writes_one_line_on_the_timeline(window):
    issue_id = log(window, "Streetlight out on Mill Lane", category="street_lighting")
    window.open_casework(issue_id)
    panel = window.casework_window.panel
    before = panel.timeline.count()
    panel.status.setCurrentIndex(panel.status.findData("in_progress"))
    panel.save()
    added = [panel.timeline.item(n).text() for n in range(before, panel.timeline.count())]
    assert len(added) == 1 and "New → In progress" in added[0], added
    with window.app.store.read() as db:
        lines = [casework.describe_event(e) for e in casework.get_issue(db, issue_id)["events"]]
    assert not any("— → —" in line for line in lines)


def test_the_title_column_shows_a_title_on_a_laptop(window):
    window.open_casework()
    cw = window.casework_window
    assert cw.width() <= 1366
    title = cw.model.index(0, 1).data()
    assert cw.table.columnWidth(1) >= cw.table.fontMetrics().horizontalAdvance(title[:28])


def test_a_corrected_topic_is_listed_once(window):
    window.table.selectRow(0)
    item = window.detail.item
    model_topic = item["topic"]
    window.items.correct_topic(item["id"], model_topic)  # the councillor confirms the model's own topic
    name = window.topic_names[model_topic]
    assert window.detail.topics_label.text().count(name) == 1 and "✔" in window.detail.topics_label.text()
