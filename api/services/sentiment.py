"""Sentiment of free text for /v1/conversations/analyze.

The same scorer as the `sentiment` SQL function (`supportlens.python_udfs.sentiment`: VADER, long
texts in chunks, cut-offs ±0.05), so the API and SQL users get the same labels. Any
object with `score(texts)` can replace it in tests.
"""

from __future__ import annotations

from typing import Protocol

from supportlens.python_udfs.sentiment import SentimentScorer as UdfSentimentScorer
from supportlens.python_udfs.sentiment import label_for


class SentimentScorer(Protocol):
    def score(self, texts: list[str]) -> list[tuple[str, float]]:
        """(label in negative|neutral|positive, compound score in [-1, 1]) per text."""
        ...


class VaderSentiment:
    def __init__(self) -> None:
        self._scorer = UdfSentimentScorer()

    def score(self, texts: list[str]) -> list[tuple[str, float]]:
        scores = [self._scorer.score(text) or 0.0 for text in texts]
        return [(label_for(s), s) for s in scores]


__all__ = ["SentimentScorer", "VaderSentiment", "label_for"]
