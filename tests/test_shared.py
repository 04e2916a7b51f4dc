"""Shared casework against a real PostgreSQL server (started by the fixtures on loopback), never a mock."""

from __future__ import annotations

import json

import psycopg
import pytest
from sharedcase import NORTH, SOUTH, add, laptop, point_at

from networked_councillor.base import clock
from networked_councillor.base.errors import SharedError
from networked_councillor.casework import issues as casework
from networked_councillor.casework import ops
from networked_councillor.shared import outbox


def issue_by_uid(app, uid):
    with app.store.read() as db:
        issue_id = db.execute("SELECT id FROM issues WHERE uid = ?", [uid]).fetchone()[0]
        return casework.get_issue(db, issue_id)


def uid_of(app, issue_id):
    with app.store.read() as db:
        return db.execute("SELECT uid FROM issues WHERE id = ?", [issue_id]).fetchone()[0]


@pytest.fixture
def ward_pair(postgres_server, shared_db, tmp_path):
    """Two councillors of one ward, each on their own laptop."""
    add(postgres_server, shared_db, "cllr_ann")
    add(postgres_server, shared_db, "cllr_ben")
    ann = laptop(postgres_server, shared_db, tmp_path / "ann", "cllr_ann")
    ben = laptop(postgres_server, shared_db, tmp_path / "ben", "cllr_ben")
    yield ann, ben
    ann.close()
    ben.close()


def test_an_issue_logged_on_one_laptop_arrives_on_the_other(ward_pair):
    ann, ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Oak Road closure", "Closed for three weeks",
                                                            category="roads", address="Oak Road")).value
    ann.sync_shared()
    report = ben.sync_shared()
    assert report.received >= 1
    seen = issue_by_uid(ben, uid_of(ann, issue_id))
    assert (seen["title"], seen["category"], seen["address"], seen["status"]) == (
        "Oak Road closure", "roads", "Oak Road", "new")
    assert seen["reference"] == issue_by_uid(ann, uid_of(ann, issue_id))["reference"]
    assert [e["kind"] for e in seen["events"]] == ["created"]
    assert seen["events"][0]["actor"] == "Cllr Ann"


def test_offline_edits_to_one_issue_converge_with_both_on_the_timeline(ward_pair, postgres_server, shared_db):
    ann, ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Streetlight out on Mill Lane")).value
    ann.sync_shared()
    ben.sync_shared()
    uid = uid_of(ann, issue_id)
    ben_id = issue_by_uid(ben, uid)["id"]
    start = clock.utcnow()
    try:
        # Ann is offline (her laptop cannot reach the server), and edits the status and adds a note
        clock.set_now(start.replace(minute=start.minute))
        ann.perform(ops.edit, issue_id, {"status": "in_progress", "priority": "high"}, note="Reported to lighting")
        point_at(ann, "127.0.0.1:1/nowhere")
        with pytest.raises(SharedError) as offline:
            ann.sync_shared()
        assert offline.value.offline
        # Ben, a minute later, changes the status too, and the due date
        from datetime import timedelta
        clock.set_now(start + timedelta(minutes=1))
        ben.perform(ops.edit, ben_id, {"status": "awaiting_resident", "due_date": "2026-12-01"}, note="Asked Mrs P")
        ben.sync_shared()
        clock.set_now(start + timedelta(minutes=2))
        point_at(ann, postgres_server.address(shared_db))
        ann.sync_shared()
        ben.sync_shared()
    finally:
        clock.set_now(start)
    mine, theirs = issue_by_uid(ann, uid), issue_by_uid(ben, uid)
    for issue in (mine, theirs):
        assert issue["status"] == "awaiting_resident"  # Ben's was later
        assert issue["priority"] == "high"  # only Ann changed it
        assert issue["due_date"] == "2026-12-01"
        words = [casework.describe_event(e) for e in issue["events"]]
        assert "Reported to lighting" in " ".join(words) and "Asked Mrs P" in " ".join(words)
        assert sum("Status" in w for w in words) == 2  # both changes stay on the timeline
    assert [e["uid"] for e in mine["events"]] == [e["uid"] for e in theirs["events"]]
    with ann.store.read() as db:
        assert db.execute("SELECT count(*) FROM issue_events").fetchone()[0] == len(mine["events"])


def test_an_officer_assigns_an_issue_and_the_councillor_sees_who_handles_it(ward_pair, postgres_server, shared_db,
                                                                            tmp_path):
    ann, _ben = ward_pair
    add(postgres_server, shared_db, "off_olga", "officer", wards=(NORTH, SOUTH), name="Olga Reyes")
    olga = laptop(postgres_server, shared_db, tmp_path / "olga", "off_olga")
    try:
        issue_id = ann.perform(ops.log_issue, casework.NewIssue("Fly-tipping behind the library")).value
        ann.sync_shared()
        report = olga.sync_shared()
        assert report.me.role == "officer" and not report.me.may_reply
        assert set(report.me.wards) == {NORTH[0], SOUTH[0]}
        olga_id = issue_by_uid(olga, uid_of(ann, issue_id))["id"]
        olga.perform(ops.edit, olga_id, {"assigned_to": "off_olga"}, note="I'll chase Veolia while Ann is away")
        olga.sync_shared()
        ann.sync_shared()
        seen = issue_by_uid(ann, uid_of(ann, issue_id))
        assert seen["assigned_to"] == "off_olga"
        words = [(e["actor"], casework.describe_event(e)) for e in seen["events"]]
        assert ("Olga Reyes", "Handled by: off_olga") in words
        assert ("Olga Reyes", "I'll chase Veolia while Ann is away") in words
    finally:
        olga.close()


