"""A resident's data-protection rights: find everything held about them, export a copy, erase it thoroughly (down
to the bytes of the database file) with a report that itself names nobody."""

import json

import pytest

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError
from networked_councillor.casework import audit
from networked_councillor.casework.erasure import erase_and_scrub, write_erasure_record
from networked_councillor.casework.issues import Contact, NewIssue, add_note, create_issue, get_issue
from networked_councillor.casework.privacy import PersonQuery, find_person
from networked_councillor.casework.subject_access import subject_access_export
from networked_councillor.replies import drafts
from networked_councillor.replies.snippets import add_snippet

NOW = "2026-11-24T10:00:00+00:00"
PHONE = "07700 900461"
SAM = PersonQuery(name="Samira Okonkwo", handles=("samira-ok.bsky.social",), email="samira.ok@example.org",
                  phone="+44 (0)7700 900461")


@pytest.fixture
def held(store):
    """Samira wrote two posts, is mentioned in a third, has casework with her contact, a draft and a snippet
    name her; Priya (someone else) must be left alone."""
    with store.write() as db:
        samira = db["authors"].insert({"source_id": "bsky", "handle": "samira-ok.bsky.social",
                                       "display_name": "Samira Okonkwo"}).last_pk
        priya = db["authors"].insert({"source_id": "bsky", "handle": "priya.bsky.social",
                                      "display_name": "Priya"}).last_pk
        thread = db["threads"].insert({"source_id": "bsky", "external_id": "t1",
                                       "title": "Samira Okonkwo's pothole thread"}).last_pk
        rows = [
            (1, samira, "Pothole outside my house on Oak Road, ring me on 07700 900461"),
            (2, samira, "Still no repair. Zanzibarquux is my cat's name, by the way."),
            (3, priya, "Agree with Samira Okonkwo, Oak Road is dreadful. Samira is right."),
            (4, priya, "Lovely litter pick this morning."),
        ]
        for item_id, author, text in rows:
            db["items"].insert({"id": item_id, "source_id": "bsky", "external_id": f"x{item_id}", "text": text,
                                "author_id": author, "thread_id": thread, "first_seen_at": NOW,
                                "url": f"https://bsky.app/post/{item_id}"})
            db["embeddings"].insert({"item_id": item_id, "model": "m", "dim": 1, "vector": b"\0\0\0\0"})
        db["training_examples"].insert({"text": rows[0][2], "topic": "roads_pavements", "origin": "correction",
                                        "item_id": 1, "created_at": NOW})
        issue = create_issue(db, NewIssue(title="Pothole reported by Samira Okonkwo", ward="Millbrook",
                                          address="14 Oak Road", contact=Contact(name="Samira Okonkwo",
                                                                                  phone=PHONE,
                                                                                  email="samira.ok@example.org"),
                                          item_ids=[1, 4]), NOW)
        add_note(db, issue, "Rang Samira Okonkwo back on 07700 900461", NOW)
        other = create_issue(db, NewIssue(title="Litter bin overflowing", ward="Millbrook", item_ids=[4]), NOW)
        drafts.save_draft(db, 3, "bluesky", "Thanks Samira Okonkwo, I'll look into it.", NOW)
        add_snippet(db, "Samira follow-up", "Hi Samira Okonkwo, any news?", NOW)
    return store, issue, other


def test_everything_held_about_the_person_is_found_and_nothing_about_others(held):
    store, issue, other = held
    with store.read() as db:
        report = find_person(db, SAM)
    counts = report.counts()
    assert counts["account"] == 1 and counts["own_post"] == 2 and counts["mention"] == 1
    assert counts["casework"] == 1 and counts["casework_event"] >= 1 and counts["draft"] == 1
    assert counts["snippet"] == 1 and counts["conversation"] == 1 and counts["training_example"] == 1
    assert other not in report.ids("casework")
    assert all(f.excerpt for f in report.findings) and "Samira" in report.describe()


def test_a_phone_number_is_found_however_it_is_written(held):
    store, *_ = held
    with store.read() as db:
        by_phone = find_person(db, PersonQuery(phone="07700-900-461"))
    assert {f.kind for f in by_phone.findings} >= {"mention", "casework", "casework_event"}


def test_nothing_to_search_for_is_explained(held):
    store, *_ = held
    with store.read() as db, pytest.raises(ConfigError):
        find_person(db, PersonQuery(name="  ;  "))


