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

VADER holds the GIL, so one process scores on one core, and while it does the dbt
thread next to it stalls too. Large Arrow batches are therefore scored by a pool of
worker processes (`workers`, default one per CPU; `[udfs] sentiment_workers` in
supportlens.toml): the full-scale build's 400 k distinct customer texts took 44 s in
process. Small batches (the API, ad-hoc SQL) stay in process: a worker round trip would
cost more than scoring them.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from itertools import islice

import pyarrow as pa
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from supportlens.cpus import available_cpus

CHUNK_CHARS = 1_000
#: Scores remembered: `sentiment(text)` and `sentiment_label(text)` usually run side by
#: side on the same DuckDB vector (2,048 rows), so the second finds every score here and
#: VADER runs once per text instead of twice.
REMEMBERED_SCORES = 8_192
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05
#: Distinct unscored texts in one Arrow batch from which the worker pool scores them: a
#: round trip costs ~1 ms, VADER ~0.1 ms a text.
POOL_FROM_TEXTS = 256

log = logging.getLogger(__name__)


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


class RecentScores:
    """The last `capacity` scores by text, oldest forgotten first; safe across threads.

    Not `functools.lru_cache`: the pool path must ask which texts are already known and
    store scores computed elsewhere, which lru_cache cannot do.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._scores: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, text: str) -> float | None:
        with self._lock:
            return self._scores.get(text)

    def missing(self, texts: Iterable[str]) -> list[str]:
        with self._lock:
            return [text for text in texts if text not in self._scores]

    def put_many(self, scores: Iterable[tuple[str, float]]) -> None:
        with self._lock:
            self._scores.update(scores)
            excess = len(self._scores) - self._capacity
            if excess > 0:  # dicts keep insertion order: the first keys are the oldest
                for text in list(islice(self._scores, excess)):
                    del self._scores[text]


class SentimentScorer:
    """One VADER analyser (its lexicon loads once) behind scalar and Arrow entry points.

    `workers` > 1 scores large Arrow batches in that many worker processes (started on
    first use, and spawned rather than forked: the host process runs DuckDB and dbt
    threads); 0 means one per CPU.
    """

    def __init__(self, workers: int = 1) -> None:
        if workers < 0:
            raise ValueError(f"sentiment workers must be >= 0, got {workers}")
        self._analyzer = SentimentIntensityAnalyzer()
        self._workers = workers or available_cpus()
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._recent = RecentScores(REMEMBERED_SCORES)

    def compound(self, text: str) -> float:
        """VADER's compound score of `text`, computed here and now (no memo, no pool)."""
        if len(text) <= CHUNK_CHARS:
            return float(self._analyzer.polarity_scores(text)["compound"])
        pieces = chunks(text)
        total = sum(len(p) * self._analyzer.polarity_scores(p)["compound"] for p in pieces)
        return float(total / len(text))

    def score(self, text: str | None) -> float | None:
        if text is None:
            return None
        known = self._recent.get(text)
        if known is not None:
            return known
        value = self.compound(text)
        self._recent.put_many([(text, value)])
        return value

    def label(self, text: str | None) -> str | None:
        value = self.score(text)
        return None if value is None else label_for(value)

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _scores(self, texts: pa.Array | pa.ChunkedArray) -> list[float | None]:
        # VADER's per-text cost dominates (scalar and Arrow UDFs measure the same in
        # process), so the Arrow path's gains are scoring each distinct text of a batch
        # once (support columns repeat "thanks", "ok", "hi"), remembering the batch for
        # `sentiment_label` on the same vector, and the worker pool.
        values = texts.to_pylist()
        unique = {text for text in values if text is not None}
        unscored = self._recent.missing(unique)
        if self._workers > 1 and len(unscored) >= POOL_FROM_TEXTS:
            pooled = self._score_in_pool(unscored)
            if pooled is not None:
                self._recent.put_many(zip(unscored, pooled, strict=True))
        distinct = {text: self.score(text) for text in unique}
        return [None if text is None else distinct[text] for text in values]

    def _score_in_pool(self, texts: list[str]) -> list[float] | None:
        """Scores from the workers, or None once they cannot run (then: in process).

        Spawned workers re-import the host's main script: they fail when it cannot be
        imported (a script piped to `python -`) or has no `if __name__ == "__main__"`
        guard. Scoring must not fail for that, only get slower, so the pool is given up.
        """
        size = -(-len(texts) // self._workers)  # one piece per worker
        pieces = [texts[start : start + size] for start in range(0, len(texts), size)]
        try:
            scored = list(self._worker_pool().map(score_texts, pieces))
        except (BrokenProcessPool, OSError) as exc:
            log.warning("sentiment worker processes failed (%s); scoring in process", exc)
            self._workers = 1
            self.close()
            return None
        return [score for piece in scored for score in piece]

    def _worker_pool(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                log.info("starting %d sentiment worker processes", self._workers)
                self._pool = ProcessPoolExecutor(
                    self._workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def score_arrow(self, texts: pa.Array | pa.ChunkedArray) -> pa.Array:
        return pa.array(self._scores(texts), type=pa.float64())

    def label_arrow(self, texts: pa.Array | pa.ChunkedArray) -> pa.Array:
        labels = [None if s is None else label_for(s) for s in self._scores(texts)]
        return pa.array(labels, type=pa.string())


@cache
def _worker_scorer() -> SentimentScorer:
    """The in-process scorer of a pool worker (one per worker process)."""
    return SentimentScorer(workers=1)


def score_texts(texts: list[str]) -> list[float]:
    """Pool task: VADER compound scores of `texts`, in order."""
    scorer = _worker_scorer()
    return [scorer.compound(text) for text in texts]
