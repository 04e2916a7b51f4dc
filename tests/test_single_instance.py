"""Starting the app a second time on the same data folder brings the open window to the front instead."""

import os
import subprocess
import sys

import pytest

from networked_councillor.ui.single_instance import FirstInstance, bring_to_front, socket_name


@pytest.mark.realtime  # waits on a real second process with a time limit (faketime breaks Python's wait loop)
def test_a_second_copy_hands_over_to_the_first(window, qtbot):
    first = FirstInstance(socket_name(window.app.data_dir), window)
    assert first.listening
    asked = []
    first.show_requested.connect(lambda: (asked.append(1), bring_to_front(window)))
    window.showMinimized()
    second = subprocess.Popen([sys.executable, "-m", "networked_councillor", "--data-dir", str(window.app.data_dir)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    qtbot.waitUntil(lambda: bool(asked), timeout=60_000)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert "already open" in out
    assert not window.isMinimized()


def test_other_data_folders_and_training_are_separate(tmp_path):
    names = {socket_name(tmp_path / "a"), socket_name(tmp_path / "b"), socket_name(tmp_path / "a", training=True)}
    assert len(names) == 3