def test_erasure_removes_them_everywhere_down_to_the_bytes_and_keeps_the_casework(held, tmp_path):
    store, issue, other = held
    with store.read() as db:
        report = find_person(db, SAM)
    erasure = erase_and_scrub(store, report, clock.now_iso())
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM items WHERE id IN (1, 2)").fetchone()[0] == 0, "their posts go"
        assert db.execute("SELECT count(*) FROM authors WHERE handle LIKE 'samira%'").fetchone()[0] == 0
        mention = db.execute("SELECT text FROM items WHERE id = 3").fetchone()[0]
        assert "Samira" not in mention and "[removed]" in mention and "Oak Road is dreadful" in mention
        assert db.execute("SELECT text FROM items WHERE id = 4").fetchone()[0] == "Lovely litter pick this morning."
        assert db.execute("SELECT count(*) FROM embeddings WHERE item_id IN (1, 2, 3)").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM training_examples").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM items_fts WHERE items_fts MATCH 'Samira OR Zanzibarquux'"
                          ).fetchone()[0] == 0, "the search index forgets them"
        kept = get_issue(db, issue)
        assert kept["contact"] is None and "Samira" not in kept["title"], "the issue stays, without them"
        assert not any("Samira" in json.dumps(e) or "900461" in json.dumps(e) for e in kept["events"])
        assert get_issue(db, other)["title"] == "Litter bin overflowing"
        assert "Samira" not in db.execute("SELECT text FROM drafts").fetchone()[0]
        assert "Samira" not in db.execute("SELECT name || text FROM snippets").fetchone()[0]
        entry = audit.entries(db, action="erase_person")[0]
    assert entry["records"] == erasure.total > 0 and "Samira" not in json.dumps(entry)
    raw = store.path.read_bytes() + (store.path.with_name(store.path.name + "-wal").read_bytes()
                                     if store.path.with_name(store.path.name + "-wal").exists() else b"")
    for secret in (b"Samira", b"Okonkwo", b"900461", b"Zanzibarquux", b"samira.ok@example.org"):
        assert secret not in raw, f"{secret!r} is still in the database file"
    record = write_erasure_record(tmp_path / "erasure.txt", report, erasure)
    assert "Samira" in record.read_text(), "the councillor's own record says who it was about"
    assert erasure.erasure_id in erasure.describe() and "Samira" not in erasure.describe()


def test_a_subject_access_copy_holds_what_is_kept_about_them(held, tmp_path):
    store, issue, _ = held
    with store.write() as db:
        export = subject_access_export(db, SAM, tmp_path / "samira", NOW)
    data = json.loads(export.json_path.read_text(encoding="utf-8"))
    text = export.text_path.read_text(encoding="utf-8")
    assert export.records > 5 and "07700 900461" in json.dumps(data, ensure_ascii=False)
    assert "Pothole reported by Samira Okonkwo" in text and "Lovely litter pick" not in text
    with store.read() as db:
        entry = audit.entries(db, action="subject_access")[0]
    assert entry["personal_data"] and "Samira" not in json.dumps(entry)


def test_the_command_line_finds_exports_and_erases(held, capsys, monkeypatch, tmp_path):
    from networked_councillor.cli.main import main

    store, *_ = held
    folder = str(store.path.parent)
    store.close()
    monkeypatch.setattr("networked_councillor.base.paths.DB_NAME", store.path.name)
    assert main(["--data-dir", folder, "privacy", "find", "--phone", "07700 900461"]) == 0
    assert "Casework that names them" in capsys.readouterr().out
    assert main(["--data-dir", folder, "privacy", "export", "--name", "Samira Okonkwo",
                 "--out", str(tmp_path / "copy")]) == 0
    assert (tmp_path / "copy.json").is_file() and (tmp_path / "copy.txt").is_file()
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["--data-dir", folder, "privacy", "erase", "--name", "Samira Okonkwo"]) == 1
    assert "Nothing was erased" in capsys.readouterr().out
    assert main(["--data-dir", folder, "privacy", "erase", "--name", "Samira Okonkwo", "--handle",
                 "samira-ok.bsky.social", "--yes", "--record", str(tmp_path / "record.txt")]) == 0
    out = capsys.readouterr().out
    assert "Erasure" in out and "Samira" in (tmp_path / "record.txt").read_text()
    assert main(["--data-dir", folder, "privacy", "find", "--name", "Samira Okonkwo"]) == 0
    assert "Nothing is held" in capsys.readouterr().out
    assert main(["--data-dir", folder, "privacy", "retention", "--days", "30", "--apply"]) == 0
    assert "Posts are kept 30 days" in capsys.readouterr().out
