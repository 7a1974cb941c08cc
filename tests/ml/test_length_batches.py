"""Encoder passes group texts of similar length (padding is paid in full)."""

from __future__ import annotations

from supportlens.ml.embedding import MAX_PADDING, length_batches


def test_ranges_cover_every_text_once_and_respect_the_batch_size() -> None:
    lengths = sorted([4, 5, 5, 6, 8, 9, 12, 16, 16, 17, 20, 33, 40, 64] * 5)
    ranges = length_batches(lengths, batch_size=8)
    covered = [i for start, stop in ranges for i in range(start, stop)]
    assert covered == list(range(len(lengths)))
    assert all(0 < stop - start <= 8 for start, stop in ranges)


def test_a_long_text_does_not_pad_short_ones() -> None:
    lengths = [5] * 31 + [64]  # a random API batch: one long text among short ones
    assert length_batches(lengths, batch_size=64) == [(0, 31), (31, 32)]
    for start, stop in length_batches(sorted(range(4, 70)), batch_size=64):
        assert lengths_ok(list(range(4, 70))[start:stop])


def lengths_ok(chunk: list[int]) -> bool:
    return chunk[-1] <= chunk[0] * MAX_PADDING + 1


def test_similar_lengths_stay_in_one_pass() -> None:
    assert length_batches([16] * 64, batch_size=64) == [(0, 64)]
    assert length_batches([], batch_size=64) == []
