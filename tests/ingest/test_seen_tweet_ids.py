"""Exact duplicate detection of tweet ids across batches (NumPy prefilter + sorted look-ups)."""

from __future__ import annotations

import numpy as np

from supportlens.ingest.loaders.twcs import SeenTweetIds


def reference(batches: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
    """The obvious answer: a Python set, row by row in file order."""
    seen: set[int] = set()
    answers = []
    for ids, good in batches:
        duplicate = np.zeros(len(ids), dtype=bool)
        for index in np.flatnonzero(good):
            duplicate[index] = int(ids[index]) in seen
            seen.add(int(ids[index]))
        answers.append(duplicate)
    return answers


def test_matches_a_python_set_with_colliding_prefilter_slots() -> None:
    rng = np.random.default_rng(7)
    # Ids from a small range: many repeats within and across batches; 4 prefilter bits
    # make nearly every slot collide, so the exact look-ups decide.
    batches = [
        (rng.integers(1, 5_000, size=800, dtype=np.int64), rng.random(800) > 0.1) for _ in range(12)
    ]
    seen = SeenTweetIds(prefilter_bits=4)
    got = [seen.mark(ids, good) for ids, good in batches]
    for mine, expected in zip(got, reference(batches), strict=True):
        np.testing.assert_array_equal(mine, expected)


def test_first_occurrence_in_file_order_is_kept_and_bad_rows_do_not_count() -> None:
    seen = SeenTweetIds()
    ids = np.array([7, 3, 7, 9, 3], dtype=np.int64)
    good = np.array([True, True, True, False, True])
    assert seen.mark(ids, good).tolist() == [False, False, True, False, True]
    # 9 was on a bad row: not seen; 7 was accepted in the first batch.
    later = seen.mark(np.array([9, 7, 11], dtype=np.int64), np.ones(3, dtype=bool))
    assert later.tolist() == [False, True, False]
    assert seen.mark(np.array([], dtype=np.int64), np.array([], dtype=bool)).tolist() == []
