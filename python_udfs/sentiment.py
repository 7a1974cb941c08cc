"""`sentiment(text)` and `sentiment_label(text)` with VADER.

Why VADER: it is a lexicon and rule model built for short social-media text, so it reads
what support messages are made of (emoji, "!!!", CAPITALS, "not good", "but" clauses)
without a model download (~10,000 short messages a second per core on this machine), and it is
deterministic. Its blind spots, measured on `tests/udfs/data/sentiment_labelled.csv`:
problem statements without emotional words ("my card was charged twice") read as neutral,
and it only knows English (other languages score 0 = neutral).

VADER's cost grows with the square of the text length (it looks words up with
`list.index`): 100 kB took 86 s. Texts longer than `CHUNK_CHARS` are therefore scored in
chunks cut at blanks and the compound scores averaged, weighted by chunk length.

The label uses VADER's published cut-offs on the compound score: >= 0.05 positive,
<= -0.05 negative, neutral between.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

CHUNK_CHARS = 1_000
#: Scores remembered: `sentiment(text)` and `sentiment_label(text)` usually run side by
#: side on the same DuckDB vector (2,048 rows), so the second finds every score here and
#: VADER runs once per text instead of twice.
REMEMBERED_SCORES = 8_192
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """Pieces of at most about `size` characters, cut at the last blank before the limit."""
    pieces = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            blank = text.rfind(" ", start + size // 2, end)
            end = blank + 1 if blank != -1 else end
        pieces.append(text[start:end])
        start = end
    return pieces


def label_for(score: float) -> str:
    if score >= POSITIVE_FROM:
        return "positive"
    if score <= NEGATIVE_TO:
        return "negative"
    return "neutral"


class SentimentScorer:
    """One VADER analyser (its lexicon loads once) behind scalar and Arrow entry points."""

    def __init__(self) -> None:
        self._analyzer = SentimentIntensityAnalyzer()
        # Thread-safe (DuckDB may call a UDF from several threads); `_vader` is looked up
        # per call, not bound here.
        self._remembered = lru_cache(maxsize=REMEMBERED_SCORES)(lambda text: self._vader(text))

    def score(self, text: str | None) -> float | None:
        return None if text is None else self._remembered(text)

    def _vader(self, text: str) -> float:
        if len(text) <= CHUNK_CHARS:
            return float(self._analyzer.polarity_scores(text)["compound"])
        pieces = chunks(text)
        total = sum(len(p) * self._analyzer.polarity_scores(p)["compound"] for p in pieces)
        return float(total / len(text))

    def label(self, text: str | None) -> str | None:
        value = self.score(text)
        return None if value is None else label_for(value)

    def _scores(self, texts: pa.Array | pa.ChunkedArray) -> list[float | None]:
        # VADER's per-text cost dominates (scalar and Arrow UDFs measure the same), so the
        # Arrow path's gain is scoring each distinct text of a batch once: support
        # columns repeat a lot ("thanks", "ok", "hi").
        values = texts.to_pylist()
        distinct = {text: self.score(text) for text in set(values) if text is not None}
        return [None if text is None else distinct[text] for text in values]

    def score_arrow(self, texts: pa.Array | pa.ChunkedArray) -> pa.Array:
        return pa.array(self._scores(texts), type=pa.float64())

    def label_arrow(self, texts: pa.Array | pa.ChunkedArray) -> pa.Array:
        labels = [None if s is None else label_for(s) for s in self._scores(texts)]
        return pa.array(labels, type=pa.string())
