"""A real IMAP server for the tests: Debian's Dovecot, started in a temporary folder on a loopback port.

Mail is delivered by writing Maildir files, as a mail server's delivery agent does; Dovecot gives each message
its UID when a client next looks. `kill()` drops the server as a crash or a network cut would.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "councillor@millbrook.example", "app-password-123"


def available() -> bool:
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalDovecot:
    def __init__(self, folder: Path, *, certificate=None) -> None:
        """``certificate``: a trustme leaf certificate; with it the server also listens for IMAPS on ``tls_port``
        and refuses to sign anyone in without TLS."""
        self.folder = folder
        self.port = free_port()
        self.tls_port = free_port()
        self.certificate = certificate
        # Dovecot will not run mail as root, nor its login processes as the user who owns the mail.
        if os.getuid() == 0:
            self.internal, self.login = "dovecot", "dovenull"
            owner = pwd.getpwnam("dovecot")
        else:
            owner = pwd.getpwuid(os.getuid())
            self.internal = self.login = owner.pw_name
        self.uid, self.gid = owner.pw_uid, owner.pw_gid
        self.maildir = folder / "mail" / USER
        self.process: subprocess.Popen | None = None

    def _write_config(self) -> Path:
        f = self.folder
        for sub in ("run", "state", "home", "mail"):
            (f / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        (f / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        tls = "ssl = no\ndisable_plaintext_auth = no\n"
        imaps = "port = 0"
        if self.certificate is not None:
            self.certificate.cert_chain_pems[0].write_to_path(str(f / "cert.pem"))
            self.certificate.private_key_pem.write_to_path(str(f / "key.pem"))
            tls = f"ssl = required\nssl_cert = <{f}/cert.pem\nssl_key = <{f}/key.pem\ndisable_plaintext_auth = yes\n"
            imaps = f"address = 127.0.0.1\n    port = {self.tls_port}"
        config = f / "dovecot.conf"
        config.write_text(f"""
base_dir = {f}/run
state_dir = {f}/state
log_path = {f}/dovecot.log
protocols = imap
listen = 127.0.0.1
{tls}auth_mechanisms = plain login
default_internal_user = {self.internal}
default_login_user = {self.login}
first_valid_uid = 1
mail_location = maildir:{f}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {f}/users
}}
userdb {{
  driver = static
  args = uid={self.uid} gid={self.gid} home={f}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    {imaps}
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
""")
        self._own(f)
        return config

    def _own(self, path: Path) -> None:
        if os.getuid() == 0:
            for root, dirs, files in os.walk(path):
                for name in (*dirs, *files):
                    os.chown(os.path.join(root, name), self.uid, self.gid)
            os.chown(path, self.uid, self.gid)

    def start(self) -> LocalDovecot:
        config = self._write_config()
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot did not start: {self.process.stderr.read().decode()} "
                                   f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                threading.Event().wait(0.05)  # not time.sleep: under faketime that fails
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def deliver(self, data: bytes, received: datetime) -> None:
        """One message into the inbox, as a delivery agent writes it (tmp/, then renamed into new/).

        ``received`` is its IMAP internal date (the file's time), set from the test clock so searches by date
        give the same answer on any real date.
        """
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.localhost"
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(data)
        os.utime(tmp, (received.timestamp(), received.timestamp()))
        self._own(tmp)
        tmp.rename(self.maildir / "new" / name)

    def kill(self) -> None:
        """The server goes away at once, mid-conversation, with everything it had started."""
        if self.process:
            try:  # the master and the processes serving each connection: one process group
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()  # killed: at once
        for leftover in (self.folder / "run").glob("*"):
            if leftover.is_socket() or leftover.name == "master.pid":
                leftover.unlink(missing_ok=True)

    def stop(self) -> None:
        self.kill()
