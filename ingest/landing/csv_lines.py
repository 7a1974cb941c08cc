"""The physical line each CSV record starts on, for the quarantine.

A record's number counts records the way Arrow's CSV parser reads them: the header is
not counted, blank lines are skipped, and a record whose quoted value holds newlines is
one record. An editor counts lines, so after a blank line or a multi-line tweet the two
drift apart. This module finds the line (1-based, header = line 1) each record starts
on by scanning the raw bytes with the parser's own rules:

- a line ends at `\\n`, `\\r\\n` or a lone `\\r`;
- a quote opens a quoted value only at the start of a field (after `,`, a line end or
  the start of the file); inside one, `""` is a literal quote and any other quote closes
  it; a quote anywhere else is a literal character;
- outside quotes a line end ends the record, and an empty line is skipped.

Counting quotes (parity) gives the same answer as these rules as long as every quote
that parity takes for an opening one stands at a field start or right after another
quote (`""`); a block where that fails is walked quote by quote instead. The scan runs
only for files with quarantined rows, once, after the load, and stops at the last one.

The same walk tells whether a file ends inside a quoted value (`open_quote_at_end`): a
quote left open in the last column swallows the rest of the file into one value of a
record with the right field count, which no column check notices. Readers ask only when
the file's last value holds a line end, so a clean file is never scanned for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

log = logging.getLogger(__name__)

QUOTE, LF, CR, COMMA = 34, 10, 13, 44
#: Bytes a quote may follow and still open a quoted value (given it is outside one).
FIELD_START_BEFORE = np.array([COMMA, LF, CR, QUOTE], dtype=np.uint8)
#: Bytes read per step: bounded memory whatever the file size.
SCAN_BLOCK = 16 << 20
BOM = b"\xef\xbb\xbf"


@dataclass
class _State:
    """What one block of the scan hands the next."""

    inside: bool = False  # inside a quoted value
    before: int = LF  # the byte before the block (a line end at the file's start)
    lines: int = 0  # line ends seen so far
    last_end: int = -1  # file offset of the last line end's final byte
    last_record_end: int = -1  # file offset where the last record-ending line end finished
    last_record_line: int = 0  # the line that line end ended
    walk: bool = False  # walk every block's quotes (toggles are then real opens and closes)
    opened_line: int = 0  # with `walk`: the line the last quote that opens or closes stands on


@dataclass(frozen=True)
class OpenQuote:
    """A quote that opens a value and never closes: the value runs to the end of the file."""

    line: int  # the line the quote stands on (1-based, header = line 1)
    lines_after: int  # lines after that one, to the end of the file: all read into the value

    @property
    def problem(self) -> str:
        """The quarantine reason / upload refusal: one wording on both paths."""
        lines = f"{self.lines_after} line{'s' if self.lines_after != 1 else ''}"
        return (
            f"a quote opened on line {self.line} never closes: "
            f"the rest of the file ({lines}) is read as one value"
        )


def record_lines(
    path: Path, records: Iterable[int], block_size: int = SCAN_BLOCK
) -> dict[int, int]:
    """{record: line it starts on} for 1-based data records (the header is record 0).

    Records the file does not have are left out (and logged): the caller shows no line.
    """
    wanted = np.unique(np.fromiter(records, dtype=np.int64))
    found: dict[int, int] = {}
    position, first = 0, 0  # index into `wanted`; record number of the chunk's first start
    with path.open("rb") as handle:
        for starts in _record_starts(handle, block_size):
            end = first + len(starts)
            stop = int(np.searchsorted(wanted, end))
            for record in wanted[position:stop].tolist():
                found[record] = int(starts[record - first])
            position, first = stop, end
            if position == len(wanted):
                break
    missing = [int(r) for r in wanted[position:] if r > 0]
    if missing:
        log.warning("no line found for CSV records", extra={"file": str(path), "records": missing})
    return found


def open_quote_at_end(path: Path, block_size: int = SCAN_BLOCK) -> OpenQuote | None:
    """Where the quote stands that the file ends inside of, or None when it ends outside.

    Scans the whole file (callers ask only when the last value holds a line end), walking
    quote by quote: parity would take each `""` for a close and an open, and so report
    the last `""` as where the value opened.
    """
    state = _State(walk=True)
    size = 0
    with path.open("rb") as handle:
        for offset, block in _blocks(handle, block_size):
            size = offset + len(block)
            _scan(block, offset, state)
    if not state.inside:
        return None
    lines = state.lines + (size - 1 > state.last_end)  # a last line without a line end
    return OpenQuote(state.opened_line, lines - state.opened_line)


def quote_left_open(line: bytes) -> bool:
    """Whether `line` (no line end in it) ends inside a quoted value, by the parser's rules."""
    state = _State(walk=True)
    _scan(line, 0, state)
    return state.inside