def test_an_officer_cannot_record_a_reply_as_a_councillor(postgres_server, shared_db):
    add(postgres_server, shared_db, "cllr_ann")
    add(postgres_server, shared_db, "off_olga", "officer")
    issue = "00000000-0000-4000-8000-000000000001"
    with postgres_server.connect(shared_db, "cllr_ann", "pw-cllr_ann", autocommit=True) as ann:
        ann.execute("INSERT INTO casework.issue (id, ward_id, reference) VALUES (%s, %s, 'NW-0001')", [issue, NORTH[0]])
        ann.execute("INSERT INTO casework.issue_event (id, issue_id, ward_id, kind, made_at) "
                    "VALUES (gen_random_uuid(), %s, %s, 'replied', now())", [issue, NORTH[0]])
    with postgres_server.connect(shared_db, "off_olga", "pw-off_olga", autocommit=True) as olga:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            olga.execute("INSERT INTO casework.issue_event (id, issue_id, ward_id, kind, made_at) "
                         "VALUES (gen_random_uuid(), %s, %s, 'replied', now())", [issue, NORTH[0]])


def test_an_officers_laptop_refuses_to_post_a_reply_whatever_asks(postgres_server, shared_db, tmp_path):
    from networked_councillor.base.errors import ConfigError
    from networked_councillor.ingest.by_hand import HandPost
    from networked_councillor.replies.posting import post_reply, why_not_postable

    add(postgres_server, shared_db, "off_olga", "officer")
    olga = laptop(postgres_server, shared_db, tmp_path / "olga", "off_olga")
    try:
        item_id = olga.add_post(HandPost("The bins on Elm Row were missed again")).item_ids[0]
        assert "councillor" not in why_not_postable(olga, item_id)  # before her laptop knows she is an officer
        olga.sync_shared()
        assert "you do not post replies as a councillor" in why_not_postable(olga, item_id)
        with pytest.raises(ConfigError, match="you do not post replies as a councillor"):
            post_reply(olga, item_id, "Thanks, reported")
    finally:
        olga.close()


HAND_WRITTEN = [
    "SELECT count(*) FROM casework.issue",
    "SELECT count(*) FROM casework.issue_event",
    "SELECT count(*) FROM casework.issue_field",
    "SELECT count(*) FROM casework.audit_log WHERE ward_id = 'E05000001'",
    "SELECT count(*) FROM casework.ward_member WHERE ward_id = 'E05000001'",
    "SELECT count(*) FROM casework.ward WHERE id = 'E05000001'",
    "SELECT count(*) FROM casework.person WHERE login = 'cllr_ann'",
]


