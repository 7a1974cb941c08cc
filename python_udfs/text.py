"""The `normalize_text` SQL function: `supportlens.text.normalize_text` (the rules, one
definition) as a scalar UDF, plus a vectorised Arrow implementation of the same rules."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from supportlens.text import TOKEN_RULES, WHITESPACE, normalize_text

__all__ = ["normalize_text", "normalize_text_arrow"]


def normalize_text_arrow(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Vectorised `normalize_text` over a whole Arrow column.

    Pure-ASCII rows (most support text) go through pyarrow's RE2 kernels; the others go
    through `normalize_text` itself, because pyarrow's Unicode tables (utf8proc) are newer
    than Python's and lower-case some characters Python 3.11 does not know.
    """
    if isinstance(texts, pa.ChunkedArray):
        return pa.chunked_array(
            [normalize_text_arrow(chunk) for chunk in texts.chunks], type=pa.string()
        )
    value = pc.ascii_lower(pc.replace_substring(texts, pattern="\x00", replacement=""))
    for rule in TOKEN_RULES:
        value = pc.replace_substring_regex(
            value, pattern=rule.pattern, replacement=rule.replacement
        )
    value = pc.replace_substring_regex(value, pattern=WHITESPACE, replacement=" ")
    value = pc.utf8_trim(value, characters=" ")
    non_ascii = pc.invert(pc.string_is_ascii(texts))
    if not pc.any(non_ascii).as_py():
        return value
    positions = pc.indices_nonzero(pc.fill_null(non_ascii, False))
    originals = pc.take(texts, positions).to_pylist()
    merged = value.to_pylist()
    for position, original in zip(positions.to_pylist(), originals, strict=True):
        merged[position] = normalize_text(original)
    return pa.array(merged, type=pa.string())
