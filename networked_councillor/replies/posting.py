"""Posting a reply through the plugin of the source the item came from, and recording it.

The network part runs first; what went out is then recorded in one write (the draft becomes the posted reply,
the item is marked replied, the audit log says so). In training nothing is sent and the reply is recorded as if
posted, so practice looks like the real thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlite_utils import Database

from networked_councillor.base import clock
from networked_councillor.base.changes import Changes
from networked_councillor.base.errors import ConfigError, SourceError
from networked_councillor.casework import audit
from networked_councillor.casework import issues as casework
from networked_councillor.ingest.sources import Sources
from networked_councillor.plugin_api.source import ReplyResult, ReplyTarget, can_reply, reply_unavailable
from networked_councillor.replies import drafts
from networked_councillor.shared.sync import posting_refused


class Performer(Protocol):
    """What posting needs of the app: its sources, whether this is training, and the one write path."""

    training: bool

    def sources(self) -> Sources: ...

    def perform(self, op, /, *args, **kwargs): ...


def why_not_postable(app: Performer, item_id: int) -> str:
    """Why a reply to this item cannot be posted from the app now ("" when it can); no network."""
    sources = app.sources()
    with sources.store.read() as db:
        refused = posting_refused(db)  # a member-support officer never posts as a councillor
    if refused or app.training:
        return refused
    row, _target = sources.target(item_id)
    with sources.http_factory() as http:
        source, _api = sources.open(row, http, sources.ward())
        return reply_unavailable(source)


def post_reply(app: Performer, item_id: int, text: str | Sequence[str]) -> ReplyResult:
    """Post a reply (or a thread of replies, each answering the one before) and record it; the last post."""
    pieces = [text] if isinstance(text, str) else [p for p in text if p.strip()]
    sources = app.sources()
    with sources.store.read() as db:
        refused = posting_refused(db)
    if refused:
        raise ConfigError(refused)
    row, target = sources.target(item_id)
    if app.training:
        posted = [ReplyResult(f"training:{item_id}:{n}") for n in range(1, len(pieces) + 1)]
        app.perform(record_posted, item_id, row.plugin, pieces, posted, simulated=True)
        return posted[-1]
    posted: list[ReplyResult] = []
    with sources.http_factory() as http:
        source, _api = sources.open(row, http, sources.ward())
        if not can_reply(source):
            raise SourceError(f"{row.name} cannot post replies from the app.",
                              hint="Copy your reply and post it on the site itself.")
        try:
            for piece in pieces:
                posted.append(source.reply(target, piece))
                target = ReplyTarget(posted[-1].external_id, posted[-1].url, target.thread_id, {})
        except SourceError as exc:
            if not posted:
                raise
            app.perform(record_posted, item_id, row.plugin, pieces, posted)
            raise SourceError(f"Only {len(posted)} of the {len(pieces)} parts were posted: {exc}",
                              hint="The rest of your reply is still in the draft.") from exc
    app.perform(record_posted, item_id, row.plugin, pieces, posted)
    return posted[-1]


def record_posted(db: Database, item_id: int, plugin: str, pieces: list[str], posted: list[ReplyResult], *,
                  simulated: bool = False) -> Changes:
    """The operation after posting: the draft becomes the posted reply and the item is replied."""
    now = clock.now_iso()
    summary = f"Reply {'as it would be posted' if simulated else 'posted'} through {plugin}"
    drafts.record_posted(db, item_id, plugin, "\n\n".join(pieces[:len(posted)]), now,
                         external_id=posted[0].external_id, url=posted[0].url)
    audit.record(db, "post_reply", summary + (" (training: nothing was sent)" if simulated else ""), now,
                 records=len(posted), detail={"item_id": item_id, "posts": [p.external_id for p in posted],
                                              "simulated": simulated})
    linked = [r[0] for r in db.execute("SELECT issue_id FROM issue_items WHERE item_id = ?", [item_id])]
    for issue_id in linked:  # the issue's timeline says the resident had a public answer, and what
        casework.add_event(db, issue_id, "replied", {"where": plugin, "url": posted[0].url,
                                                     "text": "\n\n".join(pieces[:len(posted)])}, now)
    return Changes(items=frozenset([item_id]), inbox=True, issues=bool(linked))
