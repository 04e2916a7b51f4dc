"""An email (a standard .eml file, or the bytes an IMAP server sends) as an item of kind ``email``.

A resident's email is private casework: the item says so (``extra["private"]``), so the app keeps it out of
the public inbox and relaxes the reply checks that guard public posts. Its Message-ID is its id and the first
id in References (or In-Reply-To) is its conversation, so a reply joins the thread of the message it answers.
Attachments are kept as bytes up to `MAX_KEPT_BYTES` each and never opened.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from networked_councillor.plugin_api import Attachment, Author, RawItem, SourceError

log = logging.getLogger(__name__)

MAX_KEPT_BYTES = 25 * 1024 * 1024
"""Larger attachments are listed but not kept (save them from the mail client); most council mail caps at 25 MB."""
MAX_MESSAGE_BYTES = 150 * 1024 * 1024
"""Microsoft 365's own limit for one message: anything larger is not an email anyone sent."""
_HEADER = re.compile(rb"^[\x21-\x39\x3b-\x7e]+:", re.MULTILINE)
_MAIL_HEADERS = re.compile(rb"^(?:from|subject|date|message-id|mime-version):", re.IGNORECASE | re.MULTILINE)
_NO_REPLY = re.compile(r"no-?reply|do-?not-?reply|mailer-daemon|webforms?@", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|sv|vs)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(slots=True)
class Mail:
    """What the app reads from an email, whatever file or server it came from."""

    message_id: str | None
    subject: str
    sender: tuple[str, str]  # (name, address)
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)


def read_eml(name: str, data: bytes) -> RawItem:
    """One .eml file (or an IMAP message) as an item; `SourceError` if it is not an email."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise SourceError(f"{name} is {len(data) // 2**20} MB, larger than any email: it was not read.")
    head = data[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if b"\x00" in head or not _MAIL_HEADERS.search(head) or not _HEADER.match(head):
        raise SourceError(f"{name} does not look like an email (it starts with no mail headers).",
                          hint="Save the message from your mail client as an .eml or Outlook .msg file.")
    try:
        message = BytesParser(policy=policy.default).parsebytes(data)
        mail = _from_message(message)
    except Exception as exc:  # the email package raises many kinds of error on broken headers
        log.warning("could not read %s: %r", name, exc)
        raise SourceError(f"{name} is damaged and could not be read as an email ({type(exc).__name__}).") from exc
    return to_item(mail, fallback_id=_content_id(data))


def _from_message(message: EmailMessage) -> Mail:
    sender = _addresses(message, "from")
    mail = Mail(
        message_id=_first_id(_header(message, "message-id")),
        subject=_header(message, "subject"),
        sender=sender[0] if sender else ("", ""),
        reply_to=next((a for _, a in _addresses(message, "reply-to")), ""),
        to=[a for _, a in _addresses(message, "to")],
        cc=[a for _, a in _addresses(message, "cc")],
        date=_date(_header(message, "date")),
        in_reply_to=_first_id(_header(message, "in-reply-to")),
        references=_MESSAGE_ID.findall(_header(message, "references")),
    )
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    mail.text = _content(plain) if plain is not None else None
    mail.html = _content(rich) if rich is not None else None
    if mail.text is None and mail.html is None and not message.is_multipart():
        mail.text = _content(message)
    parts = list(message.iter_attachments()) if message.is_multipart() else (
        [message] if message.get_content_disposition() == "attachment" else [])
    for part in parts:
        if part.get_content_maintype() == "message":  # an attached email: kept whole, as a file the client opens
            data, name = part.get_payload(0).as_bytes() if part.is_multipart() else part.as_bytes(), "message.eml"
        else:
            data, name = part.get_payload(decode=True) or b"", "attachment"
        mail.attachments.append(attachment(part.get_filename() or name, part.get_content_type(), data))
    return mail


def attachment(name: str, content_type: str, data: bytes) -> Attachment:
    """An attachment as the app keeps it: the bytes when small enough, else a note saying why not."""
    name = re.sub(r"[\x00-\x1f/\\]", "_", name).strip() or "attachment"
    if len(data) > MAX_KEPT_BYTES:
        return Attachment(name, content_type, len(data), None,
                          f"{len(data) / 2**20:.0f} MB, larger than the {MAX_KEPT_BYTES // 2**20} MB the app keeps: "
                          "save it from your mail client.")
    return Attachment(name, content_type, len(data), data)


def to_item(mail: Mail, *, fallback_id: str) -> RawItem:
    message_id = mail.message_id or fallback_id
    references = list(dict.fromkeys([*mail.references, *([mail.in_reply_to] if mail.in_reply_to else [])]))
    name, address = mail.sender
    # A council's contact form sends from a no-reply address with the resident in Reply-To: they are the author,
    # and the reply goes to them.
    answer_to = (mail.reply_to or address).lower()
    if mail.reply_to and (not address or _NO_REPLY.search(address)):
        name, address = "", mail.reply_to
    subject = mail.subject.strip()
    return RawItem(
        external_id=message_id,
        title=subject or "(no subject)",
        text=mail.text,
        html=mail.html,
        author=Author(handle=address.lower() or "unknown sender", display_name=name or None),
        created_at=mail.date,
        kind="email",
        thread_id=references[0] if references else message_id,
        thread_title=_SUBJECT_PREFIX.sub("", subject) or None,
        parent_id=mail.in_reply_to,
        extra={"private": True, "ward_feed": True, "email": answer_to, "from": address.lower(), "message_id": message_id, "references": references,
               "to": mail.to, "cc": mail.cc},
        attachments=tuple(mail.attachments),
    )


def conversation_subject(subject: str) -> str:
    """ "Re: Fwd: Bins" -> "Bins": the subject a reply in the same conversation shares."""
    return _SUBJECT_PREFIX.sub("", subject or "").strip()


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse: fall back to its raw text
        value = message.get_all(name, failobj=[""])[0]
    return str(value or "").strip()


def _addresses(message: EmailMessage, name: str) -> list[tuple[str, str]]:
    try:
        header = message.get(name)
        groups = getattr(header, "addresses", None)
        if groups is not None:
            return [(a.display_name, a.addr_spec) for a in groups if isinstance(a, Address) and a.addr_spec]
    except Exception:  # noqa: S110 (the raw header is parsed the old way below)
        pass
    return [(n, a) for n, a in getaddresses(message.get_all(name, []) or []) if a]


def _first_id(value: str) -> str | None:
    found = _MESSAGE_ID.search(value)
    if found:
        return found.group(1)
    value = value.strip()
    return value if value and " " not in value else None


def _date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _content(part: EmailMessage) -> str | None:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset: read it as Latin-1
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("latin-1")
    return content if isinstance(content, str) else None


def _content_id(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:32]
