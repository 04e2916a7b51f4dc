"""`issues` on the command line, against the demo ward's casework in a real data folder."""

import json
import shutil

import pytest

from networked_councillor.cli import main


@pytest.fixture
def demo_data(demo_folder, isolated_data_dir):
    shutil.copytree(demo_folder, isolated_data_dir)
    return isolated_data_dir


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_demo_ward_has_casework_linked_to_its_posts(capsys, demo_data):
    code, out, _ = run(capsys, "issues", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 6  # the seventh is resolved
    assert all(row["linked"] >= 1 for row in rows)
    assert rows[0]["overdue"] and not rows[-1]["overdue"]  # overdue first
    code, out, _ = run(capsys, "issues", "list", "--all")
    assert code == 0 and "7 issue(s)." in out and "Resolved" in out


def test_show_move_and_note(capsys, demo_data):
    code, out, _ = run(capsys, "issues", "show", "mi-0005")
    assert code == 0 and "Recycling not collected, Willow Crescent" in out and "fixmystreet" in out
    code, out, _ = run(capsys, "issues", "status", "in_progress", "MI-0005", "MI-0007", "--note", "Crew sent")
    assert code == 0 and "2 issue(s) moved to In progress." in out
    run(capsys, "issues", "note", "MI-0005", "Resident says it was collected late.")
    code, out, _ = run(capsys, "issues", "show", "MI-0005")
    assert "Status: New → In progress. Crew sent" in out and out.rstrip().endswith("collected late.")


def test_an_unknown_reference_is_explained(capsys, demo_data):
    code, _, err = run(capsys, "issues", "show", "XX-9999")
    assert code == 2 and "There is no issue XX-9999" in err
