"""Rebuild the shipped heads from real public data and the examples written here, and measure them honestly.

    pip install -e ".[test]"          # the app and its encoder
    python models/data/get_public.py  # the public data sets, at the commits models/data/SOURCES.md names
    python models/build.py --write    # train, calibrate, evaluate; writes models/*.safetensors, model.json

Every set in `models/data/public_sets.json` is either trained on (`use: train`)
or only ever scored (`use: test`). A set that is trained on is split by a hash
of each text: 80% train, 10% validation (temperatures, unsure thresholds and
the weights below are chosen on it), 10% our own test. A set's own test split
is never trained on. Figures on text written for this repository are reported
apart from the public ones.

Embeddings come from the int8 encoder the app runs (cached by text under
~/.cache/networked-councillor/build), so the heads learn what the app sees.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from networked_councillor.tagger import figures, training
from networked_councillor.tagger.encoder import load_encoder
from networked_councillor.tagger.model import LocalTagger
from networked_councillor.tagger.topics import DEFAULT_IDS, SENTIMENTS

PUBLIC = HERE / "data" / "public"
MANIFEST = HERE / "data" / "public_sets.json"
CACHE = Path(os.environ.get("NC_BUILD_CACHE", Path.home() / ".cache" / "networked-councillor" / "build"))
CATCH_ALL = re.compile(r"\W*(other|general|misc|complaint$|health hazard)", re.IGNORECASE)
SHARES = (("test", 0.1), ("validation", 0.2))  # below 0.1: our test; below 0.2: validation; else train


def share_of(text: str) -> str:
    bucket = hashlib.blake2b(text.encode("utf-8"), digest_size=2).digest()
    value = int.from_bytes(bucket, "big") / 65536
    return next((name for name, below in SHARES if value < below), "train")


def catch_all(category: str | None) -> bool:
    """A service's own "Other" or "General enquiry" says nothing of the topic (it is not our 'other')."""
    return bool(category) and CATCH_ALL.match(category) is not None


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def public_sets() -> list[dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["sets"]


def load_all(hold_out: tuple[str, ...] = ()) -> dict[str, list[training.Example]]:
    """'train', 'validation' and a test list per set ('test:<name>'), every example tagged with its source.

    Sets in a `group` share one test list (the street reports of several cities). ``hold_out``
    names sets to score only, never train on: how well it does on a city it has never seen.
    """
    parts: dict[str, list[training.Example]] = {"train": [], "validation": []}
    for example in training.load_split("train"):
        part = "validation" if share_of(example.text) != "train" else "train"
        parts[part].append(example)
    parts["test:written"] = training.load_split("heldout")
    for entry in public_sets():
        path = PUBLIC / entry["file"]
        if not path.is_file():
            print(f"missing {path}: run models/data/get_public.py", file=sys.stderr)
            continue
        kind = entry["kind"]
        for row in read_jsonl(path):
            if entry.get("skip_if") and row.get(entry["skip_if"]) or catch_all(row.get("category")):
                continue
            label = row.get(kind)
            if label not in (SENTIMENTS if kind == "sentiment" else DEFAULT_IDS):
                continue
            example = training.Example(row["text"], label if kind == "topic" else None,
                                       label if kind == "sentiment" else None, source=entry["name"])
            test = f"test:{entry.get('group', entry['name'])}"
            if entry["use"] == "test" or entry["name"] in hold_out:
                parts.setdefault(f"test:unseen:{entry['name']}" if entry["name"] in hold_out else test,
                                 []).append(example)
            elif entry["use"] == "validation":
                parts["validation"].append(example)
            else:
                part = share_of(row["text"])
                parts.setdefault(test if part == "test" else part, []).append(example)
    return parts


class CachedEncoder:
    """The app's encoder with a disk cache keyed by text, so experiments re-run in seconds."""

    def __init__(self, variant: str) -> None:
        self.inner = load_encoder(variant)
        self.name, self.variant, self.dim = self.inner.name, self.inner.variant, self.inner.dim
        self.file = CACHE / f"{self.variant}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.file.is_file():
            with np.load(self.file) as saved:
                self.vectors = dict(zip(saved["keys"].tolist(), saved["vecs"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()

    def embed(self, texts) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self.vectors))
        for start in range(0, len(missing), 4000):
            chunk = missing[start:start + 4000]
            self.vectors.update(zip(map(self.key, chunk), self.inner.embed(chunk), strict=True))
            self._save()
            print(f"  embedded {start + len(chunk)} of {len(missing)}", file=sys.stderr)
        return np.vstack([self.vectors[self.key(t)] for t in texts]) if texts else np.zeros((0, self.dim))

    def _save(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        keys = list(self.vectors)
        temporary = self.file.with_suffix(".tmp.npz")
        np.savez(temporary, keys=np.array(keys), vecs=np.vstack([self.vectors[k] for k in keys]).astype(np.float32))
        os.replace(temporary, self.file)


def evaluate_sets(tagger, parts: dict[str, list[training.Example]]) -> dict:
    """Per test set: topic and/or sentiment reports, plus how much is shown as unsure and how right the rest is."""
    figures = {}
    for name, examples in sorted(parts.items()):
        if not name.startswith("test:"):
            continue
        texts = [e.text for e in examples]
        vectors = tagger.embed(texts)
        results = tagger.classify(vectors, texts)
        entry = {"origin": "written" if name == "test:written" else "public"}
        for kind, labels in (("topic", DEFAULT_IDS), ("sentiment", SENTIMENTS)):
            pairs = [(getattr(e, kind), r) for e, r in zip(examples, results, strict=True) if getattr(e, kind)]
            if not pairs:
                continue
            guess = [training.shown(r, kind) for _, r in pairs]
            report = training.score([t for t, _ in pairs], guess, labels).as_dict()
            unsure = [getattr(r, f"{kind}_unsure") for _, r in pairs]
            sure = [(t, g) for (t, _), g, u in zip(pairs, guess, unsure, strict=True) if not u]
            report["unsure_share"] = round(sum(unsure) / len(pairs), 4)
            report["accuracy_when_sure"] = round(sum(t == g for t, g in sure) / max(1, len(sure)), 4)
            if kind == "sentiment":  # clear-cut posts: labelled negative or positive by people
                polar = [(t, g) for (t, _), g in zip(pairs, guess, strict=True) if t != "neutral"]
                report["accuracy_clear_cut"] = round(sum(t == g for t, g in polar) / max(1, len(polar)), 4)
                report["accuracy_clear_cut_either_way"] = _either_way(tagger.heads.sentiment, vectors, examples)
            entry[kind] = report
        figures[name.removeprefix("test:")] = entry
    return figures


def _either_way(head, vectors: np.ndarray, examples: list[training.Example]) -> float:
    """On posts people labelled negative or positive: how often the model leans the same way (its
    negative against its positive probability, neutral set aside), as a word list's score is read."""
    rows = [i for i, e in enumerate(examples) if e.sentiment in ("negative", "positive")]
    if not rows:
        return 0.0
    polar = [examples[i] for i in rows]
    probabilities = head.probabilities(vectors[rows], [e.text for e in polar])
    negative, positive = head.labels.index("negative"), head.labels.index("positive")
    leans = np.where(probabilities[:, positive] > probabilities[:, negative], "positive", "negative")
    return round(float(np.mean(leans == np.array([e.sentiment for e in polar]))), 4)


def update_card(meta: dict) -> None:
    """The model card's figures are generated, so they are always the shipped model's own."""
    card = HERE / "README.md"
    text = card.read_text(encoding="utf-8")
    start, end = "<!-- figures:start -->", "<!-- figures:end -->"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    generated = "\n".join(["", *(f"- {line}" for line in figures.headline(meta)), "", figures.tables(meta)])
    card.write_text(f"{before}{start}\n{generated}\n{end}{after}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the heads and model.json into models/")
    parser.add_argument("--card", action="store_true", help="only rewrite the model card's figures from model.json")
    parser.add_argument("--variant", default="int8", choices=("int8", "fp32"))
    parser.add_argument("--hold-out", nargs="*", default=(), metavar="SET",
                        help="(experiments) score these public sets only, as if from a city never seen")
    args = parser.parse_args()
    if args.card:
        update_card(json.loads((HERE / "model.json").read_text(encoding="utf-8")))
        return 0

    parts = load_all(tuple(args.hold_out))
    for name, examples in parts.items():
        print(f"{name:<32} {len(examples):>6}  {dict(Counter(e.source for e in examples))}")
    encoder = CachedEncoder(args.variant)
    train_vectors = encoder.embed([e.text for e in parts["train"]])
    heads = training.train(encoder, parts["train"], vectors=train_vectors,
                           progress=lambda f, m: print(f"  {m}", file=sys.stderr))
    validation = parts["validation"]
    calibration = training.calibrate(heads, encoder.embed([e.text for e in validation]), validation)
    print(json.dumps(calibration, indent=1))
    figures = evaluate_sets(LocalTagger(encoder, heads), parts)
    for name, entry in figures.items():
        line = [f"{name:<28}"]
        for kind in ("topic", "sentiment"):
            if kind in entry:
                e = entry[kind]
                line.append(f"{kind} acc {e['accuracy']:.3f} F1 {e['macro_f1']:.3f} "
                            f"(unsure {e['unsure_share']:.0%}, sure acc {e['accuracy_when_sure']:.3f})")
        print("  ".join(line))
    if args.write:
        heads.meta["evaluation"] = figures
        heads.meta["calibration_figures"] = calibration
        heads.meta["data_sets"] = [{k: e[k] for k in ("name", "kind", "use")} for e in public_sets()]
        heads.save(HERE)
        update_card(heads.meta)
        print(f"Wrote {HERE} ({heads.version}) and the figures in README.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
