"""TweetEval sentiment (SemEval-2017 Task 4A): val (validation) and test (only ever scored).

The train texts are not used: train_text.txt was missing from the snapshot the sets were first built from.
"""
from __future__ import annotations

from .sentiment import sentiment_rows

REPO, COMMIT = "cardiffnlp/tweeteval", "4fbd22cd78421f05b1ecdb4fc5725bc7a7bd8f66"
LABELS = {"0": "negative", "1": "neutral", "2": "positive"}  # datasets/sentiment/mapping.txt


def load_split(repo, split: str) -> list[tuple[str, str, str]]:
    """(text, sentiment, split) in file order; texts and labels are parallel line files."""
    texts = repo.text(COMMIT, f"datasets/sentiment/{split}_text.txt").split("\n")
    labels = [x.strip() for x in repo.text(COMMIT, f"datasets/sentiment/{split}_labels.txt").split("\n") if x.strip()]
    if texts[-1] == "":
        texts = [t for t in texts if t != ""]
    texts = texts[:len(labels)]
    assert len(texts) == len(labels), (split, len(texts), len(labels))
    return [(t, LABELS[x], split) for t, x in zip(texts, labels)]


def extract(open_repo) -> dict[str, list[dict]]:
    repo = open_repo(REPO, COMMIT)
    return {
        "tweeteval_sentiment.jsonl": sentiment_rows(load_split(repo, "val"), "tweeteval_sentiment"),
        "heldout_tweeteval_test.jsonl": sentiment_rows(load_split(repo, "test"), "tweeteval_sentiment_test"),
    }