def _blocks(handle: BinaryIO, block_size: int) -> Iterator[tuple[int, bytes]]:
    """(file offset, bytes) blocks that never end in a quote or `\\r`.

    Whether such a byte is `""` or `\\r\\n` depends on the next byte, so a trailing run of
    them is carried into the next block (the last block keeps its own).
    """
    offset, carry = 0, b""
    first = True
    while True:
        chunk = handle.read(block_size)
        block = carry + chunk
        if first and block.startswith(BOM):  # Arrow skips it; it ends no line
            offset, block = len(BOM), block[len(BOM) :]
        first = False
        if not chunk:
            if block:
                yield offset, block
            return
        keep = len(block.rstrip(b'"\r'))
        carry = block[keep:]
        if keep:
            yield offset, block[:keep]
            offset += keep


def _record_starts(handle: BinaryIO, block_size: int) -> Iterator[np.ndarray]:
    """Start lines of records 0 (the header), 1, 2, … in order, one array per block."""
    state = _State()
    size = 0
    for offset, block in _blocks(handle, block_size):
        if not size and offset:  # after a byte-order mark: the file starts there
            state.last_end = state.last_record_end = offset - 1
        size = offset + len(block)
        yield _scan(block, offset, state)
    if size - 1 > state.last_record_end:  # a last record with no line end after it
        yield np.array([state.last_record_line + 1], dtype=np.int64)


def _scan(block: bytes, offset: int, state: _State) -> np.ndarray:
    """Start lines of the records whose first line ends in `block`; advances `state`."""
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(data == LF)
    starts_of_end = ends
    if b"\r" in block:  # `in` on bytes is a memchr: far cheaper than a NumPy pass
        returns = np.flatnonzero(data == CR)
        follows = np.zeros(len(returns), dtype=bool)  # only the file's last byte has no next
        within = returns + 1 < len(data)
        follows[within] = data[returns[within] + 1] == LF
        ends = np.sort(np.concatenate([ends, returns[~follows]]))
        starts_of_end = ends - np.isin(ends, returns[follows] + 1)
    quotes = np.flatnonzero(data == QUOTE) if b'"' in block else np.empty(0, dtype=np.int64)
    parity = not state.walk and _parity_holds(data, quotes, state)
    toggles = quotes if parity else _walk_quotes(data, quotes, state)
    inside = ((np.searchsorted(toggles, ends) + state.inside) & 1).astype(bool)
    previous_end = np.concatenate([[state.last_end - offset], ends[:-1]])
    empty = starts_of_end == previous_end + 1  # a line end right after another: empty line
    line = state.lines + 1 + np.arange(len(ends), dtype=np.int64)  # the line each end ends
    record_end = ~inside
    ended = line[record_end]  # lines that end a record (or are empty)
    before = np.concatenate([[state.last_record_line], ended[:-1]])
    starts = (before + 1)[~empty[record_end]]  # a record starts after the previous one ended
    if state.walk and len(toggles):  # lines ended before the last toggle, plus its own
        state.opened_line = state.lines + 1 + int(np.searchsorted(ends, toggles[-1]))
    state.inside = bool((len(toggles) + state.inside) & 1)
    state.before = int(data[-1])
    state.lines += len(ends)
    if len(ends):
        state.last_end = offset + int(ends[-1])
    if len(ended):
        state.last_record_line = int(ended[-1])
        state.last_record_end = offset + int(ends[record_end][-1])
    return starts


def _parity_holds(data: np.ndarray, quotes: np.ndarray, state: _State) -> bool:
    """True when every quote that parity takes for an opening one may open a value."""
    opening = quotes[(np.arange(len(quotes)) + state.inside) % 2 == 0]
    if not len(opening):
        return True
    before = np.where(opening > 0, data[np.maximum(opening - 1, 0)], state.before)
    return bool(np.isin(before, FIELD_START_BEFORE).all())


def _walk_quotes(data: np.ndarray, quotes: np.ndarray, state: _State) -> np.ndarray:
    """The quotes that open or close a value, by the parser's rules, one at a time.

    Only blocks with a stray quote in an unquoted field come here (rare), so a Python
    loop over the block's quotes (not its bytes) is cheap enough.
    """
    toggles: list[int] = []
    inside = state.inside
    positions = quotes.tolist()
    index = 0
    while index < len(positions):
        at = positions[index]
        if inside:
            if at + 1 < len(data) and data[at + 1] == QUOTE:  # `""`: a literal quote
                index += 2
                continue
            toggles.append(at)
            inside = False
        else:
            before = int(data[at - 1]) if at else state.before
            if before in (COMMA, LF, CR):
                toggles.append(at)
                inside = True
        index += 1
    return np.array(toggles, dtype=np.int64)
