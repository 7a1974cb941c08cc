"""Vectorised parsing of Twitter's `created_at` format: `Tue Oct 31 22:10:47 +0000 2017`.

Arrow's generic `strptime` takes microseconds per value (it goes through the C library
with a locale); this fixed-width format is parsed with NumPy arithmetic instead, about
a hundred times faster, and validates every character position.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WIDTH = 30
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DIGITS = (8, 9, 11, 12, 14, 15, 17, 18, 21, 22, 23, 24, 26, 27, 28, 29)
_LITERALS = {3: b" ", 7: b" ", 10: b" ", 13: b":", 16: b":", 19: b" ", 25: b" "}


def _code(chars: np.ndarray) -> np.ndarray:
    """Three ASCII bytes per row → one integer, for name lookups."""
    c = chars.astype(np.int32)
    return (c[:, 0] << 16) | (c[:, 1] << 8) | c[:, 2]


def _names(names: tuple[str, ...]) -> np.ndarray:
    return _code(np.frombuffer("".join(names).encode(), np.uint8).reshape(-1, 3))


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def _fixed_width_grid(strings: pa.StringArray, rows: np.ndarray) -> np.ndarray:
    """The bytes of the given rows (all exactly WIDTH long) as an (n, WIDTH) array."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[
        strings.offset : strings.offset + len(strings) + 1
    ]
    data = np.frombuffer(strings.buffers()[2], dtype=np.uint8)
    if len(rows) == len(strings):  # every value fits: the bytes are one contiguous block
        return data[offsets[0] : offsets[0] + WIDTH * len(rows)].reshape(-1, WIDTH)
    return data[offsets[rows][:, None] + np.arange(WIDTH)]


def parse_created_at(strings: pa.StringArray) -> tuple[pa.TimestampArray, np.ndarray]:
    """UTC timestamps (µs) and a validity mask; invalid rows get null."""
    n = len(strings)
    lengths = pc.fill_null(pc.binary_length(strings), 0).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(lengths == WIDTH)
    grid = _fixed_width_grid(strings, rows)
    # Bytes below '0' wrap around in uint8, so one comparison checks every digit.
    digits = grid[:, _DIGITS] - np.uint8(48)
    ok = (digits < 10).all(axis=1)
    literal_positions = list(_LITERALS)
    literal_bytes = np.frombuffer(b"".join(_LITERALS.values()), dtype=np.uint8)
    ok &= (grid[:, literal_positions] == literal_bytes).all(axis=1)
    ok &= (grid[:, 20] == ord("+")) | (grid[:, 20] == ord("-"))
    ok &= np.isin(_code(grid[:, 0:3]), _names(_DAYS))
    month_codes = _names(_MONTHS)
    month_code = _code(grid[:, 4:7])
    ok &= np.isin(month_code, month_codes)
    order = np.argsort(month_codes)
    month = order[np.clip(np.searchsorted(month_codes[order], month_code), 0, 11)]  # 0-based
    d = digits.astype(np.int64)
    # _DIGITS order: day(2) hour(2) minute(2) second(2) offset hh(2) mm(2) year(4)
    day, hour = d[:, 0] * 10 + d[:, 1], d[:, 2] * 10 + d[:, 3]
    minute, second = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
    offset_minutes = (d[:, 8] * 10 + d[:, 9]) * 60 + d[:, 10] * 10 + d[:, 11]
    year = d[:, 12:16] @ np.array([1000, 100, 10, 1], dtype=np.int64)
    sign = np.where(grid[:, 20] == ord("-"), -1, 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    ok &= (day >= 1) & (day <= _MONTH_DAYS[month] + (leap & (month == 1)))
    ok &= (hour < 24) & (minute < 60) & (second < 61) & (offset_minutes < 24 * 60)
    days = _days_from_civil(year, month + 1, day)
    seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - sign * offset_minutes * 60
    micros = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    micros[rows] = seconds * 1_000_000
    valid[rows] = ok
    return pa.array(micros, pa.timestamp("us", tz="UTC"), mask=~valid), valid
