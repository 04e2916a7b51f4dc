"""Per-source extractors for the public labelled sets (see ../SOURCES.md; run ../get_public.py).

Each module has extract(open_repo) -> {file name: rows}; open_repo(slug, commit) gives a Repo at that commit.
"""

# module -> the files in models/data/public/ it writes
EXTRACTORS = {
    "tweeteval": ("tweeteval_sentiment.jsonl", "heldout_tweeteval_test.jsonl"),
    "semeval": ("semeval2013_2016_task4a.jsonl",),
    "airline": ("twitter_us_airline.jsonl",),
    "apple": ("apple_twitter_sentiment_dfe.jsonl",),
    "sentiment140": ("sentiment140_test.jsonl",),
    "uk_mp_tweets": ("heldout_uk_mp_tweets_antypas2023.jsonl", "heldout_sentimp21_uk.jsonl"),
    "newport": ("newport_ri_seeclickfix.jsonl",),
    "seeclickfix_multicity": ("seeclickfix_multicity_2024.jsonl",),
    "publicstuff": ("nyc_publicstuff_2019.jsonl", "hoboken_publicstuff_2019.jsonl"),
    "fixmystreet_cambridge": ("fixmystreet_cambridge_uk.jsonl",),
    "fixmystreet_oswestry": ("fixmystreet_oswestry_shropshire.jsonl",),
    "uk_petitions": ("uk_parliament_petitions_mysoc.jsonl",),
}
