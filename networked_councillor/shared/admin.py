"""What council IT does once, and the administrator now and then: create or upgrade the schema, add a person,
end a person's access. These run with IT's own connection (a superuser, or a role with CREATEROLE that may
SET ROLE casework_owner), never with a councillor's.
"""

from __future__ import annotations

import re
import secrets as random
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from networked_councillor.base.errors import ConfigError
from networked_councillor.shared.server_schema import MIGRATIONS, ROLES_SQL

ROLES = {"councillor": "cw_councillor", "officer": "cw_officer", "admin": "cw_admin"}
ROLE_NAMES = {"councillor": "Councillor", "officer": "Member-support officer", "admin": "Administrator"}
LOGIN = re.compile(r"^(?!pg_)[a-z_][a-z0-9_.-]{1,62}$")
MIGRATION_LOCK = 727_0017


def schema_version(conn: psycopg.Connection) -> int:
    if conn.execute("SELECT to_regclass('casework.schema_version')").fetchone()[0] is None:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM casework.schema_version").fetchone()[0]


def setup(conn: psycopg.Connection) -> list[int]:
    """Create the schema, or bring it up to date; the versions applied (none when it already was)."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])  # two people running setup at once
        conn.execute(ROLES_SQL)
        conn.execute("GRANT casework_owner TO CURRENT_USER")  # only a role allowed to do that runs setup
        current = schema_version(conn)
        for version, _what, script in MIGRATIONS:
            if version > current:
                conn.execute(script)
                conn.execute("INSERT INTO casework.schema_version (version) VALUES (%s)", [version])
                applied.append(version)
    return applied


@dataclass(frozen=True)
class Person:
    login: str
    display_name: str
    role: str
    wards: tuple[tuple[str, str], ...]  # (ward id, ward name)


def add_person(conn: psycopg.Connection, person: Person, password: str | None = None) -> str:
    """Create (or update) a person's login and their wards; the password, new one made up if none was given.

    Run again for the same login it changes their name, role and wards, and gives back access that had ended.
    """
    if not LOGIN.match(person.login):
        raise ConfigError(f"{person.login!r} cannot be a login name.",
                          hint="Use lower-case letters, digits, dots, dashes or underscores, like cllr_asmith.")
    if person.role not in ROLES:
        raise ConfigError(f"The role must be one of: {', '.join(ROLES)}.")
    if person.role != "admin" and not person.wards:
        raise ConfigError("A councillor or an officer needs at least one ward (--ward).")
    password = password or random.token_urlsafe(18)
    login = sql.Identifier(person.login)
    with conn.transaction():
        exists = conn.execute(
            "SELECT NOT r.rolsuper AND EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "WHERE m.member = r.oid AND g.rolname = ANY(%s)) FROM pg_roles r WHERE r.rolname = %s",
            [list(ROLES.values()), person.login]).fetchone()
        if exists and not exists[0]:  # a login of this server's that is not a person (of this or another casework)
            raise ConfigError(f"{person.login!r} is already a role in this database server, not a person of the "
                              "shared casework: choose another login.")
        verb = "ALTER" if exists else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(login, sql.Literal(password)))
        held = conn.execute("SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                            "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = %s", [person.login]).fetchall()
        for (other,) in held:
            if other in ROLES.values() and other != ROLES[person.role]:
                conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), login))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(ROLES[person.role]), login))
        conn.execute("INSERT INTO casework.person (login, display_name, role) VALUES (%s, %s, %s) "
                     "ON CONFLICT (login) DO UPDATE SET display_name = excluded.display_name, role = excluded.role, "
                     "revoked_at = NULL", [person.login, person.display_name, person.role])
        conn.execute("DELETE FROM casework.ward_member WHERE login = %s", [person.login])
        for ward_id, name in person.wards:
            conn.execute("INSERT INTO casework.ward (id, name) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                         [ward_id, name or ward_id])
            conn.execute("INSERT INTO casework.ward_member (login, ward_id) VALUES (%s, %s)", [person.login, ward_id])
    return password


def end_access(conn: psycopg.Connection, login: str) -> int:
    """End a person's access: no wards, no login, and their open connections closed; how many were closed.

    Their timeline entries stay (they are the record of what they did) under their name.
    """
    with conn.transaction():
        found = conn.execute("UPDATE casework.person SET revoked_at = now() WHERE login = %s RETURNING 1",
                             [login]).fetchone()
        if not found:
            raise ConfigError(f"There is nobody called {login!r} in the shared casework.")
        conn.execute("DELETE FROM casework.ward_member WHERE login = %s", [login])
        conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(sql.Identifier(login)))
    return conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = %s",
                        [login]).fetchone()[0]


def people(conn: psycopg.Connection) -> list[dict]:
    rows = conn.execute(
        "SELECT p.login, p.display_name, p.role, p.revoked_at IS NOT NULL AS ended, "
        "coalesce(array_agg(m.ward_id ORDER BY m.ward_id) FILTER (WHERE m.ward_id IS NOT NULL), '{}') AS wards "
        "FROM casework.person p LEFT JOIN casework.ward_member m USING (login) GROUP BY p.login ORDER BY p.login")
    columns = [c.name for c in rows.description]
    return [dict(zip(columns, row)) for row in rows.fetchall()]


def parse_wards(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``--ward E05000123=Brixton Hill`` or ``--ward "Brixton Hill"`` into (id, name) pairs."""
    pairs = []
    for value in values:
        ward_id, _, name = value.partition("=")
        if not ward_id.strip():
            raise ConfigError(f"{value!r} is not a ward: give its id, or id=name.")
        pairs.append((ward_id.strip(), name.strip() or ward_id.strip()))
    return tuple(pairs)
