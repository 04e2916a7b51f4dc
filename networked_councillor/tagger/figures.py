"""How well the model does, in words and tables, from what `models/build.py` measured.

One place renders the figures, so `model info`, Settings and the model card
say the same thing: results on real public posts the heads never trained on
first, each set named; results on text written for this repository apart,
and labelled as such.
"""

from __future__ import annotations

SET_NAMES = {
    "tweeteval_test": "General English tweets (SemEval-2017 test split)",
    "airline_complaints": "Customer-service complaint tweets (US airlines)",
    "uk_mp_tweets": "UK MPs' tweets (Antypas et al. 2023)",
    "uk_mp_tweets_sentimp21": "UK MPs' tweets (SentiMP-21)",
    "sentiment140_test": "Tweets (Sentiment140 hand-labelled test)",
    "apple_tweets": "Tweets to a company (Apple, held-out 10%)",
    "semeval_2013_2016": "Tweets (SemEval 2013-16, held-out 10%)",
    "street_reports": "Residents' street reports, 311 and FixMyStreet (held-out 10%)",
    "uk_petitions": "UK Parliament e-petitions (held-out 10%)",
    "written": "Written for this repository (held out)",
}
"""Readable names for the evaluation sets; `models/data/SOURCES.md` says where each came from."""


def set_name(key: str) -> str:
    return SET_NAMES.get(key, key.replace("_", " ").capitalize() + " (held-out 10%)")


def headline(meta: dict) -> list[str]:
    """A few lines for a councillor: what the figures are measured on and how good they are."""
    evaluation = meta.get("evaluation") or {}
    if not any("origin" in entry for entry in evaluation.values()):
        return ["No figures on real public posts were recorded for this model."]
    lines = []
    for kind in ("sentiment", "topic"):
        public = [(key, entry[kind]) for key, entry in evaluation.items()
                  if entry.get("origin") == "public" and kind in entry]
        if public:
            parts = [f"{set_name(key)} {figures['macro_f1']:.2f}" for key, figures in public]
            lines.append(f"{kind.capitalize()} on real public posts it never trained on (macro F1): "
                         + "; ".join(parts) + ".")
    written = evaluation.get("written", {})
    if written:
        lines.append("On posts written for this repository (not real residents): "
                     + ", ".join(f"{kind} {written[kind]['macro_f1']:.2f}" for kind in ("topic", "sentiment")
                                 if kind in written) + ".")
    calibration = meta.get("calibration_figures") or {}
    for kind, figures in calibration.items():
        lines.append(f"{kind.capitalize()}: labels below {figures['unsure_below']:.0%} confidence are shown as "
                     f"unsure ({figures['unsure_share']:.0%} of validation posts); calibration error "
                     f"{figures['ece_before']:.3f} before and {figures['ece_after']:.3f} after.")
    return lines


def tables(meta: dict) -> str:
    """Markdown tables of every evaluation set, per class: the model card's 'How well it does'."""
    out = []
    for kind in ("sentiment", "topic"):
        rows = [(key, entry) for key, entry in (meta.get("evaluation") or {}).items() if kind in entry]
        rows.sort(key=lambda pair: (pair[1].get("origin") != "public", pair[0]))
        if not rows:
            continue
        out += [f"### {kind.capitalize()}", "",
                "| set | origin | n | accuracy | macro F1 | unsure | accuracy when sure |",
                "|---|---|---:|---:|---:|---:|---:|"]
        for key, entry in rows:
            f = entry[kind]
            n = sum(c["n"] for c in f["per_class"].values())
            origin = "real, public" if entry.get("origin") == "public" else "written here"
            out.append(f"| {set_name(key)} | {origin} | {n:,} | {f['accuracy']:.3f} | {f['macro_f1']:.3f} "
                       f"| {f.get('unsure_share', 0):.0%} | {f.get('accuracy_when_sure', f['accuracy']):.3f} |")
        out.append("")
        for key, entry in rows:
            out += [f"<details><summary>{set_name(key)}: per class</summary>", "",
                    "| class | precision | recall | F1 | n |", "|---|---:|---:|---:|---:|"]
            out += [f"| `{label}` | {c['precision']:.2f} | {c['recall']:.2f} | {c['f1']:.2f} | {c['n']} |"
                    for label, c in entry[kind]["per_class"].items() if c["n"]]
            out += ["", "</details>", ""]
    return "\n".join(out)
