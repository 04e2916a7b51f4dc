"""Twitter US Airline Sentiment (Figure Eight): customer complaints; only ever scored.

This copy keeps tweet ids intact (others were re-saved through Excel).
"""
from __future__ import annotations

from .sentiment import csv_dicts, sentiment_rows

REPO, COMMIT = "Ramlah0/Twitter-US-Airline-Sentiment-Analysis", "b485e56d824c0c0c0ed573932a98db309523bc75"


def extract(open_repo) -> dict[str, list[dict]]:
    rows = csv_dicts(open_repo(REPO, COMMIT).text(COMMIT, "Tweets.csv"))
    return {"twitter_us_airline.jsonl": sentiment_rows(
        ((r["text"], r["airline_sentiment"], "none") for r in rows), "twitter_us_airline_sentiment")}
