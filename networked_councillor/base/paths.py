"""Where the app keeps its files."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "NC_DATA_DIR"
APP_NAME = "networked-councillor"
DB_NAME = "networked-councillor.sqlite"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """--data-dir wins, then $NC_DATA_DIR, then the platform's user data folder."""
    chosen = override or os.environ.get(ENV_DATA_DIR)
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(folder: Path) -> Path:
    return folder / DB_NAME


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def training_material_dir() -> Path:
    return project_root() / "training_material"


def models_dir() -> Path:
    return project_root() / "models"
