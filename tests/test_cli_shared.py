"""`shared …` on the command line: IT sets the database up and adds people; a councillor connects and syncs."""

from __future__ import annotations

import getpass
import shutil
import subprocess

import pytest

from networked_councillor.cli.main import main
from networked_councillor.shared.server_schema import setup_script


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_sets_up_a_database_adds_people_and_a_councillor_connects(capsys, postgres_server, monkeypatch,
                                                                      demo_folder, isolated_data_dir):
    from localpostgres import SUPERUSER_PASSWORD

    shutil.copytree(demo_folder, isolated_data_dir)
    dbname = postgres_server.new_database("cw_cli")
    it = ["--admin-address", postgres_server.address(dbname)]
    monkeypatch.setenv("PGPASSWORD", SUPERUSER_PASSWORD)
    code, out, _ = run(capsys, "shared", "setup", *it)
    assert code == 0 and "Applied schema versions 1" in out
    code, out, _ = run(capsys, "shared", "setup", *it)
    assert code == 0 and "Already up to date" in out
    code, out, _ = run(capsys, "shared", "add-user", "cllr_mo", "--name", "Cllr Mo Farah", "--role", "councillor",
                       "--ward", "E05000123=Millbrook", *it)
    assert code == 0 and "Their password" in out
    password = out.rsplit(": ", 1)[1].strip()
    code, out, _ = run(capsys, "shared", "add-user", "off_jo", "--name", "Jo Officer", "--role", "officer",
                       "--ward", "E05000123", "--ward", "E05000124=Riverside", *it)
    code, out, _ = run(capsys, "shared", "people", *it)
    assert "cllr_mo" in out and "E05000123, E05000124" in out
    monkeypatch.delenv("PGPASSWORD")

    monkeypatch.setattr(getpass, "getpass", lambda prompt="": password)
    code, out, err = run(capsys, "shared", "connect", postgres_server.address(dbname), "--user", "cllr_mo")
    assert code == 0, err
    assert "Connected as Cllr Mo Farah (councillor), wards: Millbrook." in out
    assert "Synced: sent" in out and ", 0 waiting" in out
    code, out, _ = run(capsys, "shared", "status")
    assert "as cllr_mo; last synced" in out and "0 change(s) waiting" in out
    with postgres_server.connect(dbname) as conn:
        assert conn.execute("SELECT count(*) FROM casework.issue WHERE ward_id = 'E05000123'").fetchone()[0] == 7

    monkeypatch.setenv("PGPASSWORD", SUPERUSER_PASSWORD)
    code, out, _ = run(capsys, "shared", "remove-user", "cllr_mo", *it)
    assert code == 0 and "can no longer use" in out
    monkeypatch.delenv("PGPASSWORD")
    code, out, _ = run(capsys, "shared", "sync")
    assert code == 1 and "Your access to the shared casework has ended" in out
    code, out, _ = run(capsys, "shared", "disconnect")
    code, out, _ = run(capsys, "shared", "status")
    assert "does not share its casework" in out


def test_a_wrong_password_and_an_unreachable_server_are_said_plainly(capsys, postgres_server, monkeypatch,
                                                                     isolated_data_dir):
    monkeypatch.setenv("PGPASSWORD", "wrong")
    code, _, err = run(capsys, "shared", "setup", "--admin-address", postgres_server.address("postgres"))
    assert code == 2 and "did not accept your name and password" in err
    code, _, err = run(capsys, "shared", "setup", "--admin-address", "127.0.0.1:1/casework")
    assert code == 2 and "cannot be reached just now" in err
    code, _, err = run(capsys, "shared", "setup", "--admin-address", "not an address")
    assert code == 2 and "is not a database address" in err


@pytest.mark.realtime
def test_the_printed_script_is_what_setup_runs_and_psql_accepts_it(postgres_server):
    """Council IT may read and run the script themselves: psql, one transaction, the same schema as `setup`."""
    from localpostgres import SUPERUSER_PASSWORD

    dbname = postgres_server.new_database("cw_psql")
    done = subprocess.run([str(postgres_server.bin / "psql"), "-v", "ON_ERROR_STOP=1", "-q", "-h", "127.0.0.1",
                           "-p", str(postgres_server.port), "-U", "postgres", "-d", dbname],
                          input=setup_script(), capture_output=True, text=True, timeout=60,
                          env={"PGPASSWORD": SUPERUSER_PASSWORD, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    with postgres_server.connect(dbname) as conn:
        assert conn.execute("SELECT max(version) FROM casework.schema_version").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM pg_policies WHERE schemaname = 'casework'").fetchone()[0] >= 10
