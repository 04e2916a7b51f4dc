"""Shared rules for the topic sets: text clean-up, joining title and body, filtering, de-duplication and caps."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

CAT_CAP, SOURCE_CAP = 400, 4000
MIN_CHARS = 15

# Two sets of redaction patterns: the street-report sources (round 1) and Oswestry/petitions (round 2) were
# built with slightly different ones. Both are kept so every file reproduces exactly.
SCRUB = {
    1: (re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"), re.compile(r"(\+?\d[\d\-\.\s\(\)]{8,}\d)")),
    2: (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), re.compile(r"(?:\+?\d[\d\s().-]{7,}\d)")),
}


def norm(s: str | None) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def scrub(text: str, version: int = 1) -> str:
    """Replace emails, and digit runs with 9+ digits (phone numbers), by placeholders."""
    email, phone = SCRUB[version]
    text = email.sub("[email]", text)
    return phone.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group(0)) >= 9 else m.group(0), text)


def join_title(title: str | None, desc: str | None, category: str | None = None) -> str:
    """Title + '. ' + description; the title is dropped when it only repeats the category or starts the body."""
    title, desc = norm(title), norm(desc)
    if category and title.lower() == norm(category).lower():
        title = ""
    if title and desc:
        return desc if desc.lower().startswith(title.lower()) else title.rstrip(".") + ". " + desc
    return title or desc


def join_parts(*parts: str | None) -> str:
    """Cleaned parts joined by '. ', skipping a part equal to the one before (round-2 sources)."""
    out: list[str] = []
    for p in parts:
        p = scrub(norm(p), 2)
        if p and (not out or p.lower() != out[-1].lower()):
            out.append(p.rstrip("."))
    return ". ".join(out)


def select(rows: Iterable[dict], cat_cap: int = CAT_CAP, topic_cap: int | None = None,
           source_cap: int = SOURCE_CAP) -> list[dict]:
    """Keep rows in order: long enough, not just the category name, mapped (topic not None/'skip'),
    first of each case-insensitive text, within the per-category / per-topic / per-source caps."""
    seen: set[str] = set()
    per_cat: Counter = Counter()
    per_topic: Counter = Counter()
    kept = []
    for r in rows:
        text = r["text"]
        if len(text) < MIN_CHARS or text.lower() == str(r["category"]).lower():
            continue
        if r["topic"] in (None, "skip") or text.lower() in seen:
            continue
        if per_cat[r["category"], r["topic"]] >= cat_cap:
            continue
        if topic_cap is not None and per_topic[r["topic"]] >= topic_cap:
            continue
        seen.add(text.lower())
        per_cat[r["category"], r["topic"]] += 1
        per_topic[r["topic"]] += 1
        kept.append(r)
        if len(kept) >= source_cap:
            break
    return kept


def mapped(pairs: Iterable[tuple[str | None, str | None]], mapping: dict[str, str], source: str) -> list[dict]:
    """(text, category) pairs -> records for round-1 sources: whitespace collapsed, redacted, topic looked up."""
    out = []
    for text, cat in pairs:
        cat = norm(cat)
        out.append({"text": scrub(norm(text)), "category": cat, "topic": mapping.get(cat), "source": source})
    return out
