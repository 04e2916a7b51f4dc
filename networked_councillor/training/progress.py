"""Which exercises each trainee completed, kept beside the training workspace so a reset does not lose it.

A small JSON file is enough (a session has a dozen trainees) and the officer can
read or copy it by hand. It is written whole to a temporary file and moved into
place, so a crash never leaves half of it.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

from networked_councillor.base.errors import ConfigError
from networked_councillor.base.files import write_whole
from networked_councillor.exporters.tabular import neutralise
from networked_councillor.training.exercises import EXERCISES

log = logging.getLogger(__name__)

FILE_NAME = "progress.json"


class Progress:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME
        self.trainees: dict[str, dict[str, str]] = {}
        self.current: str | None = None
        self._load()

    def _load(self) -> None:
        if not self.path.is_file():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.trainees = {str(k): {str(e): str(t) for e, t in v.items()} for k, v in data["trainees"].items()}
            self.current = data.get("current") if data.get("current") in self.trainees else None
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            damaged = self.path.with_suffix(".damaged.json")
            self.path.replace(damaged)
            log.warning("training progress in %s was unreadable (%s); kept it as %s", self.path, exc, damaged)

    def add_trainee(self, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise ConfigError("Give the trainee a name (a first name is enough).")
        self.trainees.setdefault(name, {})
        self.current = name
        self.save()
        return name

    def choose(self, name: str) -> None:
        if name not in self.trainees:
            raise ConfigError(f"There is no trainee called {name}.")
        self.current = name
        self.save()

    def complete(self, exercise_id: str, when: str) -> bool:
        """Record that the current trainee finished ``exercise_id``; True the first time."""
        if self.current is None:
            return False
        done = self.trainees[self.current]
        if exercise_id in done:
            return False
        done[exercise_id] = when
        self.save()
        return True

    def completed(self, name: str | None = None) -> dict[str, str]:
        return dict(self.trainees.get(name or self.current or "", {}))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"current": self.current, "trainees": self.trainees}, ensure_ascii=False, indent=2)
        write_whole(self.path, lambda file: file.write_text(text, encoding="utf-8"))

    def export_csv(self, path: Path) -> int:
        """One row per trainee and exercise, completed or not (UTF-8 with a BOM, so Excel reads it); rows written."""
        rows = [(trainee, exercise.id, exercise.title, "yes" if exercise.id in done else "no",
                 done.get(exercise.id, "")) for trainee, done in sorted(self.trainees.items())
                for exercise in EXERCISES]
        def write(file: Path) -> None:
            with file.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC)
                writer.writerow(("trainee", "exercise", "title", "completed", "completed_at"))
                writer.writerows([tuple(neutralise(str(cell)) for cell in row) for row in rows])

        write_whole(Path(path), write)
        return len(rows)
