"""SemEval 2013-2016 Task 4A tweets: the pool SemEval-2017 trained on (and TweetEval train/val came from).

The per-year "test" files were SemEval-2017 *training* data; the SemEval-2017 test set is TweetEval test.
Rows that also appear in TweetEval val are flagged (in_tweeteval_val) so training can skip them.
"""
from __future__ import annotations

import re

from . import tweeteval

REPO, COMMIT = "cbaziotis/datastories-semeval2017-task4", "faeee5fd1c2cf38e32179a4676dff53ae01adfa8"
FILES = ["twitter-2013train-A", "twitter-2013dev-A", "twitter-2013test-A", "twitter-2014test-A",
         "twitter-2014sarcasm-A", "twitter-2015train-A", "twitter-2015test-A", "twitter-2016train-A",
         "twitter-2016dev-A", "twitter-2016devtest-A", "twitter-2016test-A"]
SOURCE = "semeval2013-2016_task4A"
U_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def decode(text: str) -> str:
    """Undo literal \\uXXXX escapes and one layer of surrounding double quotes."""
    text = U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).strip()
    if len(text) > 1 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return text.strip()


def match_key(text: str) -> str:
    """Loose key for matching TweetEval's rewritten tweets (@user, cut URLs, "...") to the originals."""
    text = U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = re.sub(r"https?:\S*", "", re.sub(r"@\w+", "", text))
    return re.sub(r"\W+", "", text).lower()


def split_of(name: str) -> str:
    return "train" if "train" in name else ("val" if "dev" in name else "test")


def extract(open_repo) -> dict[str, list[dict]]:
    repo = open_repo(REPO, COMMIT)
    val_keys = {match_key(t) for t, _, _ in tweeteval.load_split(open_repo(tweeteval.REPO, tweeteval.COMMIT), "val")}
    seen: set[str] = set()
    out = []
    for name in FILES:
        for line in repo.text(COMMIT, f"dataset/Subtask_A/downloaded/{name}.tsv").split("\n"):
            if not line.strip():
                continue
            parts = line.split("\t")
            text = decode(parts[2])
            if text in ("Not Available", "") or text in seen:
                continue
            seen.add(text)
            out.append({"text": text, "sentiment": parts[1].strip(), "split": split_of(name), "source": SOURCE,
                        "orig_file": name, "in_tweeteval_val": match_key(text) in val_keys})
    return {"semeval2013_2016_task4a.jsonl": out}
