"""Apple Twitter Sentiment (Figure Eight DFE); the sentiment column is 1/3/5."""
from __future__ import annotations

from .sentiment import csv_dicts, sentiment_rows

REPO, COMMIT = "sgrpraka/NLP", "3af291d369afbda5696915ecc1df0cf7c8fba59f"
LABELS = {"1": "negative", "3": "neutral", "5": "positive"}


def extract(open_repo) -> dict[str, list[dict]]:
    raw = open_repo(REPO, COMMIT).show(COMMIT, "Apple-Twitter-Sentiment-DFE.csv")
    try:
        text = raw.decode("utf8")
    except UnicodeDecodeError:  # this copy is latin-1
        text = raw.decode("latin1")
    rows = csv_dicts(text)
    return {"apple_twitter_sentiment_dfe.jsonl": sentiment_rows(
        ((r["text"], LABELS[r["sentiment"]], "none") for r in rows if r["sentiment"] in LABELS),
        "apple_twitter_sentiment_dfe")}
