"""Sentiment140 manually labelled test tweets (polarity 0/2/4); only ever scored."""
from __future__ import annotations

import csv
import io

from .sentiment import sentiment_rows

REPO, COMMIT = "tomumpire/Twitter-Sentiment-Analysis", "35d5029d766214841f681f03eef024521308a7f0"
PATH = "testdata.manual.2009.06.14.csv"
LABELS = {"0": "negative", "2": "neutral", "4": "positive"}


def extract(open_repo) -> dict[str, list[dict]]:
    raw = open_repo(REPO, COMMIT).show(COMMIT, PATH)
    try:
        text = raw.decode("utf8")
    except UnicodeDecodeError:
        text = raw.decode("latin1")
    rows = list(csv.reader(io.StringIO(text)))  # polarity first, text last (this copy has 2 columns)
    return {"sentiment140_test.jsonl": sentiment_rows(((r[-1], LABELS[r[0]], "test") for r in rows),
                                                      "sentiment140_testdata_manual")}
