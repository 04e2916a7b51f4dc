"""One sync with the shared casework: who am I there, read what colleagues changed, send what waits here.

`SyncLoop` keeps doing it while the app is open: at once when this laptop changes casework, when the database
pokes (LISTEN/NOTIFY, while connected), and every ``poll_seconds`` whatever happens, since pokes are lost
while disconnected. An unreachable database is not an error the councillor must deal with: edits wait here,
the status says so, and the loop tries again with growing pauses.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

import psycopg

from networked_councillor.base import clock
from networked_councillor.base.errors import SharedError
from networked_councillor.shared import outbox
from networked_councillor.shared.admin import ROLE_NAMES
from networked_councillor.shared.connection import SECRETS, SharedSettings, connect, explain
from networked_councillor.shared.inbound import receive
from networked_councillor.store import Store
from networked_councillor.store import settings as settings_store

log = logging.getLogger(__name__)

LAST_SYNC = "shared.last_sync"
ME = "shared.me"
"""Who this person is there, as the last sync found: the window shows names and roles from it offline."""
CHANNEL = "casework"
MAX_PAUSE = 300.0
POLL_UNHEARD = 3.0
"""Seconds between polls when the database cannot notify (LISTEN refused, a connection pooler in between): a
colleague's change still arrives within about that. While notifications are heard, ``poll_seconds`` is only a
backstop."""


@dataclass(frozen=True)
class Me:
    login: str
    name: str
    role: str  # councillor, officer or admin
    wards: dict[str, str]  # id -> name
    people: dict[str, str]  # login -> name, for everyone in these wards

    @property
    def may_reply(self) -> bool:
        """Only a councillor posts replies as a councillor; an officer helps with the casework."""
        return self.role == "councillor"


def known_me(db) -> Me | None:
    """This person as the last sync found them (None when this laptop does not share its casework)."""
    if not SharedSettings.load(db).enabled:
        return None
    values = settings_store.get_setting(db, ME)
    return Me(**values) if values else None


def posting_refused(db) -> str:
    """Why this person may not post replies as a councillor ("" when they may)."""
    me = known_me(db)
    if me is None or me.may_reply:
        return ""
    return (f"As a {ROLE_NAMES[me.role].lower()} you do not post replies as a councillor: copy the reply and "
            "send it to the councillor instead.")


@dataclass
class SyncReport:
    at: str = ""
    sent: int = 0
    received: int = 0
    issues: set[int] = field(default_factory=set)
    waiting: int = 0
    me: Me | None = None
    held: int = 0  # entries the database refused from this person
    unusable: int = 0  # colleagues' entries this laptop could not apply

    def summary(self) -> str:
        words = f"sent {self.sent}, received {self.received}, {self.waiting} waiting"
        if self.held:
            words += f", {self.held} not accepted by the shared database (see the log)"
        return words


def who_am_i(conn: psycopg.Connection) -> Me:
    """This person as the database knows them; a `SharedError` (revoked) when it no longer does."""
    row = conn.execute("SELECT login, display_name, role FROM casework.person WHERE login = session_user "
                       "AND revoked_at IS NULL").fetchone()
    wards = dict(conn.execute("SELECT id, name FROM casework.ward WHERE id IN (SELECT casework.my_wards()) "
                              "ORDER BY name").fetchall())
    if row is None or (row[2] != "admin" and not wards):
        raise SharedError("Your access to the shared casework has ended.", revoked=True,
                          hint="Your own casework stays on this computer. Ask the member-support team if this is a "
                               "mistake.")
    people = dict(conn.execute("SELECT login, display_name FROM casework.person").fetchall())
    return Me(row[0], row[1], row[2], wards, people)


def check(settings: SharedSettings, secrets=SECRETS) -> Me:
    """Whether this laptop can reach the shared casework as this person, and who they are there."""
    try:
        with connect(settings, secrets) as conn:
            return who_am_i(conn)
    except psycopg.Error as exc:
        raise explain(exc, settings) from exc


def sync_once(store: Store, settings: SharedSettings | None = None, *, secrets=SECRETS,
              cancel: threading.Event | None = None, conn: psycopg.Connection | None = None) -> SyncReport:
    """Read what colleagues changed, send what waits here, and read back what was sent, on ``conn`` or a
    connection of its own; raises `SharedError` (offline, refused, revoked) with nothing half-done locally."""
    cancelled = (cancel or threading.Event()).is_set
    if settings is None:
        with store.read() as db:
            settings = SharedSettings.load(db)
    try:
        with nullcontext(conn) if conn is not None else connect(settings, secrets) as conn:
            me = who_am_i(conn)
            conn.commit()
            with store.read() as db:
                before = settings_store.get_setting(db, ME) or {}
            if before != asdict(me):  # written only when it changed: a poll every few seconds writes nothing
                with store.write() as db:
                    if (before.get("role"), before.get("wards")) != (me.role, me.wards):
                        outbox.hold_again(db)  # what was refused may be taken now
                    settings_store.set_setting(db, ME, asdict(me))
            wards = list(me.wards)
            received = receive(store, conn, me.people, wards, cancelled)  # first: a problem sending never holds it up
            sent = outbox.send(store, conn, lambda issue: _ward_for(settings, me), cancelled)
            if sent.entries:  # what was just sent comes back now, not as a long read at the next sync
                received.add(receive(store, conn, me.people, wards, cancelled))
    except psycopg.Error as exc:
        raise explain(exc, settings) from exc
    now = clock.now_iso()
    with store.write() as db:
        settings_store.set_setting(db, LAST_SYNC, now)
        waiting, held = outbox.waiting(db), outbox.held(db)
    return SyncReport(now, sent.entries, received.entries, received.issues | set(sent.renumbered), waiting, me,
                      held, received.unusable)


def _ward_for(settings: SharedSettings, me: Me) -> str:
    """Where this laptop's own new issues go: the ward set in Settings, or the person's only ward."""
    if settings.ward in me.wards:
        return settings.ward
    if len(me.wards) == 1:
        return next(iter(me.wards))
    raise SharedError("Choose which ward your new casework belongs to.", hint="Settings > Council > Shared casework.")


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar says: when it last synced, what waits, and whether something is wrong."""

    last_sync: str | None = None
    waiting: int = 0
    problem: str = ""
    offline: bool = False
    revoked: bool = False
    me: Me | None = None
    report: SyncReport | None = None
    held: int = 0

    def summary(self) -> str:
        waiting = f", {self.waiting} waiting to send" if self.waiting else ""
        waiting += f", {self.held} not accepted (see the log)" if self.held else ""
        when = _clock_time(self.last_sync) if self.last_sync else "never"
        if self.revoked:
            return "Shared casework: access ended"
        if self.offline:
            return f"Shared casework: offline (last synced {when}){waiting}"
        if self.problem:
            return f"Shared casework: not synced ({self.problem}){waiting}"
        return f"Shared casework: synced {when}{waiting}"

    def describe_me(self) -> str:
        if self.me is None:
            return ""
        return f"{self.me.name}, {ROLE_NAMES[self.me.role].lower()}: {', '.join(self.me.wards.values()) or 'no ward'}"


