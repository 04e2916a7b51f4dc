"""The interface between the pipeline and whatever tags items by topic and sentiment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class TagResult:
    topics: Sequence[tuple[str, float]]
    """(topic id, score), best first; the first is the primary topic."""
    sentiment: tuple[str, float] | None = None


class Tagger(Protocol):
    version: str

    def tag(self, texts: Sequence[str]) -> list[TagResult]:
        """One result per text, in order."""
        ...
