"""Shared building blocks for the generators: seeded random streams, CSV writing, noise.

Every generator draws from its own `numpy.random.Generator`, derived from the run seed
and a fixed per-source key, so adding a source or changing one generator never shifts
another's output. Nothing here uses `hash()`, set iteration or wall-clock time: the same
seed and scale always give the same bytes.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np

# One fixed clock for all timestamps: generated data never depends on when it was made.
BASE_TIME = datetime(2017, 10, 1, 0, 0, 0, tzinfo=UTC)

# Stable numeric keys per stream; never derived from hash(), which is salted per process.
STREAM_KEYS: dict[str, int] = {
    "banking77": 1,
    "bitext": 2,
    "sgd": 3,
    "twcs": 4,
    "synthetic": 5,
    "corrupt": 6,
}


def rng_for(seed: int, stream: str, *extra: int) -> np.random.Generator:
    """A generator for one named stream (and optionally one chunk of it)."""
    return np.random.default_rng(np.random.SeedSequence([seed, STREAM_KEYS[stream], *extra]))


def pick(rng: np.random.Generator, options: Sequence[Any]) -> Any:
    """One element of a sequence, uniformly; avoids numpy turning strings into np.str_."""
    return options[int(rng.integers(len(options)))]


def chance(rng: np.random.Generator, probability: float) -> bool:
    return bool(rng.random() < probability)


@contextmanager
def atomic_text_writer(path: Path, newline: str = "") -> Iterator[IO[str]]:
    """Write to `path.tmp` and rename on success, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline=newline) as handle:
        yield handle
    os.replace(tmp, path)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    lineterminator: str = "\n",
) -> int:
    """Write a CSV with minimal quoting (as pandas and the public datasets do); return rows."""
    count = 0
    with atomic_text_writer(path) as handle:
        writer = csv.writer(handle, lineterminator=lineterminator)
        writer.writerow(header)
        buffer: list[Sequence[Any]] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= 10_000:
                writer.writerows(buffer)
                count += len(buffer)
                buffer.clear()
        writer.writerows(buffer)
        count += len(buffer)
    return count


_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip


def add_typo(rng: np.random.Generator, text: str) -> str:
    """One realistic typo: swapped, dropped, doubled or neighbouring-key character."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 4:
        return text
    i = positions[int(rng.integers(1, len(positions) - 1))]
    kind = int(rng.integers(4))
    if kind == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    near = _KEYBOARD_NEIGHBOURS.get(text[i].lower())
    if not near:
        return text
    return text[:i] + near[int(rng.integers(len(near)))] + text[i + 1 :]


def casual_noise(rng: np.random.Generator, text: str, typo_rate: float = 0.15) -> str:
    """The untidiness of real typed messages: typos, lower case, dropped final punctuation."""
    if chance(rng, typo_rate):
        text = add_typo(rng, text)
    if chance(rng, 0.1):
        text = text.lower()
    if chance(rng, 0.1) and text[-1:] in {".", "?", "!"}:
        text = text[:-1]
    return text
