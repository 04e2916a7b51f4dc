"""Casework email brought in by hand: real .eml and .msg files, conversations joining their issue, privacy,
and what a broken file, a 50 MB attachment or a flood of 10,000 messages does."""

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from mailfiles import resident_email, write
from nc_email import EmailSource

from networked_councillor.app import App
from networked_councillor.base import clock
from networked_councillor.base.errors import SourceError
from networked_councillor.casework import ops
from networked_councillor.casework.erasure import erase_person
from networked_councillor.casework.issues import NewIssue, get_issue
from networked_councillor.casework.privacy import PersonQuery, find_person
from networked_councillor.casework.retention import RetentionSettings, apply_retention
from networked_councillor.ingest.imports import import_files
from networked_councillor.ingest.pipeline import Pipeline
from networked_councillor.store import attachments
from networked_councillor.store import inbox as inbox_store
from networked_councillor.store.inbox import InboxFilter

EMAIL = Path(__file__).parent / "fixtures" / "email"


@pytest.fixture
def app(tmp_path):
    with App(tmp_path / "data", log_to_file=False) as app:
        yield app


def untagged(app):
    """The pipeline without the model: these tests are about email, and 10,000 taggings would be most of them."""
    return Pipeline(app.store, app.registry)


def test_real_emails_saved_from_mail_clients_are_read(tmp_path):
    found = {p.name: EmailSource.read_file(p.name, p.read_bytes())[0]
             for p in EMAIL.iterdir() if p.suffix in (".eml", ".msg")}
    assert len(found) == 7 and {i.kind for i in found.values()} == {"email"}
    gif = found["attachment_gif.eml"]
    assert gif.author.handle == "barry@digicool.com" and gif.title == "Here is your dingus fish"
    assert [(a.name, a.size, len(a.data)) for a in gif.attachments] == [("dingusfish.gif", 3512, 3512)]
    assert found["encoded_word_headers.eml"].author.display_name == "LastßlName, FirstName"  # =?iso-8859-1?Q?
    reply = found["reply_multipart_alternative.eml"]  # a Gmail reply: In-Reply-To and References
    assert reply.parent_id == "AANLkTinUdYK2NpEiYCKGnCEp_OXKqst_bWNdBVHsfDVh@mail.gmail.com"
    assert reply.thread_id == reply.extra["references"][0] != reply.external_id
    assert reply.html and reply.text  # multipart/alternative: both kept, the HTML sanitised on the way in
    outlook = found["html_replyto_attachments.msg"]
    assert outlook.author.handle == "b.bottema@projectnibble.org" and outlook.html
    assert [a.name for a in outlook.attachments] == ["thumbsup", "dresscode.txt", "location.txt"]
    assert found["reply_with_cc.msg"].parent_id and len(found["reply_with_cc.msg"].extra["cc"]) == 2
    assert found["attachment_pdf.eml"].author.handle == "unknown sender"  # no From line: still casework


def test_an_email_is_private_casework_kept_out_of_the_public_inbox(app, tmp_path):
    report = app.import_files([write(tmp_path, "a.eml", resident_email("a-1@example.org"))])
    assert report.stored == 1 and report.problems == []
    now = clock.now_iso()
    with app.store.read() as db:
        item = inbox_store.detail(db, report.item_ids[0])
        views = {view: inbox_store.count(db, InboxFilter(view=view), now) for view in ("inbox", "all", "mail")}
    assert item["kind"] == "email" and item["extra"]["private"] is True
    assert item["source_name"] == "Emails brought in by hand"
    assert views == {"inbox": 0, "all": 0, "mail": 1}


def test_a_reply_in_the_same_conversation_joins_the_issue_the_first_email_was_logged_as(app, tmp_path):
    first = app.import_files([write(tmp_path, "first.eml", resident_email("first@example.org"))])
    issue_id = app.perform(ops.log_issue, NewIssue(title="Fly-tipping, Oak Road", item_ids=first.item_ids)).value
    reply = write(tmp_path, "reply.eml", resident_email("second@example.org", in_reply_to="first@example.org",
                                                        body="Still there this morning.", hours_ago=1))
    unrelated = write(tmp_path, "other.eml", resident_email("other@example.org", subject="Bins"))
    again = app.import_files([reply, unrelated, tmp_path / "first.eml"])
    assert (again.stored, again.already) == (2, 1)  # the first email, brought in twice, is stored once
    with app.store.read() as db:
        issue = get_issue(db, issue_id)
    assert sorted(i["id"] for i in issue["items"]) == sorted([first.item_ids[0], again.item_ids[0]])
    assert any(e["kind"] == "note" and "same conversation" in e["detail"]["text"] for e in issue["events"])


