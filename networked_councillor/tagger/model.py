"""The tagger the app runs: encoder + topic head + sentiment head (+ the councillor's own topics).

Embeddings are the expensive part, so everything downstream takes vectors:
`classify(vectors, texts)` re-tags stored embeddings after a retrain or a new
topic without running the encoder again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from networked_councillor.base.errors import TaggerError
from networked_councillor.tagger.encoder import Encoder
from networked_councillor.tagger.heads import LinearHead
from networked_councillor.tagger.result import TagResult
from networked_councillor.tagger.topics import SimilarityCalibration, Topic, prototype_similarity

TOPIC_FILE = "topic_head.safetensors"
SENTIMENT_FILE = "sentiment_head.safetensors"
META_FILE = "model.json"
MIN_TOPIC_SCORE = 0.15
MAX_TOPICS = 3
MEMORY_SIMILARITY = 0.95
"""A correction also applies directly to near-copies of the corrected post (same wording, a typo apart)."""


@dataclass
class Heads:
    """The trained part of the model: what `model train` writes and the app loads."""

    topic: LinearHead
    sentiment: LinearHead
    calibration: SimilarityCalibration
    encoder_name: str
    meta: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        digest = hashlib.blake2b(digest_size=4)
        for head in (self.topic, self.sentiment):
            digest.update(head.weights.tobytes())
        return f"{self.encoder_name}+heads-{digest.hexdigest()}"

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.topic.save(folder / TOPIC_FILE, {"encoder": self.encoder_name})
        self.sentiment.save(folder / SENTIMENT_FILE, {"encoder": self.encoder_name})
        meta = {**self.meta, "encoder": self.encoder_name, "version": self.version,
                "calibration": {"a": self.calibration.a, "b": self.calibration.b}}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Heads:
        meta_path = folder / META_FILE
        if not meta_path.is_file():
            raise TaggerError(f"No trained model was found in {folder}.",
                              hint="Run `networked-councillor model train` to build one.")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        calibration = SimilarityCalibration(**meta.get("calibration", {}))
        return cls(LinearHead.load(folder / TOPIC_FILE), LinearHead.load(folder / SENTIMENT_FILE), calibration,
                   meta.get("encoder", ""), meta)


@dataclass
class Memory:
    """The councillor's corrections, applied directly to near-copies of the corrected posts."""

    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    topics: list[str | None] = field(default_factory=list)
    sentiments: list[str | None] = field(default_factory=list)

    def nearest(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.topics):
            return np.full(len(vectors), -1), np.zeros(len(vectors))
        sims = vectors @ self.vectors.T
        return sims.argmax(axis=1), sims.max(axis=1)


class LocalTagger:
    def __init__(self, encoder: Encoder, heads: Heads, *, user_topics: Sequence[Topic] = (),
                 sentiment_model=None, memory: Memory | None = None) -> None:
        if heads.encoder_name != encoder.name:
            raise TaggerError(
                f"The trained model was made for the {heads.encoder_name} encoder, not {encoder.name}.",
                hint="Run `networked-councillor model train` (or Retrain now) to train it for this encoder.")
        self.encoder = encoder
        self.heads = heads
        self.sentiment_model = sentiment_model
        self.memory = memory or Memory()
        self.embedding_model = encoder.name
        self.set_user_topics(user_topics)

    @property
    def version(self) -> str:
        return self.heads.version if self.sentiment_model is None else f"{self.heads.version}+{self.sentiment_model.name}"

    @property
    def topic_ids(self) -> list[str]:
        return [*self.heads.topic.labels, *(t.id for t in self._extra_topics)]

    def set_user_topics(self, topics: Sequence[Topic]) -> None:
        """Topics the head does not know yet are scored by similarity to their description and examples."""
        known = set(self.heads.topic.labels)
        self._extra_topics = [t for t in topics if t.id not in known]
        self._prototypes = [self.encoder.embed(t.prompt_texts()) for t in self._extra_topics]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.embed(texts)

    def tag(self, texts: Sequence[str]) -> list[TagResult]:
        vectors = self.embed(texts)
        results = self.classify(vectors, texts)
        return [replace(r, embedding=v) for r, v in zip(results, vectors, strict=True)]

    def topic_scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(items, topics) scores in `topic_ids` order.

        The head knows nothing of the councillor's new topics, so when an item
        is likely to be in one, the head's share shrinks to make room for it.
        """
        head = self.heads.topic.probabilities(vectors, texts)
        if not self._prototypes:
            return head
        extra = np.hstack([self.heads.calibration.score(prototype_similarity(vectors, p))[:, None]
                           for p in self._prototypes])
        return np.hstack([head * (1.0 - extra.max(axis=1, keepdims=True)), extra])

    def classify(self, vectors: np.ndarray, texts: Sequence[str]) -> list[TagResult]:
        if len(texts) == 0:
            return []
        topic_ids = self.topic_ids
        scores = self.topic_scores(vectors, texts)
        sentiments = self._sentiments(vectors, texts)
        nearest, closeness = self.memory.nearest(vectors)
        results = []
        topic_doubt, sentiment_doubt = self.heads.topic.unsure_below, self._sentiment_doubt()
        for row, sentiment, near, close in zip(scores, sentiments, nearest, closeness, strict=True):
            order = np.argsort(-row)
            topics = [(topic_ids[i], round(float(row[i]), 4)) for i in order[:MAX_TOPICS]
                      if i == order[0] or row[i] >= MIN_TOPIC_SCORE]
            topic_unsure, sentiment_unsure = topics[0][1] < topic_doubt, sentiment[1] < sentiment_doubt
            if close >= MEMORY_SIMILARITY:
                remembered_topic = self.memory.topics[near]
                if remembered_topic:
                    topics = [(remembered_topic, round(float(close), 4))] + [t for t in topics if t[0] != remembered_topic]
                    topic_unsure = False
                if self.memory.sentiments[near]:
                    sentiment = (self.memory.sentiments[near], round(float(close), 4))
                    sentiment_unsure = False
            results.append(TagResult(topics, sentiment, topic_unsure=topic_unsure, sentiment_unsure=sentiment_unsure))
        return results

    def _sentiment_doubt(self) -> float:
        """A council's own sentiment model carries no calibration of ours: its labels are never called unsure."""
        return 0.0 if self.sentiment_model is not None else self.heads.sentiment.unsure_below

    def all_topic_scores(self, vectors: np.ndarray, texts: Sequence[str]) -> list[dict[str, float]]:
        ids = self.topic_ids
        return [{ids[i]: round(float(s), 4) for i, s in enumerate(row)} for row in self.topic_scores(vectors, texts)]

    def _sentiments(self, vectors: np.ndarray, texts: Sequence[str]) -> list[tuple[str, float]]:
        if self.sentiment_model is not None:
            return self.sentiment_model.predict(texts)
        probs = self.heads.sentiment.probabilities(vectors, texts)
        labels = self.heads.sentiment.labels
        return [(labels[int(i)], round(float(p[i]), 4)) for p, i in zip(probs, probs.argmax(axis=1), strict=True)]