def _clock_time(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    local = moment.astimezone()
    return local.strftime("%H:%M") if local.date() == clock.local_now().date() else local.strftime("%d %b %H:%M")


class SyncLoop:
    """Sync now, then whenever something changes or ``poll_seconds`` pass, until ``cancel`` is set.

    One connection syncs and another listens, both kept open between syncs: a poll is then two small queries,
    not a new TLS session and password check each time.
    """

    def __init__(self, store: Store, settings: SharedSettings, on_status: Callable[[SyncStatus], None], *,
                 secrets=SECRETS, tick: float = 0.25, listen: bool = True) -> None:
        self.store, self.settings, self.on_status, self.secrets = store, settings, on_status, secrets
        self.tick = tick
        self.listen = listen
        self.poke = threading.Event()
        """Set it to sync at once (this laptop changed casework)."""
        self.status = SyncStatus()

    def run(self, cancel: threading.Event) -> None:
        pause, conn, listener = 0.0, None, None
        while not cancel.is_set():
            self.poke.clear()
            try:
                conn = conn or connect(self.settings, self.secrets)
                report = sync_once(self.store, self.settings, secrets=self.secrets, cancel=cancel, conn=conn)
                self._tell(SyncStatus(report.at, report.waiting, me=report.me, report=report, held=report.held))
                pause = 0.0
                listener = listener or self._listen()
            except SharedError as exc:
                conn, listener = _close(conn), _close(listener)
                self._tell(replace(self._failed(exc), me=self.status.me))
                if exc.revoked:
                    return
                pause = min(MAX_PAUSE, max(self.tick, pause * 2 or 1.0))
            except Exception:  # a bug must not end syncing for the day: logged, said, tried again later
                log.exception("shared casework sync failed")
                conn, listener = _close(conn), _close(listener)
                self._tell(SyncStatus(self.status.last_sync, self._waiting(), problem="an unexpected error, logged"))
                pause = MAX_PAUSE
            self._wait(cancel, listener, pause or (self.settings.poll_seconds if listener else POLL_UNHEARD))
        _close(conn)
        _close(listener)

    def _failed(self, exc: SharedError) -> SyncStatus:
        return SyncStatus(self._last_sync(), self._waiting(), problem=exc.message, offline=exc.offline,
                          revoked=exc.revoked)

    def _tell(self, status: SyncStatus) -> None:
        self.status = status
        self.on_status(status)

    def _listen(self) -> psycopg.Connection | None:
        if not self.listen:
            return None
        try:
            conn = connect(self.settings, self.secrets, autocommit=True)
            conn.execute(f"LISTEN {CHANNEL}")
            return conn
        except (SharedError, psycopg.Error) as exc:
            log.info("shared casework: not listening for changes (%s); polling", exc)
            return None

    def _wait(self, cancel: threading.Event, listener: psycopg.Connection | None, seconds: float) -> None:
        """Until a poke from here or from the database, or ``seconds``, or cancel."""
        waited = 0.0
        while waited < seconds and not cancel.is_set() and not self.poke.is_set():
            if listener is not None:
                try:
                    if any(True for _ in listener.notifies(timeout=self.tick, stop_after=1)):
                        return
                except psycopg.Error:
                    return  # the connection dropped: sync now, which says whether the database is still there
            else:
                cancel.wait(self.tick)
            waited += self.tick

    def _waiting(self) -> int:
        with self.store.read() as db:
            return outbox.waiting(db)

    def _last_sync(self) -> str | None:
        with self.store.read() as db:
            return settings_store.get_setting(db, LAST_SYNC)


def _close(conn: psycopg.Connection | None) -> None:
    if conn is not None:
        try:
            conn.close()
        except psycopg.Error:
            pass
    return None
