"""Emails written for the tests, dated relative to the test clock (real published samples are in fixtures/email)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from networked_councillor.base import clock

COUNCILLOR = "sam.patel@millbrook.example.gov.uk"


def resident_email(message_id: str, *, subject: str = "Fly-tipping behind the Oak Road garages",
                   body: str = "Dear Cllr Patel, there is a pile of mattresses behind the Oak Road garages again.",
                   sender: str = "Jane Resident <jane.resident@example.org>", hours_ago: float = 2,
                   in_reply_to: str | None = None, attachments: tuple[tuple[str, bytes], ...] = (),
                   html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"Cllr Sam Patel <{COUNCILLOR}>"
    message["Subject"] = f"Re: {subject}" if in_reply_to else subject
    message["Date"] = format_datetime(clock.utcnow() - timedelta(hours=hours_ago))
    message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
        message["References"] = f"<{in_reply_to}>"
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for name, data in attachments:
        maintype, subtype = ("image", "jpeg") if name.endswith(".jpg") else ("application", "octet-stream")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path
