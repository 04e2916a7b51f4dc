"""Topics: the 19 defaults and the councillor's own.

A default topic is learnt by the topic head from labelled examples. A topic
the councillor adds (a name, a description, a few examples) works at once by
similarity: items are compared with the embeddings of its description and
examples, and the similarity is turned into a score on the head's scale by a
calibration fitted on the default topics (how similar an item is to its own
topic's description, against other topics'). After the councillor has
confirmed enough items, retraining folds the topic into the head.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from networked_councillor.base import paths
from networked_councillor.base.errors import ConfigError

DEFAULT_IDS = (
    "roads_pavements", "street_lighting", "bins_recycling", "litter_flytipping", "graffiti_vandalism", "parking",
    "traffic_transport", "noise", "antisocial_behaviour_crime", "trees_parks_green_spaces", "flooding_drainage",
    "planning_development", "housing", "schools_children", "health_social_care", "council_tax_finance",
    "community_events", "environment_climate", "other",
)
SENTIMENTS = ("negative", "neutral", "positive")
_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass
class Topic:
    id: str
    name: str
    description: str
    examples: list[str] = field(default_factory=list)
    builtin: bool = False

    def prompt_texts(self) -> list[str]:
        """What the topic's similarity is measured against."""
        return [f"{self.name}: {self.description}", *self.examples]


def default_topics(path: Path | None = None) -> list[Topic]:
    data = json.loads((path or paths.models_dir() / "topics.json").read_text(encoding="utf-8"))
    topics = [Topic(t["id"], t["name"], t["description"], builtin=True) for t in data["topics"]]
    if tuple(t.id for t in topics) != DEFAULT_IDS:
        raise ConfigError("models/topics.json does not hold the 19 default topics in order.")
    return topics


def make_user_topic(name: str, description: str, examples: Sequence[str] = (), topic_id: str | None = None) -> Topic:
    name, description = " ".join(name.split()), " ".join(description.split())
    if not name or not description:
        raise ConfigError("A topic needs a name and a description of what belongs in it.")
    topic_id = topic_id or re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40]
    if not _ID.match(topic_id):
        raise ConfigError(f"{topic_id!r} cannot be a topic id: use lower-case letters, digits and _.")
    if topic_id in DEFAULT_IDS:
        raise ConfigError(f"{topic_id!r} is one of the default topics already.")
    return Topic(topic_id, name, description, [e.strip() for e in examples if e.strip()])


@dataclass
class SimilarityCalibration:
    """Maps cosine similarity to a topic description onto a probability: 1 / (1 + exp(-(a*s + b)))."""

    a: float = 12.0
    b: float = -5.0

    def score(self, similarity: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.a * similarity + self.b)))

    @classmethod
    def fit(cls, similarities: np.ndarray, is_own_topic: np.ndarray) -> SimilarityCalibration:
        """One-feature logistic regression, by Newton's method (a handful of steps)."""
        x = similarities.ravel().astype(np.float64)
        y = is_own_topic.ravel().astype(np.float64)
        a, b = 1.0, 0.0
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-(a * x + b)))
            w = np.maximum(p * (1 - p), 1e-9)
            grad = np.array([((p - y) * x).sum(), (p - y).sum()])
            hess = np.array([[(w * x * x).sum(), (w * x).sum()], [(w * x).sum(), w.sum()]]) + 1e-6 * np.eye(2)
            step = np.linalg.solve(hess, grad)
            a, b = a - step[0], b - step[1]
            if np.abs(step).max() < 1e-6:
                break
        return cls(float(a), float(b))


def prototype_similarity(item_vectors: np.ndarray, prompt_vectors: np.ndarray) -> np.ndarray:
    """Each item's best similarity to a topic's description or examples (normalised vectors)."""
    return (item_vectors @ prompt_vectors.T).max(axis=1)
