"""Where the shared casework database is, who this laptop is there, and opening a connection to it.

TLS is required (and the server's certificate checked against the computer's store, or the council's own
authority file) for any address but this computer's own. The password, or a client certificate key's
passphrase, is kept in the keyring, never in the app's database.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass
from urllib.parse import unquote, urlsplit

import psycopg
from sqlite_utils import Database

from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import ConfigError, SharedError
from networked_councillor.base.netguard import is_loopback
from networked_councillor.base.secrets import AppSecret, SecretStore
from networked_councillor.store import settings as settings_store

log = logging.getLogger(__name__)

SETTING = "shared.casework"
SECRETS = SecretStore("shared-casework")
PASSWORD = AppSecret("shared-casework", "password", "Shared casework database password")
"""The password, or with a client certificate the passphrase of its key."""
CONNECT_SECONDS = 10
IDLE_IN_TRANSACTION_MS = 60_000
"""A laptop that stops half-way through a transaction must not hold back every other laptop's sync."""


@dataclass(frozen=True)
class SharedSettings:
    """The shared casework database, as Settings > Council > Shared casework saves it."""

    address: str = ""  # host[:port]/database, or a postgresql:// address
    user: str = ""  # this person's login there
    ward: str = ""  # the ward this laptop's own new casework goes to
    ca_file: str = ""  # the council's own certificate authority, when its server's certificate is not public
    client_cert: str = ""  # a client certificate (PEM, with its key) instead of a password
    poll_seconds: int = 30

    @property
    def enabled(self) -> bool:
        return bool(self.address and self.user)

    @classmethod
    def load(cls, db: Database) -> SharedSettings:
        values = settings_store.get_setting(db, SETTING) or {}
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})

    def save(self, db: Database) -> None:
        settings_store.set_setting(db, SETTING, asdict(self))

    def conninfo(self) -> dict[str, str | int]:
        """libpq's connection parameters, without the password."""
        host, port, dbname = parse_address(self.address)
        params: dict[str, str | int] = {"host": host, "port": port, "dbname": dbname, "user": self.user,
                                        "connect_timeout": CONNECT_SECONDS, "application_name": "networked-councillor",
                                        "options": f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"}
        if is_loopback(host) and not (self.ca_file or self.client_cert):
            params["sslmode"] = "prefer"
        else:  # TLS, and the server's certificate checked, for anything but this computer (or when IT says so)
            params["sslmode"] = "verify-full"
            params["sslrootcert"] = self.ca_file or "system"
        if self.client_cert:
            params.update(sslcert=self.client_cert, sslkey=self.client_cert)
        return params


def save_settings(db: Database, settings: SharedSettings) -> Changes:
    """The operation behind Settings > Council > Shared casework and `shared connect` (empty: stop sharing)."""
    settings.save(db)
    return Changes(settings=True)


def parse_address(address: str) -> tuple[str, int, str]:
    """(host, port, database) from ``host[:port]/database`` or ``postgresql://host:port/database``."""
    text = address.strip()
    if "://" not in text:
        text = f"postgresql://{text}"
    if not re.match(r"^postgres(ql)?://\S+$", text):
        text = ""  # another scheme, or spaces: not an address
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port or 5432
        dbname = unquote(parts.path.lstrip("/"))
    except ValueError:
        host = dbname = ""
    if not host or not dbname:
        raise ConfigError(f"{address!r} is not a database address.",
                          hint="Write it as server/database or server:port/database, as council IT gave it.")
    return host, port, dbname


def connect(settings: SharedSettings, secrets: SecretStore = SECRETS, *, autocommit: bool = False,
            **params) -> psycopg.Connection:
    """A connection as this person, or a `SharedError` that says plainly why not."""
    if not settings.enabled:
        raise ConfigError("Shared casework is not set up on this computer.",
                          hint="Settings > Council > Shared casework, with the address council IT gave you.")
    info = settings.conninfo() | params
    password = secrets.get(PASSWORD.name)
    if password:
        info["sslpassword" if settings.client_cert else "password"] = password
    try:
        return psycopg.connect(autocommit=autocommit, **info)
    except psycopg.OperationalError as exc:
        raise explain(exc, settings) from exc


def explain(exc: psycopg.Error, settings: SharedSettings) -> SharedError:
    """A psycopg error in words for a councillor."""
    text = str(exc)
    log.info("shared casework: %s", text.strip().splitlines()[-1] if text.strip() else type(exc).__name__)
    if "not permitted to log in" in text or "does not exist" in text and "role" in text:
        return SharedError("Your access to the shared casework has ended.", revoked=True,
                           hint="Your own casework stays on this computer. Ask the member-support team if this is "
                                "a mistake.")
    if "password authentication failed" in text or "no password supplied" in text:
        return SharedError("The shared casework database did not accept your name and password.",
                           hint="Settings > Council > Shared casework: check your name there and set the password "
                                "again.")
    if "made_not_in_the_future" in text:
        return SharedError("This computer's clock is more than five minutes ahead of the council's database.",
                           hint="Set the date and time right (Windows: Settings > Time & language > Sync now); your "
                                "changes wait and go once it is.")
    if "private key" in text or "bad decrypt" in text:
        return SharedError("Your certificate's key could not be opened.",
                           hint="Settings > Council > Shared casework: set its passphrase again, or check the file.")
    if "certificate" in text or "SSL" in text:
        return SharedError("The shared casework database's secure connection could not be checked.",
                           hint="Ask council IT for its certificate authority file, or check the address.")
    if "does not exist" in text:
        return SharedError(f"The database in {settings.address!r} does not exist.", hint="Check the address.")
    return SharedError("The shared casework database cannot be reached just now.", offline=True,
                       hint="Your changes wait on this computer and are sent when it can be reached.")
