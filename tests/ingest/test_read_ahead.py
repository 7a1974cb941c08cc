"""The CSV read-ahead thread: same items in order, errors re-raised, early stop honoured."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from supportlens.ingest.landing.text_batches import read_ahead


def test_items_arrive_in_order() -> None:
    assert list(read_ahead(iter(range(100)), depth=2)) == list(range(100))


def test_an_error_is_raised_after_the_items_before_it() -> None:
    def batches() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("block 3 is unreadable")

    seen: list[int] = []
    with pytest.raises(ValueError, match="block 3"):
        for item in read_ahead(batches()):
            seen.append(item)
    assert seen == [1, 2]


def test_stopping_early_stops_the_producer() -> None:
    produced: list[int] = []

    def batches() -> Iterator[int]:
        for i in range(1_000):
            produced.append(i)
            yield i

    stream = read_ahead(batches(), depth=1)
    assert next(stream) == 0
    stream.close()  # joins the producer thread
    assert len(produced) <= 4  # at most a couple of items beyond the one consumed
    assert not any(t.name == "csv-read-ahead" for t in threading.enumerate())
