"""Customer Support on Twitter: `twcs.csv` exactly as Kaggle ships it, streamed.

2.8 M tweets (~500 MB) are parsed block by block and checked with vectorised Arrow
kernels, so memory stays bounded by one block plus the set of tweet ids seen (for
duplicate detection). Only the rare bad rows go through Python one at a time.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import PurePosixPath

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from supportlens.ingest.landing.discovery import RawFile
from supportlens.ingest.landing.sink import LoadSink
from supportlens.ingest.landing.text_batches import (
    TextBatch,
    iter_csv,
    read_csv_header,
    require_columns,
)
from supportlens.ingest.loaders.twitter_time import parse_created_at

LOADER_VERSION = "twcs/1"
COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
#: Accepted CSV header: the one documented shape (Kaggle's).
HEADER_OPTIONS = (COLUMNS,)
MAX_ID_DIGITS = 18  # always fits a bigint
TYPING_THREADS = 2
TYPING_AHEAD = 2  # batches typed ahead of the one being written
# pandas wrote the nullable reply id as a float ("3.0"); that suffix is accepted.
FLOAT_SUFFIX = ".0"

TWEETS = pa.schema(
    [
        ("tweet_id", pa.int64()),
        ("author_id", pa.string()),
        ("inbound", pa.bool_()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("text", pa.string()),
        ("response_tweet_ids", pa.list_(pa.int64())),
        ("in_response_to_tweet_id", pa.int64()),
    ]
)

# Checks in the order they are reported: a row is quarantined for the first that fails.
REASONS: tuple[tuple[str, str], ...] = (
    ("tweet_id", "tweet_id is not a positive integer"),
    ("author_id", "empty author_id"),
    ("inbound", "inbound is not True/False"),
    ("created_at", "unparseable timestamp (expected like 'Tue Oct 31 22:10:47 +0000 2017')"),
    ("text", "empty text"),
    ("response_tweet_id", "response_tweet_id is not a comma-separated list of ids"),
    ("in_response_to_tweet_id", "in_response_to_tweet_id is not an id"),
)


def classify(relative: str) -> str | None:
    return "tweets" if PurePosixPath(relative).name == "twcs.csv" else None


def _bool_np(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _is_id(strings: pa.Array) -> pa.BooleanArray:
    """ASCII digits only, 1 to 18 of them (cheaper than a regular expression).

    ASCII, not Unicode digits: full-width `１２３` or `²` count as digits for
    `utf8_is_digit` but do not cast to an integer.
    """
    short = pc.less_equal(pc.binary_length(strings), MAX_ID_DIGITS)
    return pc.and_(pc.ascii_is_decimal(strings), short)


def _reply_lists(column: pa.StringArray) -> tuple[pa.ListArray, np.ndarray]:
    """`"2,3"` → [2, 3], `""` → []; plus a per-row flag for lists with a non-id element."""
    present = pc.not_equal(column, "")
    parts = pc.split_pattern(pc.if_else(present, column, pa.scalar(None, pa.string())), ",")
    lengths = pc.fill_null(pc.list_value_length(parts), 0).to_numpy(zero_copy_only=False)
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int32)
    elements = pc.list_flatten(parts)
    element_ok = _is_id(elements)
    bad_rows = np.zeros(len(column), dtype=bool)
    bad_elements = np.flatnonzero(~_bool_np(element_ok))
    if len(bad_elements):
        parents = pc.list_parent_indices(parts).to_numpy(zero_copy_only=False)
        bad_rows[parents[bad_elements]] = True
    values = pc.cast(pc.if_else(element_ok, elements, "0"), pa.int64())
    return pa.ListArray.from_arrays(pa.array(offsets), values), bad_rows


def _typed(batch: TextBatch) -> tuple[dict[str, pa.Array], np.ndarray]:
    """Typed columns and, per row, the index of the first failed check (-1 = good)."""
    col = batch.columns
    id_ok = _is_id(col["tweet_id"])
    created, created_ok = parse_created_at(col["created_at"])
    replies, replies_bad = _reply_lists(col["response_tweet_id"])
    reply_to = col["in_response_to_tweet_id"]
    reply_to_present = pc.not_equal(reply_to, "")
    float_form = pc.ends_with(reply_to, FLOAT_SUFFIX)
    reply_to_clean = pc.if_else(
        float_form, pc.utf8_slice_codeunits(reply_to, 0, -len(FLOAT_SUFFIX)), reply_to
    )
    reply_to_ok = _is_id(reply_to_clean)
    failures = [
        ~_bool_np(id_ok),
        ~_bool_np(pc.not_equal(col["author_id"], "")),
        ~_bool_np(pc.or_(pc.equal(col["inbound"], "True"), pc.equal(col["inbound"], "False"))),
        ~created_ok,
        _bool_np(pc.or_(pc.equal(col["text"], ""), pc.utf8_is_space(col["text"]))),
        replies_bad,
        _bool_np(reply_to_present) & ~_bool_np(reply_to_ok),
    ]
    first_failure = np.full(batch.num_rows, -1, dtype=np.int8)
    for index, failed in reversed(list(enumerate(failures))):
        first_failure[failed] = index
    typed = {
        "tweet_id": pc.cast(pc.if_else(id_ok, col["tweet_id"], "0"), pa.int64()),
        "author_id": col["author_id"],
        "inbound": pc.equal(col["inbound"], "True"),
        "created_at": created,
        "text": col["text"],
        "response_tweet_ids": replies,
        "in_response_to_tweet_id": pc.cast(
            pc.if_else(
                pc.and_(reply_to_present, reply_to_ok), reply_to_clean, pa.scalar(None, pa.string())
            ),
            pa.int64(),
        ),
    }
    return typed, first_failure


class SeenTweetIds:
    """Tweet ids accepted so far, for exact duplicate detection in NumPy.

    A Python set of 2.8 M ints costs ~0.4 s of GIL-holding work per file. Here a flag
    array indexed by the id's low bits is a prefilter (an unset flag proves "new"), and
    only flagged ids, a few percent, are checked exactly against the sorted ids of each
    earlier batch. Memory: 2**prefilter_bits bytes of flags (64 MiB) plus 8 bytes per id.
    """

    def __init__(self, prefilter_bits: int = 26) -> None:
        self._mask = (1 << prefilter_bits) - 1
        self._flags = np.zeros(1 << prefilter_bits, dtype=bool)
        self._batches: list[np.ndarray] = []

    def mark(self, ids: np.ndarray, good: np.ndarray) -> np.ndarray:
        """Duplicate flags for `ids` (only `good` rows count), remembering the new ids."""
        duplicate = np.zeros(len(ids), dtype=bool)
        rows = np.flatnonzero(good)
        candidates = ids[rows]
        # Within the batch: every occurrence after the first (stable sort keeps file order).
        order = np.argsort(candidates, kind="stable")
        in_order = candidates[order]
        repeated = np.zeros(len(rows), dtype=bool)
        repeated[order[1:]] = in_order[1:] == in_order[:-1]
        # Across batches: exact look-ups for the ids the prefilter has seen before.
        slots = candidates & self._mask
        suspects = np.flatnonzero(self._flags[slots] & ~repeated)
        for earlier in self._batches:
            if not suspects.size:
                break
            wanted = candidates[suspects]
            position = np.minimum(np.searchsorted(earlier, wanted), len(earlier) - 1)
            repeated[suspects[earlier[position] == wanted]] = True
        duplicate[rows[repeated]] = True
        fresh = candidates[~repeated]
        self._flags[fresh & self._mask] = True
        if fresh.size:
            self._batches.append(np.sort(fresh))
        return duplicate


def load(raw: RawFile, sink: LoadSink) -> None:
    header = read_csv_header(raw.path, raw.source_file)
    require_columns(header, COLUMNS, raw.source_file)
    table = sink.table("tweets", TWEETS, dictionary=["author_id"])
    seen = SeenTweetIds()

    def accept(batch: TextBatch, typing: Future[tuple[dict[str, pa.Array], np.ndarray]]) -> None:
        typed, first_failure = typing.result()
        ids = typed["tweet_id"].to_numpy(zero_copy_only=False)
        duplicate = seen.mark(ids, first_failure < 0)
        for index in np.flatnonzero((first_failure >= 0) | duplicate):
            if duplicate[index]:
                field, reason = "tweet_id", f"duplicate tweet_id {ids[index]}"
            else:
                field, reason = REASONS[first_failure[index]]
            sink.quarantine.add(int(batch.records[index]), field, reason, batch.raw(int(index)))
        good = (first_failure < 0) & ~duplicate
        accepted = pa.table({name: typed[name] for name in TWEETS.names})
        if not good.all():  # filtering copies every text: skip it for clean batches
            accepted = accepted.filter(pa.array(good))
        table.write(accepted, pa.array(batch.records[good]))
        sink.count_accepted(accepted.num_rows)

    # Typing is vectorised Arrow/NumPy work that releases the GIL: two batches are typed
    # at once while this thread de-duplicates and writes, in file order. At most
    # TYPING_AHEAD batches are in flight, so memory stays bounded.
    in_flight: deque[tuple[TextBatch, Future[tuple[dict[str, pa.Array], np.ndarray]]]] = deque()
    with ThreadPoolExecutor(max_workers=TYPING_THREADS, thread_name_prefix="twcs-typing") as pool:
        for batch in iter_csv(raw.path, raw.source_file, header, COLUMNS, sink):
            in_flight.append((batch, pool.submit(_typed, batch)))
            if len(in_flight) > TYPING_AHEAD:
                accept(*in_flight.popleft())
        while in_flight:
            accept(*in_flight.popleft())
