"""Training and evaluating the heads.

The labelled data is in `models/data/` (see its README for where each file
came from and which part is held out). The councillor's corrections are
added to it with a higher weight, so a handful of them shift the model.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from networked_councillor.base import clock, paths
from networked_councillor.base.errors import TaggerError
from networked_councillor.tagger.calibration import (
    expected_calibration_error,
    fit_temperature,
    softmax,
    unsure_threshold,
)
from networked_councillor.tagger.encoder import Encoder
from networked_councillor.tagger.heads import train_head
from networked_councillor.tagger.model import Heads
from networked_councillor.tagger.topics import DEFAULT_IDS, SENTIMENTS, SimilarityCalibration, Topic, default_topics

# Chosen on the validation splits (never on a test split); see models/build.py.
TOPIC_L2 = 0.01
TOPIC_WORD_L2 = 1e-5
SENTIMENT_L2 = 0.03
SENTIMENT_WORD_L2 = 1e-5
CORRECTION_WEIGHT = 20.0
MIN_EXAMPLES_FOR_A_NEW_TOPIC = 5


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    topic: str | None
    sentiment: str | None
    origin: str = "data"
    source: str = "written"
    """Which data set it came from: 'written' (for this repository) or a public set's name."""


def data_dir() -> Path:
    return paths.models_dir() / "data"


