"""The vectorised `created_at` parser agrees with the C library on every valid value."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa

from supportlens.ingest.loaders.twitter_time import parse_created_at


def test_matches_strftime_round_trip_for_random_moments() -> None:
    rng = random.Random(7)
    moments = []
    for _ in range(3_000):
        zone = timezone(timedelta(minutes=rng.choice([0, 60, -300, 330, -720, 840])))
        base = datetime(1999, 1, 1, tzinfo=zone) + timedelta(
            seconds=rng.randrange(40 * 365 * 86_400)
        )
        moments.append(base)
    strings = pa.array([m.strftime("%a %b %d %H:%M:%S %z %Y") for m in moments])
    parsed, valid = parse_created_at(strings)
    assert valid.all()
    assert parsed.to_pylist() == [m.astimezone(UTC) for m in moments]


def test_rejects_malformed_values_without_failing_the_batch() -> None:
    values = [
        "Tue Oct 31 22:10:47 +0000 2017",
        "Wed Feb 29 00:00:00 +0000 2017",
        "Thu Feb 29 23:59:59 +0000 2024",
        "Tue Oct 31 24:10:47 +0000 2017",
        "Tue Oxt 31 22:10:47 +0000 2017",
        "Tue Oct 31 22:10:47 0000 2017",
        "2017-10-31 22:10:47",
        "",
        None,
        "Tue Oct 31 22:10:47 +0000 2017 ",
    ]
    parsed, valid = parse_created_at(pa.array(values, pa.string()))
    assert valid.tolist() == [True, False, True, False, False, False, False, False, False, False]
    assert parsed[0].as_py() == datetime(2017, 10, 31, 22, 10, 47, tzinfo=UTC)
    assert parsed.null_count == 8


def test_sliced_arrays_read_the_right_bytes() -> None:
    values = pa.array(["x", "Sun Dec 31 23:59:59 +0000 2017", "Mon Jan 01 00:00:00 +0100 2018"])
    parsed, valid = parse_created_at(values.slice(1))
    assert valid.tolist() == [True, True]
    assert parsed[1].as_py() == datetime(2017, 12, 31, 23, 0, 0, tzinfo=UTC)