def test_a_councillor_of_another_ward_gets_nothing_even_with_hand_written_sql(ward_pair, postgres_server, shared_db):
    ann, _ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Oak Road closure", "Mr Khan at 4 Oak Road")).value
    ann.perform(ops.add_note, issue_id, "Spoke to Mr Khan")
    ann.sync_shared()
    uid = uid_of(ann, issue_id)
    add(postgres_server, shared_db, "cllr_sam", wards=(SOUTH,))
    with postgres_server.connect(shared_db, "cllr_sam", "pw-cllr_sam", autocommit=True) as sam:
        assert [sam.execute(q).fetchone()[0] for q in HAND_WRITTEN] == [0] * len(HAND_WRITTEN)
        sam.execute("SET ROLE cw_councillor")  # the group role: the same person, so the same wards
        assert sam.execute("SELECT count(*) FROM casework.issue_event").fetchone()[0] == 0
        sam.execute("RESET ROLE")
        for other in ("casework_owner", "cw_officer", "cw_admin"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                sam.execute(f"SET ROLE {other}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sam.execute("SET ROLE cllr_ann")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            sam.execute("INSERT INTO casework.issue_event (id, issue_id, ward_id, kind, detail, made_at) VALUES "
                        "(gen_random_uuid(), %s, 'E05000001', 'note', '{\"text\": \"x\"}', now())", [uid])
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            sam.execute("INSERT INTO casework.issue_event (id, issue_id, ward_id, kind, made_at) VALUES "
                        "(gen_random_uuid(), %s, 'E05000002', 'note', now())", [uid])  # lying about the ward
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sam.execute("UPDATE casework.issue_event SET detail = '{}'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sam.execute("INSERT INTO casework.ward_member VALUES ('cllr_sam', 'E05000001')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sam.execute("DELETE FROM casework.audit_log")
        entries = sam.execute("SELECT count(*) FROM pg_catalog.pg_class").fetchone()[0]
        assert entries  # the catalogue is readable, as in any PostgreSQL database; the casework is not
        assert sam.execute("SELECT casework.forget(array(SELECT id FROM casework.issue_event))").fetchone()[0] == 0
    with postgres_server.connect(shared_db, autocommit=True) as it:
        assert it.execute("SELECT count(*) FROM casework.issue_event WHERE detail <> '{\"erased\": true}'"
                          ).fetchone()[0] == 2


def test_the_server_killed_mid_sync_loses_and_doubles_nothing(ward_pair, postgres_server, shared_db, monkeypatch):
    from networked_councillor.shared import inbound

    ann, ben = ward_pair
    with ann.store.write() as db:
        for n in range(300):
            issue_id = casework.create_issue(db, casework.NewIssue(f"Pothole {n}"), clock.now_iso())
            casework.add_note(db, issue_id, f"Note {n}", clock.now_iso())
            casework.update_issue(db, issue_id, {"status": "reported"}, clock.now_iso())
    calls = {"send": 0}
    real_issues_there = outbox._issues_there

    def killed_in_the_second_batch(conn, uids):
        calls["send"] += 1
        if calls["send"] == 2:  # the first batch committed; the second is half-way through its transaction
            postgres_server.kill()
        return real_issues_there(conn, uids)

    monkeypatch.setattr(outbox, "_issues_there", killed_in_the_second_batch)
    with pytest.raises(SharedError) as cut:
        ann.sync_shared()
    assert cut.value.offline
    with ann.store.read() as db:
        assert outbox.waiting(db) == 900 - 500
    postgres_server.start()
    monkeypatch.setattr(outbox, "_issues_there", real_issues_there)
    report = ann.sync_shared()
    assert report.sent == 400 and report.waiting == 0

    applied = {"n": 0}
    real_apply = inbound.apply

    def killed_while_reading(db, entry, people, received):
        applied["n"] += 1
        if applied["n"] == 450:  # half-way, between two fetches of the same window
            postgres_server.kill()
        return real_apply(db, entry, people, received)

    monkeypatch.setattr(inbound, "apply", killed_while_reading)
    monkeypatch.setattr(inbound, "BATCH", 200)
    with pytest.raises(SharedError):
        ben.sync_shared()
    postgres_server.start()
    monkeypatch.setattr(inbound, "apply", real_apply)
    ben.sync_shared()
    with postgres_server.connect(shared_db) as it:
        assert it.execute("SELECT count(*), count(DISTINCT id) FROM casework.issue_event").fetchone() == (900, 900)
        assert it.execute("SELECT count(*) FROM casework.issue").fetchone()[0] == 300
    for app in (ann, ben):
        with app.store.read() as db:
            assert db.execute("SELECT count(*), count(DISTINCT uid) FROM issue_events").fetchone() == (900, 900)
            assert db.execute("SELECT count(*) FROM issues WHERE status = 'reported'").fetchone()[0] == 300
            assert db.execute("SELECT count(DISTINCT reference) FROM issues").fetchone()[0] == 300


def test_a_revoked_person_loses_access_at_the_next_sync(ward_pair, postgres_server, shared_db):
    from networked_councillor.shared import admin

    ann, ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Bins not collected")).value
    ann.sync_shared()
    ben.sync_shared()
    held_open = postgres_server.connect(shared_db, "cllr_ben", "pw-cllr_ben", autocommit=True)
    with postgres_server.connect(shared_db, autocommit=True) as it:
        assert admin.end_access(it, "cllr_ben") == 1
    with pytest.raises(psycopg.OperationalError):
        held_open.execute("SELECT count(*) FROM casework.issue_event")
    ann.perform(ops.add_note, issue_id, "Escalated")
    ann.sync_shared()
    with pytest.raises(SharedError) as refused:
        ben.sync_shared()
    assert refused.value.revoked and "ended" in refused.value.message
    with ben.store.read() as db:  # what Ben had stays on his laptop; nothing new reaches it
        assert db.execute("SELECT count(*) FROM issues").fetchone()[0] == 1
        assert "Escalated" not in json.dumps(casework.get_issue(db, 1)["events"])
    # membership taken away (login still allowed): the next sync says so too
    add(postgres_server, shared_db, "cllr_ben")
    ben.sync_shared()
    with postgres_server.connect(shared_db, autocommit=True) as it:
        it.execute("DELETE FROM casework.ward_member WHERE login = 'cllr_ben'")
    with pytest.raises(SharedError) as no_ward:
        ben.sync_shared()
    assert no_ward.value.revoked


def test_two_laptops_offline_numbering_the_same_reference_end_with_two_references(ward_pair):
    ann, ben = ward_pair
    first = ann.perform(ops.log_issue, casework.NewIssue("Graffiti on the bridge")).value
    second = ben.perform(ops.log_issue, casework.NewIssue("Broken bench in the park")).value
    with ann.store.read() as db, ben.store.read() as db2:
        assert casework.get_issue(db, first)["reference"] == casework.get_issue(db2, second)["reference"]
    ann.sync_shared()
    ben.sync_shared()
    ann.sync_shared()
    refs = {}
    for app in (ann, ben):
        with app.store.read() as db:
            refs[app] = dict(db.execute("SELECT uid, reference FROM issues").fetchall())
    assert refs[ann] == refs[ben] and len(set(refs[ann].values())) == 2
    with ben.store.read() as db:
        words = [casework.describe_event(e) for e in casework.get_issue(db, second)["events"]]
    assert any("was also given to a colleague's issue" in w for w in words)


def test_contact_details_go_only_with_consent_and_erasure_reaches_every_copy(ward_pair, postgres_server, shared_db):
    from networked_councillor.casework.erasure import erase_and_scrub
    from networked_councillor.casework.privacy import PersonQuery, find_person

    ann, ben = ward_pair
    private = ann.perform(ops.log_issue, casework.NewIssue(
        "Damp in a council flat", contact=casework.Contact("Rita Moss", "rita@example.org", "07700 900123"))).value
    shared = ann.perform(ops.log_issue, casework.NewIssue(
        "Parking on the verge outside Joe Bloggs's house", "Joe Bloggs rang twice",
        contact=casework.Contact("Joe Bloggs", "joe@example.org"), contact_consent=True)).value
    ann.sync_shared()
    ben.sync_shared()
    with postgres_server.connect(shared_db) as it:
        everything = json.dumps(it.execute("SELECT array_agg(to_jsonb(e)) FROM casework.issue_event e").fetchone()[0])
    assert "rita@example.org" not in everything and "Rita" not in everything
    assert "joe@example.org" in everything
    assert issue_by_uid(ben, uid_of(ann, private))["contact"] is None
    assert issue_by_uid(ben, uid_of(ann, shared))["contact"].email == "joe@example.org"

    with ann.store.read() as db:
        report = find_person(db, PersonQuery(name="Joe Bloggs", email="joe@example.org"))
    erase_and_scrub(ann.store, report, clock.now_iso())
    ann.sync_shared()
    ben.sync_shared()
    with postgres_server.connect(shared_db) as it:
        everything = json.dumps(it.execute("SELECT array_agg(to_jsonb(e)) FROM casework.issue_event e").fetchone()[0])
    assert "joe@example.org" not in everything and "Bloggs" not in everything
    seen = issue_by_uid(ben, uid_of(ann, shared))
    assert seen["contact"] is None and "Bloggs" not in seen["title"] + seen["description"]
    assert "Bloggs" not in json.dumps([e["detail"] for e in seen["events"]])
    assert seen["title"] == issue_by_uid(ann, uid_of(ann, shared))["title"]


@pytest.mark.parametrize("address, expected", [
    ("db.council.gov.uk/casework", ("db.council.gov.uk", 5432, "casework")),
    ("db.council.gov.uk:6432/casework", ("db.council.gov.uk", 6432, "casework")),
    ("postgresql://db.council.gov.uk/case%20work", ("db.council.gov.uk", 5432, "case work")),
    ("[::1]:5433/cw", ("::1", 5433, "cw")),
])
def test_a_database_address_as_council_it_writes_it(address, expected):
    from networked_councillor.shared.connection import parse_address

    assert parse_address(address) == expected


@pytest.mark.parametrize("address", ["", "casework", "db.council.gov.uk", "db:notaport/cw", "http://x/y z:1"])
def test_a_malformed_address_is_said_plainly(address):
    from networked_councillor.base.errors import ConfigError
    from networked_councillor.shared.connection import parse_address

    with pytest.raises(ConfigError, match="is not a database address"):
        parse_address(address)


def test_tls_is_required_and_checked_for_any_server_but_this_computer():
    from networked_councillor.shared.connection import SharedSettings

    remote = SharedSettings(address="db.council.gov.uk/casework", user="cllr_a").conninfo()
    assert remote["sslmode"] == "verify-full" and remote["sslrootcert"] == "system"
    own_ca = SharedSettings(address="10.2.3.4/casework", user="cllr_a", ca_file="C:/council-ca.pem").conninfo()
    assert own_ca["sslmode"] == "verify-full" and own_ca["sslrootcert"] == "C:/council-ca.pem"
    for local in ("127.0.0.1:5432/cw", "localhost/cw", "[::1]/cw"):
        assert SharedSettings(address=local, user="cllr_a").conninfo()["sslmode"] == "prefer"
    assert "password" not in remote  # the password is added from the keyring only when connecting


def test_a_server_without_tls_is_refused_for_a_remote_address(postgres_server, shared_db):
    """The test server has no TLS: named as a remote server (and reached on loopback), the app will not talk
    to it, though the password is right."""
    from networked_councillor.base.secrets import SecretStore
    from networked_councillor.shared.connection import SharedSettings, connect

    add(postgres_server, shared_db, "cllr_ann")
    settings = SharedSettings(address=f"casework.test:{postgres_server.port}/{shared_db}", user="cllr_ann")
    with pytest.raises(SharedError, match="secure connection could not be checked"):
        connect(settings, SecretStore("x", memory={"password": "pw-cllr_ann"}), host="127.0.0.1")


def test_the_sync_loop_backs_off_offline_and_stops_when_access_ends(ward_pair, postgres_server, shared_db):
    import threading

    from networked_councillor.shared import admin
    from networked_councillor.shared.connection import SharedSettings
    from networked_councillor.shared.sync import SyncLoop

    ann, _ben = ward_pair
    with ann.store.read() as db:
        settings = SharedSettings.load(db)
    seen = []
    ended = threading.Event()

    def on_status(status):
        seen.append(status)
        if status.revoked:
            ended.set()

    loop = SyncLoop(ann.store, settings, on_status, secrets=ann.shared_secrets, tick=0.01)
    cancel = threading.Event()
    thread = threading.Thread(target=loop.run, args=(cancel,), daemon=True)
    thread.start()
    try:
        first = threading.Event()
        for _ in range(3000):
            if seen:
                first.set()
                break
            cancel.wait(0.01)
        assert first.is_set() and seen[0].summary().startswith("Shared casework: synced")
        with postgres_server.connect(shared_db, autocommit=True) as it:
            admin.end_access(it, "cllr_ann")
        loop.poke.set()
        assert ended.wait(30)
        thread.join(10)
        assert not thread.is_alive()  # access ended: it stops trying
        assert seen[-1].summary() == "Shared casework: access ended"
    finally:
        cancel.set()


def test_a_colleague_sees_a_copy_of_the_post_and_erasure_reaches_it(ward_pair):
    from networked_councillor.casework.erasure import erase_and_scrub
    from networked_councillor.casework.privacy import PersonQuery, find_person
    from networked_councillor.ingest.by_hand import HandPost

    ann, ben = ward_pair
    outcome = ann.add_post(HandPost("Sam Patel here: the drain on Mill Lane is blocked again and the road floods.",
                                    link="https://www.facebook.com/groups/millbrook/posts/1001", who="Sam Patel"))
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Blocked drain, Mill Lane",
                                                            item_ids=outcome.item_ids)).value
    ann.sync_shared()
    ben.sync_shared()
    copy = issue_by_uid(ben, uid_of(ann, issue_id))
    assert [(p["id"], p["source_name"], p["url"]) for p in copy["items"]] == [
        (None, "Posts added by hand", "https://www.facebook.com/groups/millbrook/posts/1001")]
    assert "the drain on Mill Lane is blocked" in copy["items"][0]["text"]
    with ben.store.read() as db:  # Ben's own search for the person finds the copy, and nothing in his inbox
        found = find_person(db, PersonQuery(name="Sam Patel"))
        assert found.counts().get("shared_post") == 1
        assert db.execute("SELECT count(*) FROM items").fetchone()[0] == 0

    with ann.store.read() as db:
        report = find_person(db, PersonQuery(name="Sam Patel"))
    erase_and_scrub(ann.store, report, clock.now_iso())
    ann.sync_shared()
    ben.sync_shared()
    copy = issue_by_uid(ben, uid_of(ann, issue_id))
    assert copy["items"] == []
    assert "Sam" not in json.dumps([e["detail"] for e in copy["events"]])
    assert any(e["kind"] == "forgotten" for e in copy["events"])


