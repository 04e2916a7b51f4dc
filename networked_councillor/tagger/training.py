"""Training and evaluating the heads.

The labelled data is in `models/data/` (see its README for where each file
came from and which part is held out). The councillor's corrections are
added to it with a higher weight, so a handful of them shift the model.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from networked_councillor.core import clock, paths
from networked_councillor.core.errors import TaggerError
from networked_councillor.tagger.encoder import Encoder
from networked_councillor.tagger.heads import train_head
from networked_councillor.tagger.model import Heads
from networked_councillor.tagger.topics import DEFAULT_IDS, SENTIMENTS, SimilarityCalibration, Topic, default_topics

# Chosen on a validation slice of the training split (never on the held-out split).
TOPIC_L2 = 0.01
SENTIMENT_L2 = 0.03
SENTIMENT_WORD_L2 = 1e-5
CORRECTION_WEIGHT = 8.0
MIN_EXAMPLES_FOR_A_NEW_TOPIC = 5


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    topic: str | None
    sentiment: str | None
    origin: str = "data"


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
    """A file of the councillor's (or anyone's) labelled posts: JSON Lines with text, topic and sentiment."""
    examples = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TaggerError(f"Could not read {path} ({exc.strerror}).") from exc
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(Example(row["text"], row.get("topic"), row.get("sentiment")))
        except (ValueError, KeyError, TypeError):
            raise TaggerError(f"{path} line {line_no} is not a JSON object with a text.") from None
    return examples


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
    progress: Callable[[float | None, str], None] = lambda f, m: None,
) -> Heads:
    """Train both heads (and the similarity calibration) on ``examples`` embedded by ``encoder``."""
    progress(0.05, f"reading {len(examples)} examples")
    vectors = encoder.embed([e.text for e in examples])
    weights = np.array([CORRECTION_WEIGHT if e.origin == "correction" else 1.0 for e in examples])
    progress(0.6, "training the topic head")
    topic_counts = Counter(e.topic for e in examples if e.topic)
    learnt_user_topics = [t.id for t in user_topics if topic_counts[t.id] >= MIN_EXAMPLES_FOR_A_NEW_TOPIC]
    topic_labels = [*DEFAULT_IDS, *learnt_user_topics]
    with_topic = [i for i, e in enumerate(examples) if e.topic in topic_labels]
    topic_head = train_head(vectors[with_topic], [examples[i].topic for i in with_topic], topic_labels,
                            sample_weight=weights[with_topic], l2=TOPIC_L2)
    progress(0.8, "training the sentiment head")
    with_sentiment = [i for i, e in enumerate(examples) if e.sentiment in SENTIMENTS]
    texts = [examples[i].text for i in with_sentiment]
    sentiment_head = train_head(vectors[with_sentiment], [examples[i].sentiment for i in with_sentiment], list(SENTIMENTS),
                                texts=texts, sample_weight=weights[with_sentiment], l2=SENTIMENT_L2,
                                word_l2=SENTIMENT_WORD_L2)
    progress(0.9, "calibrating topic descriptions")
    calibration = _calibrate(encoder, vectors, examples)
    origins = Counter(e.origin for e in examples)
    meta = {
        "trained_at": clock.now_iso(),
        "examples": dict(origins),
        "topics": dict(sorted(topic_counts.items())),
        "sentiments": dict(sorted(Counter(e.sentiment for e in examples if e.sentiment).items())),
        "encoder_variant": encoder.variant,
    }
    progress(1.0, "trained")
    return Heads(topic_head, sentiment_head, calibration, encoder.name, meta)


def _calibrate(encoder: Encoder, vectors: np.ndarray, examples: Sequence[Example]) -> SimilarityCalibration:
    """Fit similarity-to-description -> probability on the default topics, for topics known only by description."""
    topics = default_topics()
    descriptions = encoder.embed([t.prompt_texts()[0] for t in topics])
    rows = [i for i, e in enumerate(examples) if e.topic in DEFAULT_IDS]
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


def evaluate(tagger, examples: Sequence[Example]) -> tuple[Report, Report]:
    """Topic and sentiment reports for a tagger on labelled examples."""
    texts = [e.text for e in examples]
    results = tagger.classify(tagger.embed(texts), texts)
    pairs = [(e, r) for e, r in zip(examples, results, strict=True)]
    topics = score(*zip(*[(e.topic, r.topics[0][0]) for e, r in pairs if e.topic]), DEFAULT_IDS)
    sentiments = score(*zip(*[(e.sentiment, r.sentiment[0]) for e, r in pairs if e.sentiment]), SENTIMENTS)
    return topics, sentiments
