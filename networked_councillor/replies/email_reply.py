"""Answering a resident's email: in the councillor's own mail client, never from the app.

The app does not send email: the councillor's mail client holds their account, signature, sent folder and the
council's retention rules. So a reply leaves as a ``mailto:`` address (short replies: it opens a new message
with the text in place) or as a draft .eml file (any length; ``X-Unsent: 1`` makes Outlook open it as a message
to send, not a received one). Either carries "Re:" and the conversation's ids, so the resident's client threads
it and their answer joins the same issue when it comes back.

Checks: the same as for any reply, except the personal-data ones, which guard public posts. In a private
email to the resident themselves their own address or phone number is fine (`PRIVATE_EMAIL_NOTE`).
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import quote

from networked_councillor.base import clock

MAILTO_LIMIT = 1800
"""Windows hands at most about 2,000 characters of a mailto: address to the mail client; past this, use a file."""
PRIVATE_EMAIL_NOTE = ("A private email to the resident: the personal-data checks for public posts (phone numbers, "
                      "email and home addresses, postcodes) are off. Tone, blocked words and the pre-election "
                      "period are still checked.")


def is_private(item: dict) -> bool:
    return (item.get("extra") or {}).get("private") is True


def reply_subject(subject: str | None) -> str:
    subject = (subject or "").strip()
    return subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()


def draft_file_name(item: dict) -> str:
    """ "Re: Bins, again?" -> "Re Bins again.eml": a name every file system takes."""
    return (re.sub(r"[^\w\- ]+", "", reply_subject(item.get("title"))).strip()[:80] or "reply") + ".eml"


def mailto_address(to: str, subject: str, body: str) -> str:
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject)}&body={quote(body)}"


def mailto(item: dict, body: str) -> str | None:
    """A mailto: address with the reply in it, or None when it is too long for one (save a draft instead)."""
    address = mailto_address((item.get("extra") or {}).get("email") or "", reply_subject(item.get("title")), body)
    return address if len(address) <= MAILTO_LIMIT else None


def mailto_shortened(to: str, subject: str, body: str, cut: str) -> str:
    """A mailto: address within the limit, the body cut short (and ``cut`` said at its end) when it has to be."""
    address = mailto_address(to, subject, body)
    while len(address) > MAILTO_LIMIT:
        body = body[: int(len(body) * 0.9)]
        address = mailto_address(to, subject, body + cut)
    return address


def draft(item: dict, body: str, sender: str = "") -> bytes:
    """A draft reply as an .eml file the councillor's mail client opens ready to send."""
    extra = item.get("extra") or {}
    message = EmailMessage()
    message["To"] = extra.get("email") or ""
    if sender:
        message["From"] = sender
    message["Subject"] = reply_subject(item.get("title"))
    message["Date"] = format_datetime(clock.utcnow())
    message["Message-ID"] = make_msgid(domain="networked-councillor.invalid")
    original = extra.get("message_id")
    if original and not str(original).startswith("sha256:"):
        message["In-Reply-To"] = f"<{original}>"
        message["References"] = " ".join(f"<{r}>" for r in [*(extra.get("references") or []), original])
    message["X-Unsent"] = "1"
    message.set_content(body)
    return bytes(message)
