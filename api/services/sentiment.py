"""Sentiment of free text for /v1/conversations/analyze.

VADER (the same lexicon the `sentiment` SQL function uses), with its customary cut-offs
of ±0.05 on the compound score. Any object with `score(texts)` can replace it in tests.
"""

from __future__ import annotations

from typing import Protocol

POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05


class SentimentScorer(Protocol):
    def score(self, texts: list[str]) -> list[tuple[str, float]]:
        """(label in negative|neutral|positive, compound score in [-1, 1]) per text."""
        ...


def label_for(compound: float) -> str:
    if compound >= POSITIVE_FROM:
        return "positive"
    if compound <= NEGATIVE_TO:
        return "negative"
    return "neutral"


class VaderSentiment:
    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def score(self, texts: list[str]) -> list[tuple[str, float]]:
        scores = [float(self._analyzer.polarity_scores(t)["compound"]) for t in texts]
        return [(label_for(s), s) for s in scores]
