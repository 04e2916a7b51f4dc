"""The demo ward's casework mail: three residents' emails (written here; the people are fictional), dated from now.

One is already part of an issue (the fly-tipping behind Cooper's Yard), and the resident's follow-up arrives
after it, so the demo shows a reply joining its issue by itself; one is new casework waiting to be logged.
They come in as any dropped email does, through the email plugin and the pipeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from networked_councillor.casework.issues import id_of_reference, link_items
from networked_councillor.ingest.imports import holding_source

COUNCILLOR = "Cllr Jo Whitfield <jo.whitfield@millbrook.example.gov.uk>"
ISSUE = "MI-0003"  # Repeated fly-tipping behind Cooper's Yard
FIRST = dict(id="coopers-yard-1@residents.example.org", sender="Priya Shah <priya.shah@example.org>", hours=30,
             subject="Fly-tipping behind Cooper's Yard", body=(
                 "Dear Cllr Whitfield,\n\nThere is a sofa, two mattresses and a pile of builders' rubble behind "
                 "the garages at Cooper's Yard again. It has been there since the weekend and the children walk "
                 "past it to school.\n\nCould you chase the council to clear it? A photo is attached.\n\n"
                 "Priya Shah"), photo=True)
FOLLOW_UP = dict(id="coopers-yard-2@residents.example.org", sender="Priya Shah <priya.shah@example.org>", hours=3,
                 subject="Re: Fly-tipping behind Cooper's Yard", reply_to=FIRST["id"], body=(
                     "Thank you for chasing this. The council took the sofa away yesterday, but the rubble is "
                     "still there and someone has added a fridge.\n\nPriya"))
NEW = dict(id="library-hours@residents.example.org", sender="Tom Okafor <tom.okafor@example.org>", hours=6,
           subject="Millbrook Library opening hours", body=(
               "Hello Jo,\n\nI heard the library may close on Saturdays from January. My son does his homework "
               "there because we have no internet at home. Is this true, and is there anything we can do?\n\n"
               "Thanks,\nTom Okafor"))


def message(spec: dict, now: datetime) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = spec["sender"], COUNCILLOR, spec["subject"]
    mail["Date"] = format_datetime(now - timedelta(hours=spec["hours"]))
    mail["Message-ID"] = f"<{spec['id']}>"
    if spec.get("reply_to"):
        mail["In-Reply-To"] = mail["References"] = f"<{spec['reply_to']}>"
    mail.set_content(spec["body"])
    if spec.get("photo"):
        mail.add_attachment(b"\xff\xd8\xff\xe0 (a photo in the demo)", maintype="image", subtype="jpeg",
                            filename="coopers-yard.jpg")
    return bytes(mail)


def load_demo_mail(app, now: datetime) -> int:
    """The three emails, the first linked to its issue before the follow-up arrives; how many came in."""
    plugin = app.registry.get("email")
    if plugin is None:
        return 0
    pipeline = app.pipeline()
    row = holding_source(app.store, plugin)
    first = pipeline.ingest(row, plugin.read_file("first.eml", message(FIRST, now)) +
                            plugin.read_file("new.eml", message(NEW, now)))
    with app.store.write() as db:
        if first.item_ids:
            link_items(db, id_of_reference(db, ISSUE), first.item_ids[:1], now.isoformat(timespec="seconds"))
    follow_up = pipeline.ingest(row, plugin.read_file("follow-up.eml", message(FOLLOW_UP, now)))
    return first.new + follow_up.new
