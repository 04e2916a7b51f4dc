"""Helpers for the shared casework tests: people in a database, and laptops (app instances) connected as them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from networked_councillor.app import App
from networked_councillor.base.secrets import SecretStore
from networked_councillor.shared import admin
from networked_councillor.shared.connection import SharedSettings

NORTH, SOUTH = ("E05000001", "North Ward"), ("E05000002", "South Ward")


def add(server, dbname: str, login: str, role: str = "councillor", wards=(NORTH,), name: str = "") -> str:
    password = f"pw-{login}"
    with server.connect(dbname, autocommit=True) as conn:
        admin.add_person(conn, admin.Person(login, name or login.replace("_", " ").title(), role, tuple(wards)),
                         password)
    return password


def laptop(server, dbname: str, folder: Path, login: str, ward: str = NORTH[0]) -> App:
    """An app with its own data folder, connected to the shared casework as ``login`` (password in memory)."""
    app = App(folder, log_to_file=False)
    app.shared_secrets = SecretStore("shared-casework", memory={"password": f"pw-{login}"})
    settings = SharedSettings(address=server.address(dbname), user=login, ward=ward)
    with app.store.write() as db:
        settings.save(db)
    return app


def point_at(app: App, address: str) -> None:
    """The laptop's shared casework moved to another address (a server it cannot reach, a restored copy)."""
    with app.store.write() as db:
        replace(SharedSettings.load(db), address=address).save(db)