def test_an_officer_with_two_wards_holding_the_same_reference_keeps_both_apart(postgres_server, shared_db,
                                                                               tmp_path):
    add(postgres_server, shared_db, "cllr_ann")
    add(postgres_server, shared_db, "cllr_sam", wards=(SOUTH,))
    add(postgres_server, shared_db, "off_olga", "officer", wards=(NORTH, SOUTH))
    ann = laptop(postgres_server, shared_db, tmp_path / "ann", "cllr_ann")
    sam = laptop(postgres_server, shared_db, tmp_path / "sam", "cllr_sam", ward=SOUTH[0])
    olga = laptop(postgres_server, shared_db, tmp_path / "olga", "off_olga")
    try:
        north = ann.perform(ops.log_issue, casework.NewIssue("Pothole")).value
        south = sam.perform(ops.log_issue, casework.NewIssue("Bins")).value
        ann.sync_shared()
        sam.sync_shared()
        olga.sync_shared()
        first = {app: issue_by_uid(olga, uid_of(app, issue))["reference"] for app, issue in ((ann, north),
                                                                                             (sam, south))}
        assert first[ann] == "NC-0001" and first[sam] == "NC-0001 (E05000002)"
        for _ in range(2):  # stable: nothing is renamed, nothing is sent back
            report = olga.sync_shared()
            assert (report.sent, report.received) == (0, 0)
        assert {app: issue_by_uid(olga, uid_of(app, issue))["reference"] for app, issue in ((ann, north),
                                                                                           (sam, south))} == first
    finally:
        for app in (ann, sam, olga):
            app.close()


