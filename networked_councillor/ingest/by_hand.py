"""A post added by hand: what a resident said somewhere the app must not scrape, pasted in by the councillor.

It becomes an item like any other (relevance, topic and feeling, reply drafting, casework), held by the
"Added by hand" source. The councillor chose to bring it in, so it counts as the ward's business whatever its
words. A link from a site the app knows fills in where it was said; pasted pictures are kept as attachments.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from networked_councillor.base import clock
from networked_councillor.base.errors import ConfigError
from networked_councillor.ingest.imports import holding_source
from networked_councillor.plugin_api.source import Attachment, Author, RawItem

PLUGIN = "by-hand"
PLACES = ("Facebook group", "Nextdoor", "WhatsApp", "X (Twitter)", "Instagram", "Another website", "A letter",
          "A phone call", "A surgery", "In person")
SITES = {
    "facebook.com": "Facebook group", "fb.com": "Facebook group", "nextdoor.co.uk": "Nextdoor",
    "nextdoor.com": "Nextdoor", "whatsapp.com": "WhatsApp", "wa.me": "WhatsApp", "x.com": "X (Twitter)",
    "twitter.com": "X (Twitter)", "instagram.com": "Instagram",
}
MAX_IMAGE_BYTES = 25 * 1024 * 1024


@dataclass(slots=True)
class HandPost:
    text: str
    link: str = ""
    who: str = ""
    where: str = ""
    when: datetime | None = None
    images: list[tuple[str, bytes]] = field(default_factory=list)
    """(name, bytes) of pictures pasted with the post."""


def site_of(link: str) -> str:
    """Where a link says a post was made ("Facebook group" for facebook.com/groups/...), or ""."""
    host = (urlsplit(link if "://" in link else f"https://{link}").hostname or "").lower()
    for domain, place in SITES.items():
        if host == domain or host.endswith("." + domain):
            return place
    return ""


def to_item(post: HandPost) -> RawItem:
    text = post.text.strip()
    if not text:
        raise ConfigError("A post added by hand needs its words.", hint="Paste what the resident said.")
    link = _web_address(post.link.strip())
    where = post.where.strip() or site_of(link) or "Another website"
    who = post.who.strip()
    when = post.when or clock.utcnow()
    digest = hashlib.blake2b(f"{text}\n{link}\n{who}\n{when.isoformat()}".encode(), digest_size=10).hexdigest()
    return RawItem(
        external_id=f"hand:{digest}",
        url=link or None,
        text=text,
        author=Author(handle=who or f"someone on {where}", display_name=who or None),
        created_at=when,
        kind="post",
        extra={"where": where, "added_by_hand": True, "ward_feed": True},
        attachments=tuple(_image(name, data) for name, data in post.images),
    )


def _web_address(link: str) -> str:
    """'nextdoor.co.uk/p/1' -> 'https://nextdoor.co.uk/p/1'; anything but a web address is refused."""
    if not link:
        return ""
    if not re.match(r"^https?://", link, re.IGNORECASE):
        if re.match(r"^[a-z][a-z0-9+.-]*:(?!\d)", link, re.IGNORECASE):  # javascript:, file:, data: ...
            raise ConfigError(f"'{link}' is not a web address.", hint="Leave the link empty, or paste it from the "
                                                                     "browser's address bar.")
        link = f"https://{link}"
    if not urlsplit(link).hostname:
        raise ConfigError(f"'{link}' is not a web address.")
    return link


def _image(name: str, data: bytes) -> Attachment:
    if len(data) > MAX_IMAGE_BYTES:
        raise ConfigError(f"The picture {name} is {len(data) // 2**20} MB; the app keeps pictures up to 25 MB.")
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg" if data.startswith(b"\xff\xd8") else \
        "application/octet-stream"
    return Attachment(name, kind, len(data), data)


def add_post(pipeline, post: HandPost):
    """Store one post added by hand; the pipeline's outcome (``item_ids`` holds the new item)."""
    return pipeline.ingest(holding_source(pipeline.store, pipeline.registry.get(PLUGIN)), [to_item(post)])