def load_split(split: str, folder: Path | None = None) -> list[Example]:
    """'train' or 'heldout', as `models/data/splits.json` defines them."""
    folder = folder or data_dir()
    try:
        splits = json.loads((folder / "splits.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaggerError(f"The training data is missing from {folder}.") from None
    examples = []
    for entry in splits["files"]:
        for line_no, line in enumerate((folder / entry["file"]).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if _split_of(row["text"], entry) == split:
                if row["topic"] not in DEFAULT_IDS or row["sentiment"] not in SENTIMENTS:
                    raise TaggerError(f"{entry['file']} line {line_no} has an unknown label.")
                examples.append(Example(row["text"], row["topic"], row["sentiment"]))
    return examples


def load_labelled(path: Path) -> list[Example]:
    """A file of the councillor's (or anyone's) labelled posts.

    CSV with a `text` column and a `topic` and/or `sentiment` column (as a spreadsheet saves it),
    or JSON Lines with the same keys. Labels are checked, so a typo is reported, not scored as wrong.
    """
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise TaggerError(f"Could not read {path} ({exc.strerror}).") from exc
    except UnicodeDecodeError:
        raise TaggerError(f"{path} is not UTF-8 text (save it from the spreadsheet as 'CSV UTF-8').") from None
    rows = _csv_rows(path, raw) if path.suffix.lower() == ".csv" else _jsonl_rows(path, raw)
    examples = []
    for where, row in rows:
        topic = (row.get("topic") or "").strip() or None
        sentiment = (row.get("sentiment") or "").strip().lower() or None
        if topic is not None and topic not in DEFAULT_IDS:
            raise TaggerError(f"{where}: unknown topic {topic!r} (the topics are {', '.join(DEFAULT_IDS)}).")
        if sentiment is not None and sentiment not in SENTIMENTS:
            raise TaggerError(f"{where}: the sentiment must be negative, neutral or positive, not {sentiment!r}.")
        if (row.get("text") or "").strip() and (topic or sentiment):
            examples.append(Example(row["text"], topic, sentiment, source=path.name))
    if not examples:
        raise TaggerError(f"{path} has no labelled posts (a text with a topic or a sentiment).")
    return examples


def _csv_rows(path: Path, raw: str) -> list[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(raw))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    if "text" not in columns or not ({"topic", "sentiment"} & columns.keys()):
        raise TaggerError(f"{path} needs a 'text' column and a 'topic' or 'sentiment' column "
                          f"(its columns: {', '.join(reader.fieldnames or []) or 'none'}).")
    return [(f"{path.name} row {number}", {key: row.get(name) for key, name in columns.items()})
            for number, row in enumerate(reader, 2)]


def _jsonl_rows(path: Path, raw: str) -> list[tuple[str, dict]]:
    rows = []
    for line_no, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ValueError
        except ValueError:
            raise TaggerError(f"{path} line {line_no} is not a JSON object with a text.") from None
        rows.append((f"{path.name} line {line_no}", row))
    return rows


def _split_of(text: str, entry: dict) -> str:
    """A whole file is train or held out; a 'mixed' file holds out a fixed, hash-chosen share."""
    if entry["split"] != "mixed":
        return entry["split"]
    bucket = hashlib.blake2b(text.encode("utf-8"), digest_size=1).digest()[0] / 256
    return "heldout" if bucket < entry["heldout_share"] else "train"


def train(
    encoder: Encoder,
    examples: Sequence[Example],
    *,
    user_topics: Sequence[Topic] = (),
    prior: Heads | None = None,
    vectors: np.ndarray | None = None,
    progress: Callable[[float | None, str], None] = lambda f, m: None,
) -> Heads:
    """Train both heads (and the similarity calibration) on ``examples`` embedded by ``encoder``.

    With ``prior`` (the shipped heads), training starts from it and stays close to it, so a
    few corrections retrain in seconds without the public data it was built from.
    """
    progress(0.05, f"reading {len(examples)} examples")
    if vectors is None:
        vectors = encoder.embed([e.text for e in examples])
    weights = np.array([CORRECTION_WEIGHT if e.origin == "correction" else 1.0 for e in examples])
    progress(0.6, "training the topic head")
    topic_counts = Counter(e.topic for e in examples if e.topic)
    learnt_user_topics = [t.id for t in user_topics if topic_counts[t.id] >= MIN_EXAMPLES_FOR_A_NEW_TOPIC]
    topic_labels = [*DEFAULT_IDS, *learnt_user_topics]
    heads = []
    for kind, labels, l2, word_l2 in (("topic", topic_labels, TOPIC_L2, TOPIC_WORD_L2),
                                       ("sentiment", list(SENTIMENTS), SENTIMENT_L2, SENTIMENT_WORD_L2)):
        rows = [i for i, e in enumerate(examples) if getattr(e, kind) in labels]
        progress(0.6 if kind == "topic" else 0.8, f"training the {kind} head")
        heads.append(train_head(vectors[rows], [getattr(examples[i], kind) for i in rows], labels,
                                texts=[examples[i].text for i in rows], sample_weight=weights[rows], l2=l2,
                                word_l2=word_l2, prior=getattr(prior, kind) if prior else None,
                                with_lexicon=kind == "sentiment"))
    progress(0.9, "calibrating topic descriptions")
    calibration = prior.calibration if prior else _calibrate(encoder, vectors, examples)
    meta = {
        "trained_at": clock.now_iso(),
        "examples": dict(Counter(e.origin if e.origin == "correction" else e.source for e in examples)),
        "topics": dict(sorted(topic_counts.items())),
        "sentiments": dict(sorted(Counter(e.sentiment for e in examples if e.sentiment).items())),
        "encoder_variant": encoder.variant,
    }
    if prior:
        meta = {**prior.meta, "retrained_at": meta["trained_at"], "retrained_on": meta["examples"]}
    progress(1.0, "trained")
    return Heads(heads[0], heads[1], calibration, encoder.name, meta)


def calibrate(heads: Heads, vectors: np.ndarray, examples: Sequence[Example]) -> dict:
    """Fit each head's temperature and unsure threshold on a validation split; returns the ECE before and after."""
    figures = {}
    for kind in ("topic", "sentiment"):
        head = getattr(heads, kind)
        rows = [i for i, e in enumerate(examples) if getattr(e, kind) in head.labels]
        texts = [examples[i].text for i in rows]
        logits = head.logits(vectors[rows], texts)
        truth = [head.labels.index(getattr(examples[i], kind)) for i in rows]
        before = expected_calibration_error(softmax(logits), truth)
        head.temperature = fit_temperature(logits, truth)
        calibrated = softmax(logits / head.temperature)
        head.unsure_below = unsure_threshold(calibrated, truth)
        unsure = float((calibrated.max(axis=1) < head.unsure_below).mean())
        figures[kind] = {"examples": len(rows), "temperature": round(head.temperature, 4),
                         "ece_before": round(before, 4),
                         "ece_after": round(expected_calibration_error(calibrated, truth), 4),
                         "unsure_below": head.unsure_below, "unsure_share": round(unsure, 4)}
    return figures


def _calibrate(encoder: Encoder, vectors: np.ndarray, examples: Sequence[Example]) -> SimilarityCalibration:
    """Fit similarity-to-description -> probability on the default topics, for topics known only by description."""
    topics = default_topics()
    descriptions = encoder.embed([t.prompt_texts()[0] for t in topics])
    rows = [i for i, e in enumerate(examples) if e.topic in DEFAULT_IDS and e.source == "written"]
    sims = vectors[rows] @ descriptions.T
    own = np.array([[examples[i].topic == t.id for t in topics] for i in rows])
    return SimilarityCalibration.fit(sims, own)


# ---- evaluation ----------------------------------------------------------

@dataclass
class Report:
    labels: list[str]
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    support: dict[str, int]
    accuracy: float
    macro_f1: float

    def table(self, title: str) -> str:
        lines = [title, f"{'label':<28} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>5}"]
        for label in self.labels:
            lines.append(f"{label:<28} {self.precision[label]:9.2f} {self.recall[label]:7.2f} "
                         f"{self.f1[label]:6.2f} {self.support[label]:5d}")
        lines.append(f"{'accuracy':<28} {self.accuracy:25.3f} {sum(self.support.values()):5d}")
        lines.append(f"{'macro F1':<28} {self.macro_f1:25.3f}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
                "per_class": {label: {"precision": round(self.precision[label], 4), "recall": round(self.recall[label], 4),
                                      "f1": round(self.f1[label], 4), "n": self.support[label]} for label in self.labels}}


def score(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Report:
    precision, recall, f1, support = {}, {}, {}, {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted) if t == label and p != label)
        precision[label] = tp / (tp + fp) if tp + fp else 0.0
        recall[label] = tp / (tp + fn) if tp + fn else 0.0
        pr = precision[label] + recall[label]
        f1[label] = 2 * precision[label] * recall[label] / pr if pr else 0.0
        support[label] = tp + fn
    accuracy = sum(1 for t, p in zip(truth, predicted) if t == p) / max(1, len(truth))
    present = [label for label in labels if support[label]]
    return Report(list(labels), precision, recall, f1, support, accuracy,
                  sum(f1[label] for label in present) / max(1, len(present)))


def evaluate(tagger, examples: Sequence[Example]) -> tuple[Report | None, Report | None]:
    """Topic and sentiment reports for a tagger on labelled examples (None for a kind no example is labelled with)."""
    texts = [e.text for e in examples]
    results = tagger.classify(tagger.embed(texts), texts)
    reports = []
    for kind, labels in (("topic", DEFAULT_IDS), ("sentiment", SENTIMENTS)):
        pairs = [(getattr(e, kind), shown(r, kind)) for e, r in zip(examples, results, strict=True) if getattr(e, kind)]
        reports.append(score(*zip(*pairs), labels) if pairs else None)
    return reports[0], reports[1]


def shown(result, kind: str) -> str:
    """The label a result shows for ``kind``: its first topic, or its sentiment."""
    return result.topics[0][0] if kind == "topic" else result.sentiment[0]