def test_a_councillors_public_reply_is_on_the_shared_timeline(ward_pair, postgres_server, shared_db):
    from networked_councillor.ingest.by_hand import HandPost
    from networked_councillor.plugin_api.source import ReplyResult
    from networked_councillor.replies.posting import record_posted

    ann, ben = ward_pair
    item_id = ann.add_post(HandPost("Bins on Elm Row missed again", who="Kim")).item_ids[0]
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Missed bins, Elm Row", item_ids=[item_id])).value
    ann.perform(record_posted, item_id, "bluesky", ["Thanks Kim, I've reported it and will chase on Friday."],
                [ReplyResult("at://did:plc:x/app.bsky.feed.post/1", "https://bsky.app/profile/x/post/1")])
    ann.sync_shared()
    ben.sync_shared()
    words = [casework.describe_event(e) for e in issue_by_uid(ben, uid_of(ann, issue_id))["events"]]
    assert "Replied publicly (bluesky): Thanks Kim, I've reported it and will chase on Friday." in words
    with postgres_server.connect(shared_db) as it:
        assert it.execute("SELECT author FROM casework.issue_event WHERE kind = 'replied'").fetchall() == [
            ("cllr_ann",)]


def test_tls_with_the_councils_own_authority_and_a_client_certificate(tmp_path):
    """A server that speaks TLS: its certificate checked against the council's authority file, one person logging
    in with a client certificate whose key's passphrase is in the keyring, another with a password."""
    import trustme
    from cryptography.hazmat.primitives import serialization
    from localpostgres import LocalPostgres

    from networked_councillor.base.secrets import SecretStore
    from networked_councillor.shared import admin
    from networked_councillor.shared.connection import SharedSettings
    from networked_councillor.shared.sync import check

    council_ca, clients_ca, stranger_ca = trustme.CA(), trustme.CA(), trustme.CA()
    server_cert = council_ca.issue_cert("localhost")
    server = LocalPostgres(tls=(server_cert.cert_chain_pems[0].bytes(), server_cert.private_key_pem.bytes(),
                                clients_ca.cert_pem.bytes()), certificate_logins=("cllr_tls",)).init().start()
    try:
        dbname = server.new_database("cw_tls")
        with server.connect(dbname, autocommit=True) as conn:
            admin.setup(conn)
        add(server, dbname, "cllr_tls", name="Cllr Tess Lee")
        add(server, dbname, "cllr_ann", name="Cllr Ann Patel")
        ca_file = tmp_path / "council-ca.pem"
        ca_file.write_bytes(council_ca.cert_pem.bytes())
        client = clients_ca.issue_cert(common_name="cllr_tls")
        key = serialization.load_pem_private_key(client.private_key_pem.bytes(), password=None)
        mine = tmp_path / "cllr_tls.pem"
        mine.write_bytes(client.cert_chain_pems[0].bytes() + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"correct horse")))
        mine.chmod(0o600)
        address = f"localhost:{server.port}/{dbname}"

        tess = SharedSettings(address=address, user="cllr_tls", ca_file=str(ca_file), client_cert=str(mine))
        assert tess.conninfo()["sslmode"] == "verify-full"
        assert check(tess, SecretStore("x", memory={"password": "correct horse"})).name == "Cllr Tess Lee"
        with pytest.raises(SharedError, match="key could not be opened"):
            check(tess, SecretStore("x", memory={"password": "wrong"}))
        ann = SharedSettings(address=address, user="cllr_ann", ca_file=str(ca_file))
        assert check(ann, SecretStore("x", memory={"password": "pw-cllr_ann"})).name == "Cllr Ann Patel"
        stranger = tmp_path / "stranger-ca.pem"
        stranger.write_bytes(stranger_ca.cert_pem.bytes())
        with pytest.raises(SharedError, match="secure connection could not be checked"):
            check(SharedSettings(address=address, user="cllr_ann", ca_file=str(stranger)),
                  SecretStore("x", memory={"password": "pw-cllr_ann"}))
    finally:
        server.close()


