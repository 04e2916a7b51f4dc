"""The email source against a real IMAP server (Dovecot) on loopback: new messages read once, by UID, never
marked as read; a server that drops mid-fetch costs nothing; a flood is read a slice at a time."""

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from imapclient import IMAPClient
from localimap import PASSWORD, USER, LocalDovecot, available
from mailfiles import resident_email

from networked_councillor.base import clock
from networked_councillor.base.secrets import SecretStore
from networked_councillor.ingest.pipeline import Pipeline
from networked_councillor.plugin_api.loader import discover
from networked_councillor.store import sources as source_store

pytestmark = pytest.mark.skipif(not available(), reason="Dovecot is not installed (.ci/run installs it)")


@pytest.fixture
def dovecot():
    # Its own folder under /tmp: Dovecot's processes run as another user, who cannot enter pytest's (0700).
    folder = Path(tempfile.mkdtemp(prefix="nc-dovecot-"))
    server = LocalDovecot(folder).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def mailbox(store, dovecot):
    with store.write() as db:
        source_id = source_store.add(db, "email", "Ward casework inbox", {
            "host": "127.0.0.1", "port": dovecot.port, "security": "none", "username": USER, "folder": "INBOX",
            "first_days": 14}, clock.now_iso())
        source_store.note_secrets(db, source_id)
    SecretStore(source_id).set("password", PASSWORD)
    return source_id


def fetch(store, source_id):
    [outcome] = Pipeline(store, discover()).fetch([source_id]).outcomes
    return outcome


def deliver(dovecot, n, *, start=0, days_ago=0.0):
    for i in range(start, start + n):
        dovecot.deliver(resident_email(f"m{i}@example.org", subject=f"Casework {i}"),
                        clock.utcnow() - timedelta(days=days_ago, minutes=n - i))


def stored(store):
    with store.read() as db:
        return sorted(r[0] for r in db.execute("SELECT external_id FROM items WHERE kind = 'email'"))


def test_new_messages_are_read_once_and_left_unread_on_the_server(store, dovecot, mailbox):
    deliver(dovecot, 3)
    deliver(dovecot, 1, start=90, days_ago=60)  # older than the first fetch looks back
    first = fetch(store, mailbox)
    assert first.ok, first.error
    assert (first.new, stored(store)) == (3, ["m0@example.org", "m1@example.org", "m2@example.org"])
    assert fetch(store, mailbox).new == 0
    deliver(dovecot, 2, start=3)
    assert fetch(store, mailbox).new == 2 and len(stored(store)) == 5
    with IMAPClient("127.0.0.1", dovecot.port, ssl=False) as client:
        client.login(USER, PASSWORD)
        client.select_folder("INBOX", readonly=True)
        assert client.search(["SEEN"]) == []  # the councillor's mail client still shows them as new


def test_a_server_that_drops_mid_fetch_loses_nothing_and_duplicates_nothing(store, dovecot, mailbox, monkeypatch):
    deliver(dovecot, 60)  # three round trips of 25
    real_fetch, calls = IMAPClient.fetch, []

    def fetch_then_crash(client, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            dovecot.kill()
        return real_fetch(client, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "fetch", fetch_then_crash)
    broken = fetch(store, mailbox)
    assert not broken.ok and "closed the connection" in broken.error and "read again next time" in broken.error
    assert stored(store) == []  # nothing half-stored
    monkeypatch.setattr(IMAPClient, "fetch", real_fetch)
    dovecot.start()
    assert fetch(store, mailbox).new == 60 and fetch(store, mailbox).new == 0
    assert len(stored(store)) == len(set(stored(store))) == 60


def test_a_flood_is_read_a_slice_at_a_time_and_says_so(store, dovecot, mailbox, monkeypatch):
    import nc_email.imap
    import nc_email.source

    monkeypatch.setattr(nc_email.imap, "MAX_PER_FETCH", 20)
    monkeypatch.setattr(nc_email.source, "MAX_PER_FETCH", 20)
    deliver(dovecot, 45)
    first = fetch(store, mailbox)
    assert first.new == 20 and "45 new messages in INBOX: the first 20 were read" in first.warnings[0]
    assert [fetch(store, mailbox).new for _ in range(3)] == [20, 5, 0]


def test_a_broken_message_is_skipped_and_the_rest_come_in(store, dovecot, mailbox):
    deliver(dovecot, 2)
    dovecot.deliver(b"\x00\x01 not a message at all", clock.utcnow())
    outcome = fetch(store, mailbox)
    assert outcome.new == 2 and any("does not look like an email" in w for w in outcome.warnings)


def test_a_wrong_password_is_said_plainly(store, dovecot, mailbox):
    SecretStore(mailbox).set("password", "not-the-password")
    outcome = fetch(store, mailbox)
    assert "refused to sign in councillor@millbrook.example" in outcome.error


def test_an_unencrypted_connection_is_refused_off_this_computer(store, mailbox):
    with store.write() as db:
        row = source_store.get(db, mailbox)
        source_store.update_config(db, mailbox, {**row.config, "host": "imap.example.org"})
    assert "without encryption" in fetch(store, mailbox).error


def test_imaps_trusts_the_computers_certificate_store_and_refuses_a_stranger(store, monkeypatch, tmp_path):
    """The server's certificate comes from an authority only this computer's store knows (SSL_CERT_FILE, as a
    council's own mail server would): trusted, it is read over IMAPS; not yet trusted, the app says so."""
    from networked_councillor.plugin_api.http import system_trust

    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    folder = Path(tempfile.mkdtemp(prefix="nc-dovecot-"))
    server = LocalDovecot(folder, certificate=authority.issue_cert("localhost")).start()
    try:
        with store.write() as db:
            source = source_store.add(db, "email", "Council mailbox", {
                "host": "localhost", "port": server.tls_port, "security": "ssl", "username": USER}, clock.now_iso())
            source_store.note_secrets(db, source)
        SecretStore(source).set("password", PASSWORD)
        deliver(server, 2)
        system_trust.cache_clear()
        refused = fetch(store, source)
        assert "showed a certificate this computer does not trust" in refused.error
        bundle = tmp_path / "council-ca.pem"
        authority.cert_pem.write_to_path(str(bundle))
        monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
        system_trust.cache_clear()
        assert fetch(store, source).new == 2
    finally:
        system_trust.cache_clear()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
