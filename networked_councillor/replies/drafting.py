"""Suggesting a reply: the item's topic template filled in for this resident, and the councillor's nearest past replies.

Templates live in `reply_templates`, placeholders in `placeholders`, saved
replies in `snippets`; this module puts them together for one item.
Past replies are found by the stored embeddings of the items they answered,
compared in one matrix product.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

import numpy as np
import regex
from sqlite_utils import Database

from networked_councillor.base.errors import NcError
from networked_councillor.replies.context import SIGNATURE_KEY
from networked_councillor.replies.length import LIMITS, length
from networked_councillor.replies.placeholders import PLACEHOLDERS, fill
from networked_councillor.replies.templates import PARTS, template_for
from networked_councillor.store import settings as settings_store
from networked_councillor.store.tags import model_text

__all__ = ["Draft", "PLACEHOLDERS", "SimilarReply", "draft_context", "fill", "first_name", "similar_replies",
           "suggest_draft"]

log = logging.getLogger(__name__)

MIN_SIMILARITY = 0.3
"""Past replies to posts less alike than this are not worth offering."""

_NAME_WORD = regex.compile(r"\p{L}+(?:[-'’]\p{L}+)*")
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "cllr", "councillor", "rev", "revd", "prof", "sir", "dame",
           "lady", "lord"}
# Words that show a display name or handle is not a person's name.
_NOT_NAMES = {"the", "its", "im", "real", "official", "association", "council", "group", "society", "news",
              "gazette", "club", "team", "ltd", "limited", "residents", "community", "friends", "church", "school",
              "police", "trust", "network", "partnership", "forum", "cic", "charity", "action", "watch", "info",
              "admin", "local", "ward", "village", "town", "city", "parish", "borough", "district", "county"}


@dataclass(frozen=True, slots=True)
class SimilarReply:
    text: str
    item_id: int
    similarity: float


@dataclass(slots=True)
class Draft:
    text: str
    parts: dict[str, str]
    """acknowledge / inform / invite, filled."""
    source: str
    """"default" or "custom": whose template it came from."""
    topic: str = ""
    missing: list[str] = field(default_factory=list)
    """Placeholders left unfilled (visible in the text)."""
    similar: list[SimilarReply] = field(default_factory=list)
    """The councillor's past replies to the most similar posts, best first."""


def suggest_draft(db: Database, item_id: int, *, tagger=None, platform: str | None = None) -> Draft:
    """A first draft for replying to ``item_id``, short enough for ``platform`` where it can be;
    ``tagger`` embeds the item if it has no stored embedding."""
    row = db.execute("SELECT topic FROM items WHERE id = ?", [item_id]).fetchone()
    if row is None:
        raise NcError(f"There is no item {item_id}.")
    template = template_for(db, row[0])
    context = draft_context(db, item_id)
    parts, missing = {}, []
    for part in PARTS:
        parts[part], unfilled = fill(getattr(template, part), context)
        missing += unfilled
    parts = fit_parts(parts, platform)
    return Draft(_joined(parts), parts, "custom" if template.custom else "default",
                 template.topic, list(dict.fromkeys(missing)), similar_replies(db, item_id, tagger=tagger))


def fit_parts(parts: dict[str, str], platform: str | None) -> dict[str, str]:
    """Drop the asides (after a dash) from acknowledge, then invite, then inform, until the reply fits the
    platform; all three parts always stay, and a reply that still does not fit is left for the length check."""
    limit = LIMITS.get(platform or "")
    parts = dict(parts)
    for part in ("acknowledge", "invite", "inform"):
        if limit is None or length(_joined(parts), platform) <= limit:
            break
        parts[part] = _without_aside(parts[part])
    return parts


def _joined(parts: dict[str, str]) -> str:
    return " ".join(p for p in parts.values() if p)


def _without_aside(text: str) -> str:
    head, dash, _aside = text.partition(" – ")
    if not dash:
        return text
    return head.rstrip(",;: ") + ("" if head.endswith((".", "!", "?")) else ".")