def test_a_ward_given_later_arrives_with_all_its_casework(postgres_server, shared_db, tmp_path):
    add(postgres_server, shared_db, "cllr_sam", wards=(SOUTH,))
    add(postgres_server, shared_db, "off_olga", "officer", wards=(NORTH,))
    sam = laptop(postgres_server, shared_db, tmp_path / "sam", "cllr_sam", ward=SOUTH[0])
    olga = laptop(postgres_server, shared_db, tmp_path / "olga", "off_olga")
    try:
        issue_id = sam.perform(ops.log_issue, casework.NewIssue("Bins", "Missed twice", category="bins")).value
        sam.sync_shared()
        olga.sync_shared()
        with olga.store.read() as db:
            assert db.execute("SELECT count(*) FROM issues").fetchone()[0] == 0
        add(postgres_server, shared_db, "off_olga", "officer", wards=(NORTH, SOUTH))  # now she supports South too
        sam.perform(ops.add_note, issue_id, "Crew came")
        sam.sync_shared()
        olga.sync_shared()
        seen = issue_by_uid(olga, uid_of(sam, issue_id))
        assert (seen["title"], seen["description"], seen["category"]) == ("Bins", "Missed twice", "bins")
        assert [e["kind"] for e in seen["events"]] == ["created", "note"]
    finally:
        sam.close()
        olga.close()


