"""An Outlook .msg file (what Outlook saves when a message is dragged out of it) as an email item."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from email.utils import getaddresses

from nc_email.message import MAX_MESSAGE_BYTES, Mail, attachment, to_item
from networked_councillor.plugin_api import RawItem, SourceError

log = logging.getLogger(__name__)
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def read_msg(name: str, data: bytes) -> RawItem:
    if len(data) > MAX_MESSAGE_BYTES:
        raise SourceError(f"{name} is {len(data) // 2**20} MB, larger than any email: it was not read.")
    if not data.startswith(_OLE_MAGIC):
        raise SourceError(f"{name} is not an Outlook message file.",
                          hint="Drag the message out of Outlook again, or save it as .msg or .eml.")
    try:
        import extract_msg

        message = extract_msg.openMsg(data)
    except Exception as exc:  # extract-msg raises its own errors and olefile's on damaged files
        log.warning("could not open %s: %r", name, exc)
        raise SourceError(f"{name} is damaged or is not an email saved from Outlook ({type(exc).__name__}).") from exc
    try:
        return to_item(_mail(message), fallback_id="sha256:" + hashlib.sha256(data).hexdigest()[:32])
    except Exception as exc:
        log.warning("could not read %s: %r", name, exc)
        raise SourceError(f"{name} could not be read as an email ({type(exc).__name__}).") from exc
    finally:
        message.close()


def _mail(message) -> Mail:
    sender = getaddresses([message.sender or ""])
    headers = message.header
    html = message.htmlBody
    mail = Mail(
        message_id=_id(message.messageId),
        subject=message.subject or "",
        sender=sender[0] if sender else ("", ""),
        reply_to=next((a for _, a in getaddresses([str(headers.get("Reply-To", "")) if headers else ""]) if a), ""),
        to=[a for _, a in getaddresses([message.to or ""]) if a],
        cc=[a for _, a in getaddresses([message.cc or ""]) if a],
        date=_aware(message.date),
        in_reply_to=_id(message.inReplyTo),
        references=[_id(r) for r in str(headers.get("References", "") if headers else "").split() if _id(r)],
        text=message.body or None,
        html=html.decode("utf-8", "replace") if isinstance(html, bytes) else html,
    )
    for part in message.attachments:
        data = getattr(part, "data", None)
        if isinstance(data, bytes):  # an attached email or OLE object has no plain bytes: left out
            mail.attachments.append(attachment(part.longFilename or part.shortFilename or "attachment",
                                               part.mimetype or "application/octet-stream", data))
    return mail


def _id(value) -> str | None:
    text = str(value or "").strip().strip("<>").strip()
    return text or None


def _aware(value) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