def draft_context(db: Database, item_id: int) -> dict[str, str | None]:
    """Placeholder values for replying to ``item_id``; None where the app does not know one."""
    row = db.execute("SELECT items.evidence, authors.display_name, authors.handle FROM items "
                     "LEFT JOIN authors ON authors.id = items.author_id WHERE items.id = ?", [item_id]).fetchone()
    evidence, display_name, handle = row or (None, None, None)
    terms = _evidence_terms(evidence)
    try:
        ward = settings_store.load_ward(db)
    except NcError as exc:
        log.warning("the ward profile could not be read for a draft: %s", exc)
        ward = None
    issue = db.execute("SELECT issues.reference FROM issue_items JOIN issues ON issues.id = issue_items.issue_id "
                       "WHERE issue_items.item_id = ? ORDER BY issue_items.linked_at DESC LIMIT 1", [item_id]).fetchone()
    not_names = {w.lower() for place in (ward.places if ward else []) for w in place.split()}
    return {
        "name": first_name(display_name, handle, not_names=not_names),
        "street": terms.get("street"),
        "place": terms.get("place"),
        "ward": (ward.name or None) if ward else None,
        "issue_ref": issue[0] if issue else None,
        "councillor": str(settings_store.get_setting(db, SIGNATURE_KEY) or ""),
    }


def _evidence_terms(evidence: str | None) -> dict[str, str]:
    """The first term of each kind of relevance evidence (street, place...)."""
    try:
        entries = json.loads(evidence or "[]")
    except ValueError:
        return {}
    terms: dict[str, str] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("term"):
            terms.setdefault(str(entry.get("kind")), str(entry["term"]))
    return terms


def first_name(display_name: str | None, handle: str | None, *, not_names: set[str] = frozenset()) -> str:
    """The resident's first name from their display name, else from a handle like sam.jones; else "there"."""
    skip = _NOT_NAMES | set(not_names)
    words = _NAME_WORD.findall(display_name or "")
    if words and not any(w.lower() in skip for w in words):
        given = [w for w in words if w.lower().rstrip(".") not in _TITLES]
        if given and len(given[0]) >= 2:
            return _capitalised(given[0])
    local = (handle or "").lstrip("@").split("@")[0].split(".")[0] if handle else ""
    pieces = [p for p in regex.split(r"[._\-\d]+", local) if p]
    if len(pieces) >= 2:
        given = [p for p in pieces if p.lower() not in _TITLES]
        if given and 2 <= len(given[0]) <= 15 and given[0].isalpha() and given[0].lower() not in skip:
            return _capitalised(given[0])
    return "there"


def _capitalised(word: str) -> str:
    return word[0].upper() + word[1:].lower() if word.isupper() or word.islower() else word


def similar_replies(db: Database, item_id: int, k: int = 3, *, tagger=None,
                    min_similarity: float = MIN_SIMILARITY) -> list[SimilarReply]:
    """The councillor's posted replies to the posts most like ``item_id``, best first (each text once)."""
    query, model = _item_vector(db, item_id, tagger)
    if query is None:
        return []
    rows = db.execute(
        "SELECT drafts.text, drafts.item_id, embeddings.vector FROM drafts "
        "JOIN embeddings ON embeddings.item_id = drafts.item_id "
        "WHERE drafts.status = 'posted' AND drafts.item_id != ? AND embeddings.model = ? "
        "AND length(embeddings.vector) = ? AND trim(coalesce(drafts.text, '')) != '' "
        "ORDER BY drafts.updated_at DESC", [item_id, model, query.nbytes]).fetchall()
    if not rows:
        return []
    vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), -1)
    scores = vectors @ query
    found: dict[str, SimilarReply] = {}
    for i in np.argsort(-scores, kind="stable"):
        if len(found) == k or scores[i] < min_similarity:
            break
        text = rows[i][0].strip()
        found.setdefault(text, SimilarReply(text, int(rows[i][1]), round(float(scores[i]), 4)))
    return list(found.values())


def _item_vector(db: Database, item_id: int, tagger) -> tuple[np.ndarray | None, str | None]:
    """The item's stored embedding, or one ``tagger`` makes now; (None, None) if neither can be had."""
    row = db.execute("SELECT model, vector FROM embeddings WHERE item_id = ?", [item_id]).fetchone()
    if row is not None:
        return np.frombuffer(row[1], dtype=np.float32), row[0]
    item = db.execute("SELECT title, text FROM items WHERE id = ?", [item_id]).fetchone()
    if tagger is None or item is None or not getattr(tagger, "embedding_model", None):
        return None, None
    try:
        vector = tagger.embed([model_text(*item)])[0]
    except NcError as exc:
        log.warning("could not embed item %s to find similar replies: %s", item_id, exc)
        return None, None
    return np.asarray(vector, dtype=np.float32), tagger.embedding_model
