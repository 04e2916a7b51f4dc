"""The interface between the pipeline and whatever tags items by topic and sentiment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class TagResult:
    topics: Sequence[tuple[str, float]]
    """(topic id, score), best first; the first is the primary topic."""
    sentiment: tuple[str, float] | None = None
    embedding: Any = None
    """The item's embedding (float32 array), when the tagger made one: the store keeps it for reuse."""
    topic_unsure: bool = False
    """The model's confidence in the first topic is below its calibrated threshold: show it as unsure."""
    sentiment_unsure: bool = False


class Tagger(Protocol):
    version: str
    embedding_model: str | None
    """Names the embedding space of `TagResult.embedding`; None if the tagger makes none."""

    def tag(self, texts: Sequence[str]) -> list[TagResult]:
        """One result per text, in order."""
        ...