def test_fifty_residents_sending_one_campaign_letter_are_fifty_items(app, tmp_path):
    letter = "I object to the closure of Millbrook library, which my family uses every week. " * 3
    paths = [write(tmp_path, f"{n}.eml", resident_email(f"c{n}@example.org", body=letter,
                                                        sender=f"Resident {n} <r{n}@example.org>"))
             for n in range(50)]
    assert import_files(untagged(app), paths).stored == 50


def test_a_broken_file_is_named_and_the_others_come_in(app, tmp_path):
    good = write(tmp_path, "good.eml", resident_email("good@example.org"))
    paths = [
        write(tmp_path, "photo.eml", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        write(tmp_path, "notes.eml", b"Dear Sam,\nthis is not an email at all.\n"),
        write(tmp_path, "truncated.msg", (EMAIL / "reply_with_cc.msg").read_bytes()[:3000]),
        write(tmp_path, "text.msg", b"From: someone\nSubject: saved with the wrong name\n\nhello"),
        write(tmp_path, "letter.docx", b"PK\x03\x04"),
        tmp_path / "gone.eml",
        good,
    ]
    report = import_files(untagged(app), paths)
    assert report.stored == 1 and len(report.problems) == 6
    text = "\n".join(report.problems)
    assert "photo.eml does not look like an email" in text and "notes.eml does not look like an email" in text
    assert "truncated.msg is damaged" in text and "text.msg is not an Outlook message file" in text
    assert "letter.docx: the app brings in .eml, .msg files" in text and "gone.eml could not be opened" in text
    assert report.summary() == "1 brought in, 6 could not be read."


def test_a_50_mb_attachment_is_listed_but_not_kept(app, tmp_path):
    big = bytes(50 * 2**20)
    path = write(tmp_path, "big.eml", resident_email("big@example.org", attachments=(
        ("survey.pdf", big), ("photo.jpg", b"\xff\xd8\xff\xe0small photo"))))
    report = import_files(untagged(app), [path])
    with app.store.read() as db:
        kept = attachments.of_item(db, report.item_ids[0])
        assert [(a["name"], a["kept"]) for a in kept] == [("survey.pdf", 0), ("photo.jpg", 1)]
        assert "50 MB, larger than the 25 MB the app keeps" in kept[0]["note"]
        saved = attachments.save_copy(db, kept[1]["id"], tmp_path)
        again = attachments.save_copy(db, kept[1]["id"], tmp_path)
        with pytest.raises(Exception, match="too large to keep"):
            attachments.save_copy(db, kept[0]["id"], tmp_path)
    assert saved.read_bytes() == b"\xff\xd8\xff\xe0small photo" and again.name == "photo (2).jpg"


def test_a_flood_of_10000_emails_comes_in_by_batches_and_a_cancel_stores_no_half_batch(app, tmp_path):
    folder = tmp_path / "flood"
    paths = [write(folder, f"{n:05}.eml", resident_email(f"flood-{n}@example.org", subject=f"Offer {n}"))
             for n in range(10_000)]
    cancel, seen = threading.Event(), []

    def progress(fraction, message):
        seen.append(fraction)
        if len(seen) == 3:
            cancel.set()

    report = import_files(untagged(app), paths, cancel=cancel, progress=progress)
    assert report.cancelled and report.stored == 600  # three whole batches of 200, nothing of the fourth
    with app.store.read() as db:
        assert db["items"].count == 600
    rest = import_files(untagged(app), paths)
    assert (rest.stored, rest.already) == (9_400, 600)


def test_a_resident_who_wrote_by_email_is_found_and_erased_with_their_attachments(app, tmp_path):
    path = write(tmp_path, "a.eml", resident_email("a@example.org", attachments=(("photo.jpg", b"\xff\xd8 jpeg"),)))
    other = write(tmp_path, "b.eml", resident_email("b@example.org", sender="Bob <bob@example.org>",
                                                    body="My neighbour jane.resident@example.org agrees."))
    report = import_files(untagged(app), [path, other])
    with app.store.write() as db:
        found = find_person(db, PersonQuery(email="jane.resident@example.org"))
        kinds = {f.kind for f in found.findings}
        assert {"account", "own_post", "mention"} <= kinds
        erase_person(db, found, clock.now_iso())
        assert db["attachments"].count == 0 and db["items"].count == 1
        left = db.execute("SELECT text FROM items").fetchone()[0]
    assert "jane.resident@example.org" not in left and report.stored == 2


def test_retention_removes_old_emails_and_their_attachments(app, tmp_path):
    path = write(tmp_path, "a.eml", resident_email("a@example.org", attachments=(("photo.jpg", b"\xff\xd8 jpeg"),)))
    import_files(untagged(app), [path])
    with app.store.write() as db:
        report = apply_retention(db, RetentionSettings(days=30), clock.utcnow() + timedelta(days=31))
        assert report.items == 1 and db["attachments"].count == 0


def test_a_file_that_is_not_an_email_says_so_in_words():
    with pytest.raises(SourceError, match="does not look like an email"):
        EmailSource.read_file("x.eml", b"\x00\x01garbage")


def test_the_ward_report_never_counts_or_quotes_a_residents_email(app, tmp_path):
    from networked_councillor.printing.report_data import ward_report_data

    body = "Fly-tipping on Oak Road, Millbrook, again: mattresses behind the garages. " * 3
    import_files(untagged(app), [write(tmp_path, "a.eml", resident_email("r@example.org", body=body))])
    today = clock.today()
    with app.store.read() as db:
        data = ward_report_data(db, today - timedelta(days=7), today, today=today)
    assert data.items_heard == 0 and data.top_items == [] and data.items_by_source == []


def test_a_contact_forms_email_is_the_residents_and_an_attached_email_is_kept_whole():
    from email.message import EmailMessage

    original = EmailMessage()
    original["From"], original["Subject"] = "Council <streets@council.example.gov.uk>", "Your report 4471"
    original.set_content("We have passed your report to the highways team.")
    form = EmailMessage()
    form["From"], form["Reply-To"] = "Website <noreply@council.example.gov.uk>", "Ann Lee <ann.lee@example.org>"
    form["Subject"] = "Contact your councillor"
    form.set_content("The council closed my report without fixing the light. Their email is attached.")
    form.add_attachment(original)
    [item] = EmailSource.read_file("form.eml", bytes(form))
    assert item.author.handle == "ann.lee@example.org" and item.extra["email"] == "ann.lee@example.org"
    [attached] = item.attachments
    assert attached.name == "message.eml" and b"highways team" in attached.data
    outlook = EmailSource.read_file("o.msg", (EMAIL / "html_replyto_attachments.msg").read_bytes())[0]
    assert outlook.extra["email"] == "lo.pop.replyto@somemail.com"  # the reply goes where Reply-To says
    assert outlook.author.handle == "b.bottema@projectnibble.org"  # a person's own From stays the author


def test_a_later_message_reusing_a_message_id_never_replaces_the_residents_email(app, tmp_path):
    first = import_files(untagged(app), [write(tmp_path, "a.eml", resident_email("same@example.org"))])
    forged = write(tmp_path, "b.eml", resident_email("same@example.org", body="Please send your bank details.",
                                                     sender="Someone <someone@example.net>"))
    again = import_files(untagged(app), [forged])
    with app.store.read() as db:
        text = db.execute("SELECT text FROM items WHERE id = ?", first.item_ids).fetchone()[0]
    assert again.stored == 0 and "mattresses" in text


def test_a_subject_access_copy_includes_the_files_they_sent(app, tmp_path):
    from networked_councillor.casework.subject_access import subject_access_export

    path = write(tmp_path, "a.eml", resident_email("a@example.org", attachments=(("photo.jpg", b"\xff\xd8 a photo"),)))
    import_files(untagged(app), [path])
    with app.store.write() as db:
        export = subject_access_export(db, PersonQuery(email="jane.resident@example.org"), tmp_path / "sar" / "jane",
                                       clock.now_iso())
    listed = json.loads(export.json_path.read_text())["Files they sent (copies beside this export)"]
    assert listed[0]["name"] == "photo.jpg" and listed[0]["copy"] == "photo.jpg"
    assert (tmp_path / "sar" / "jane-attachments" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"


def test_the_demo_ward_shows_a_residents_follow_up_joining_its_issue(demo_folder):
    from networked_councillor.casework.issues import get_issue, id_of_reference

    with App(demo_folder, log_to_file=False) as demo, demo.store.read() as db:
        issue = get_issue(db, id_of_reference(db, "MI-0003"))
        emails = list(db.query("SELECT items.title FROM issue_items JOIN items ON items.id = issue_items.item_id "
                               "WHERE issue_id = ? AND items.kind = 'email' ORDER BY items.created_at", [issue["id"]]))
        waiting = db.execute("SELECT count(*) FROM items WHERE kind = 'email'").fetchone()[0]
    assert [e["title"] for e in emails] == ["Fly-tipping behind Cooper's Yard", "Re: Fly-tipping behind Cooper's Yard"]
    assert any(e["actor"] == "app: same email conversation" for e in issue["events"]) and waiting == 3
