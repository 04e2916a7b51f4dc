"""A throw-away PostgreSQL server for tests: Debian's initdb and pg_ctl in a folder under /tmp, on loopback.

As root the server runs as the ``postgres`` user (initdb refuses root), so its folder is made with
`tempfile.mkdtemp`, not pytest's tmp_path (which that user cannot enter). Durability is switched off: the data
is thrown away, and a test that kills the server checks the app, not the disk.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import psycopg

SUPERUSER, SUPERUSER_PASSWORD = "postgres", "test-superuser-password"
SERVER_ENVIRONMENT = {k: v for k, v in os.environ.items() if not k.startswith(("LD_PRELOAD", "FAKETIME"))}
"""The server is another machine with its own clock: a test run under faketime does not move it."""


def bindir() -> Path:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL's initdb was not found: apt-get install postgresql")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalPostgres:
    def __init__(self, durable: bool = False, tls: tuple[bytes, bytes, bytes] | None = None,
                 certificate_logins: tuple[str, ...] = ()) -> None:
        """``tls``: (server certificate, its key, the authority whose client certificates it accepts), PEM; the
        ``certificate_logins`` then log in with a client certificate (its name is the login), everyone else with
        a password."""
        self.durable, self.tls, self.certificate_logins = durable, tls, certificate_logins
        self.bin = bindir()
        self.root = Path(tempfile.mkdtemp(prefix="nc-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = free_port()
        self.runas: dict = {}
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.runas = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([str(self.bin / program), *args], cwd=self.root, capture_output=True, text=True,
                              env=SERVER_ENVIRONMENT, **self.runas)
        if done.returncode:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr}\n{tail}")

    def init(self) -> LocalPostgres:
        pwfile = self.root / "pw"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if self.runas:
            os.chown(pwfile, self.runas["user"], self.runas["group"])
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(pwfile), "-A", "scram-sha-256",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions", "-N")
        pwfile.unlink()
        if self.tls:
            self._enable_tls()
        return self

    def _enable_tls(self) -> None:
        for name, pem in zip(("server.crt", "server.key", "clients-ca.crt"), self.tls):
            path = self.data / name
            path.write_bytes(pem)
            path.chmod(0o600)
            if self.runas:
                os.chown(path, self.runas["user"], self.runas["group"])
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n"
                       "ssl_ca_file = 'clients-ca.crt'\n")
        hba = self.data / "pg_hba.conf"
        lines = "".join(f"hostssl all {login} 127.0.0.1/32 cert\n" for login in self.certificate_logins)
        hba.write_text(lines + hba.read_text())

    def start(self) -> LocalPostgres:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c max_connections=60" + ("" if self.durable else " -c fsync=off -c full_page_writes=off"))
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "-o",
                  options, "start")
        return self

    def kill(self) -> None:
        """The server dies at once (SIGKILL to the postmaster and its children), as a pulled plug would; returns
        when they are all gone, so that it can start again."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        pids = [postmaster] + [int(p) for p in subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True,
                                                              text=True).stdout.split()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        gone = threading.Event()
        for _ in range(500):
            if not any(_alive(pid) for pid in pids):
                break
            gone.wait(0.01)
        else:
            raise RuntimeError(f"PostgreSQL processes {pids} outlived SIGKILL")
        # a killed postmaster nobody reaped (PID 1 in a container may not) still answers kill(pid, 0), and the
        # server would take it for itself running: the lock file goes, as it would with a reboot
        for lock in [self.data / "postmaster.pid", *self.root.glob(".s.PGSQL.*")]:
            lock.unlink(missing_ok=True)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def address(self, dbname: str) -> str:
        return f"127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", user: str = SUPERUSER, password: str = SUPERUSER_PASSWORD,
                **kwargs) -> psycopg.Connection:
        kwargs.setdefault("sslmode", "prefer")
        return psycopg.connect(host="127.0.0.1", port=self.port, dbname=dbname, user=user, password=password,
                               **kwargs)

    def new_database(self, name: str) -> str:
        with self.connect(autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie, killed but not yet reaped by its parent, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