def test_nobody_can_write_an_erasure_by_hand(ward_pair, postgres_server, shared_db):
    ann, _ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Noise")).value
    ann.perform(ops.add_note, issue_id, "Rang Mr Jones")
    ann.sync_shared()
    with postgres_server.connect(shared_db, "cllr_ben", "pw-cllr_ben", autocommit=True) as ben:
        note = ben.execute("SELECT id::text FROM casework.issue_event WHERE kind = 'note'").fetchone()[0]
        for kind in ("forgotten", "withdrawn"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                ben.execute("INSERT INTO casework.issue_event (id, issue_id, ward_id, kind, detail, made_at) "
                            "VALUES (gen_random_uuid(), %s, %s, %s, %s, now())",
                            [uid_of(ann, issue_id), NORTH[0], kind, json.dumps({"entries": [note]})])
    ann.sync_shared()
    assert "Rang Mr Jones" in json.dumps([e["detail"] for e in issue_by_uid(ann, uid_of(ann, issue_id))["events"]])


def test_an_entry_no_issue_can_take_is_kept_on_the_timeline_and_the_rest_arrive(ward_pair, postgres_server,
                                                                               shared_db):
    ann, ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Graffiti")).value
    ann.sync_shared()
    uid = uid_of(ann, issue_id)
    with postgres_server.connect(shared_db, "cllr_ann", "pw-cllr_ann", autocommit=True) as hand:
        for field, value in (("title", None), ("status", "\"on fire\""), ("due_date", "\"next Tuesday\""),
                             ("lat", "[1, 2]")):
            hand.execute("INSERT INTO casework.issue_event (id, issue_id, ward_id, kind, field, value, made_at) "
                         "VALUES (gen_random_uuid(), %s, %s, 'changed', %s, %s::jsonb, now())",
                         [uid, NORTH[0], field, value])
    ann.perform(ops.add_note, issue_id, "Cleaned off")
    ann.sync_shared()
    report = ben.sync_shared()
    assert report.unusable >= 3
    seen = issue_by_uid(ben, uid)
    assert (seen["title"], seen["status"], seen["due_date"], seen["lat"]) == ("Graffiti", "new", None, None)
    assert "Cleaned off" in [casework.describe_event(e) for e in seen["events"]]
    assert ben.sync_shared().received == 0  # nothing is read again


def test_a_late_erasure_does_not_undo_a_later_edit(ward_pair):
    from datetime import timedelta

    from networked_councillor.casework.erasure import erase_and_scrub
    from networked_councillor.casework.privacy import PersonQuery, find_person

    ann, ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Fence down", "Kay Morgan says the fence is down")).value
    ann.sync_shared()
    ben.sync_shared()
    start = clock.utcnow()
    try:
        with ann.store.read() as db:
            report = find_person(db, PersonQuery(name="Kay Morgan"))
        erase_and_scrub(ann.store, report, clock.now_iso())  # Ann erases Kay at 10:00 and syncs
        ann.sync_shared()
        clock.set_now(start + timedelta(minutes=1))  # Ben, who has not synced, rewrites the description at 10:01
        ben_id = issue_by_uid(ben, uid_of(ann, issue_id))["id"]
        ben.perform(ops.edit, ben_id, {"description": "Fence down; contractor booked"})
        ben.sync_shared()
        ann.sync_shared()
    finally:
        clock.set_now(start)
    assert issue_by_uid(ann, uid_of(ann, issue_id))["description"] == "Fence down; contractor booked"
    assert issue_by_uid(ben, uid_of(ann, issue_id))["description"] == "Fence down; contractor booked"


def test_a_clock_running_ahead_neither_wins_for_ever_nor_splits_the_laptops(ward_pair, postgres_server):
    from datetime import timedelta

    ann, ben = ward_pair
    with postgres_server.connect() as conn:  # the server's clock is the real one; the laptops' are set from it
        start = conn.execute("SELECT date_trunc('second', now())").fetchone()[0]
    before = clock.utcnow()
    try:
        clock.set_now(start)
        issue_id = ann.perform(ops.log_issue, casework.NewIssue("Streetlight")).value
        ann.sync_shared()
        ben.sync_shared()
        ben_id = issue_by_uid(ben, uid_of(ann, issue_id))["id"]
        clock.set_now(start + timedelta(minutes=4))  # Ann's clock is four minutes ahead
        ann.perform(ops.edit, issue_id, {"priority": "high"})
        ann.sync_shared()
        clock.set_now(start + timedelta(minutes=1))  # Ben, a minute later in real time, sets it back
        ben.sync_shared()
        ben.perform(ops.edit, ben_id, {"priority": "low"})
        ben.sync_shared()
        ann.sync_shared()
        assert {issue_by_uid(app, uid_of(ann, issue_id))["priority"] for app in (ann, ben)} == {"low"}
        clock.set_now(start + timedelta(minutes=30))  # far ahead: the database refuses, and says why
        ann.perform(ops.edit, issue_id, {"priority": "urgent"})
        with pytest.raises(SharedError, match="clock is more than five minutes ahead"):
            ann.sync_shared()
        with ann.store.read() as db:
            assert outbox.waiting(db) == 1  # kept, to go once the clock is right
    finally:
        clock.set_now(before)


def test_what_the_database_refuses_is_held_back_and_the_rest_goes(postgres_server, shared_db, tmp_path):
    add(postgres_server, shared_db, "off_olga", "officer")
    olga = laptop(postgres_server, shared_db, tmp_path / "olga", "off_olga")
    try:
        issue_id = olga.perform(ops.log_issue, casework.NewIssue("Overgrown hedge")).value
        with olga.store.write() as db:  # a reply recorded before she shared her casework as an officer
            casework.add_event(db, issue_id, "replied", {"where": "bluesky", "text": "On it"}, clock.now_iso())
        olga.perform(ops.add_note, issue_id, "Asked the tree team")
        report = olga.sync_shared()
        assert (report.sent, report.held, report.waiting) == (3, 1, 0)
        assert "1 not accepted by the shared database" in report.summary()
        with postgres_server.connect(shared_db) as it:
            assert sorted(r[0] for r in it.execute("SELECT kind FROM casework.issue_event")) == ["created", "note"]
        assert olga.sync_shared().held == 1  # held, not tried again each time
    finally:
        olga.close()


def test_add_user_never_takes_over_a_role_that_is_not_a_person(postgres_server, shared_db):
    from networked_councillor.base.errors import ConfigError
    from networked_councillor.shared import admin

    with postgres_server.connect(shared_db, autocommit=True) as it:
        for login in ("postgres", "casework_owner", "cw_admin", "pg_monitor"):
            with pytest.raises(ConfigError):
                admin.add_person(it, admin.Person(login, "X", "councillor", (NORTH,)), "pw")
        assert it.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'casework_owner'").fetchone() == (False,)


def test_erasing_a_person_on_a_colleagues_laptop_erases_the_shared_copy_of_their_post(ward_pair, postgres_server,
                                                                                       shared_db):
    from networked_councillor.casework.erasure import erase_and_scrub
    from networked_councillor.casework.privacy import PersonQuery, find_person
    from networked_councillor.ingest.by_hand import HandPost

    ann, ben = ward_pair
    item_id = ann.add_post(HandPost("Our road (Dee Walsh, no. 4) floods every time it rains", who="a neighbour"))
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Flooding", item_ids=item_id.item_ids)).value
    ann.sync_shared()
    ben.sync_shared()
    with ben.store.read() as db:  # the resident asks Ben, who only has the copy
        report = find_person(db, PersonQuery(name="Dee Walsh"))
    assert report.counts() == {"shared_post": 1, "casework_event": 1}  # the copy, and the line saying it came
    erase_and_scrub(ben.store, report, clock.now_iso())
    ben.sync_shared()
    with postgres_server.connect(shared_db) as it:
        assert "Dee Walsh" not in json.dumps(it.execute("SELECT array_agg(to_jsonb(e)) FROM casework.issue_event e"
                                                        ).fetchone()[0])
    ann.sync_shared()
    assert any(e["kind"] == "forgotten" for e in issue_by_uid(ann, uid_of(ann, issue_id))["events"])


def test_withdrawn_consent_takes_the_residents_email_out_of_every_copy(ward_pair, postgres_server, shared_db,
                                                                      tmp_path):
    from mailfiles import resident_email

    ann, ben = ward_pair
    path = tmp_path / "letter.eml"
    path.write_bytes(resident_email("damp-1@example.org", sender="Rosa Diaz <rosa@example.org>", subject="Damp flat",
                                    body="The damp in my flat at 9 Mill Court is making my son ill."))
    item_ids = ann.import_files([path]).item_ids
    issue_id = ann.perform(ops.log_issue, casework.NewIssue(
        "Damp flat", item_ids=item_ids, contact=casework.Contact("Rosa Diaz", "rosa@example.org"),
        contact_consent=True)).value
    ann.sync_shared()
    ben.sync_shared()
    copy = issue_by_uid(ben, uid_of(ann, issue_id))
    assert "making my son ill" in copy["items"][0]["text"] and copy["contact"].email == "rosa@example.org"
    ann.perform(ops.edit, issue_id, {"contact_consent": False})
    ann.sync_shared()
    ben.sync_shared()
    copy = issue_by_uid(ben, uid_of(ann, issue_id))
    assert copy["contact"] is None
    assert copy["items"][0]["text"] == "A resident's email, kept on the councillor's computer."
    with postgres_server.connect(shared_db) as it:
        everything = json.dumps(it.execute("SELECT array_agg(to_jsonb(e)) FROM casework.issue_event e").fetchone()[0])
    assert "son ill" not in everything and "rosa@example.org" not in everything
    assert issue_by_uid(ann, uid_of(ann, issue_id))["contact"].email == "rosa@example.org"  # still hers


def test_a_database_restored_from_a_backup_is_read_again_from_its_beginning(ward_pair, postgres_server,
                                                                            shared_db):
    ann, ben = ward_pair
    issue_id = ann.perform(ops.log_issue, casework.NewIssue("Potholes")).value
    ann.sync_shared()
    ben.sync_shared()
    restored = f"{shared_db}_restored"[:60]
    with postgres_server.connect(autocommit=True) as it:  # IT restores last night's copy into a new database
        it.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        it.execute(f'CREATE DATABASE "{restored}" TEMPLATE "{shared_db}"')
    for app in (ann, ben):
        point_at(app, postgres_server.address(restored))
    with ben.store.write() as db:
        # the old server had run for longer: its transaction ids, and so Ben's position, are past the new one's
        db.execute("UPDATE settings SET value = json_set(value, '$.upto', '900000000') WHERE key = 'shared.cursor'")
    ann.perform(ops.add_note, issue_id, "Patched")
    assert ann.sync_shared().sent == 1
    ben.sync_shared()
    assert "Patched" in [casework.describe_event(e) for e in issue_by_uid(ben, uid_of(ann, issue_id))["events"]]


def test_a_sync_cut_after_the_database_renumbered_an_issue_still_takes_the_new_number(ward_pair, monkeypatch):
    ann, ben = ward_pair
    ann.perform(ops.log_issue, casework.NewIssue("Graffiti on the bridge"))
    mine = ben.perform(ops.log_issue, casework.NewIssue("Broken bench in the park")).value
    real_send = outbox.send

    def ann_sends_first(store, *args, **kwargs):  # Ann's NC-0001 lands between Ben's read and his send
        if store is ben.store:
            ann.sync_shared()
        return real_send(store, *args, **kwargs)

    def power_cut(*args):  # the database committed Ben's batch (and renumbered his issue); his laptop did not
        raise KeyboardInterrupt

    monkeypatch.setattr(outbox, "send", ann_sends_first)
    monkeypatch.setattr(outbox, "take_reference", power_cut)
    with pytest.raises(KeyboardInterrupt):
        ben.sync_shared()
    monkeypatch.undo()
    assert issue_by_uid(ben, uid_of(ben, mine))["reference"] == "NC-0001"
    ben.sync_shared()
    ann.sync_shared()
    refs = []
    for app in (ann, ben):
        with app.store.read() as db:
            refs.append(dict(db.execute("SELECT uid, reference FROM issues").fetchall()))
    assert refs[0] == refs[1] and sorted(refs[0].values()) == ["NC-0001", "NC-0002"]
    assert refs[1][uid_of(ben, mine)] == "NC-0002"
