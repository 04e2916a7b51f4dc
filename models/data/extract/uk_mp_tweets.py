"""UK MPs' tweets with hand sentiment labels; only ever scored (the closest public data to our posts).

Two annotation efforts: Antypas et al. 2023 (Cardiff NLP) and SentiMP-21 (DaSCI); they share ~275 texts.
Rows labelled "x"/empty (discarded by the annotators) are dropped.
"""
from __future__ import annotations

from .sentiment import MINUS_ONE_TO_ONE, csv_dicts, sentiment_rows

ANTYPAS = ("cardiffnlp/politics-and-virality-twitter", "8c6b955824ee1108efa21342ccc866b55d0b63ce")
SENTIMP = ("ari-dasci/OD-SentiMP-21", "2360c6c50386e9ee4d77a624ddcf56a1cbc9a7e5")


def labelled(rows: list[dict], column: str):
    for r in rows:
        label = r[column].strip()
        if label in MINUS_ONE_TO_ONE:
            yield r["full_text"], MINUS_ONE_TO_ONE[label], "none"


def extract(open_repo) -> dict[str, list[dict]]:
    antypas = csv_dicts(open_repo(*ANTYPAS).text(ANTYPAS[1], "data/annotation/en/en_combined.csv"))
    sentimp = csv_dicts(open_repo(*SENTIMP).text(SENTIMP[1], "uk/uk_extended_full.csv"))
    return {
        "heldout_uk_mp_tweets_antypas2023.jsonl": sentiment_rows(labelled(antypas, "label"),
                                                                 "cardiffnlp_politics_and_virality_en"),
        "heldout_sentimp21_uk.jsonl": sentiment_rows(labelled(sentimp, "final_label"), "SentiMP-21_uk"),
    }
