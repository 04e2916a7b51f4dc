"""Shared rules for the sentiment sets: label names and within-set de-duplication."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

LABELS = ("negative", "neutral", "positive")
# Numeric codes used by the different sources, mapped to our label names (labels themselves unchanged).
MINUS_ONE_TO_ONE = {"-1": "negative", "0": "neutral", "1": "positive"}


def sentiment_rows(rows: Iterable[tuple[str | None, str, str]], source: str) -> list[dict]:
    """(text, sentiment, split) -> records; texts stripped, empty and exact-duplicate texts dropped (first kept)."""
    seen: set[str] = set()
    out = []
    for text, sentiment, split in rows:
        assert sentiment in LABELS, sentiment
        text = (text or "").strip()
        if not text or text in seen:
            continue
        seen.add(text)
        out.append({"text": text, "sentiment": sentiment, "split": split, "source": source})
    return out


def csv_dicts(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))
