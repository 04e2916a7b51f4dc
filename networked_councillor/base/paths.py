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
    return local_data_dir()


def database_path(folder: Path) -> Path:
    return folder / DB_NAME


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def training_material_dir() -> Path:
    return project_root() / "training_material"


def models_dir() -> Path:
    return project_root() / "models"


SYNC_SERVICES = {"onedrive": "OneDrive", "dropbox": "Dropbox", "icloud drive": "iCloud Drive",
                 "mobile documents": "iCloud Drive", "google drive": "Google Drive", "googledrive": "Google Drive",
                 "box": "Box", "nextcloud": "Nextcloud", "owncloud": "ownCloud"}


def synced_by(folder: str | os.PathLike) -> str | None:
    """The sync service (OneDrive, Dropbox, iCloud...) that copies ``folder`` elsewhere, or None.

    A SQLite database in a synced folder gets corrupted: the service copies the database and its write-ahead log
    at different moments, and may bring back an old copy of either. So the data folder must be local.
    """
    path = Path(folder).expanduser().resolve()
    for variable in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        root = os.environ.get(variable)
        if root and path.is_relative_to(Path(root).expanduser().resolve()):
            return "OneDrive"
    for part in path.parts:
        name = part.lower()
        for key, service in SYNC_SERVICES.items():
            if name == key or name.startswith(f"{key} - ") or (key == "onedrive" and name.startswith("onedrive")):
                return service
    return None


def local_data_dir() -> Path:
    """The per-user, local (never roaming, never synced) folder the app uses unless told otherwise."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def model_version() -> str:
    """The shipped model's version (encoder and heads), as its card in models/ names it."""
    import json

    try:
        return json.loads((models_dir() / "model.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "missing"
