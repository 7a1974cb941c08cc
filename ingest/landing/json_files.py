"""Reading the JSON raw files (SGD dialogues and schemas, BANKING77 categories) safely.

Everything that makes a JSON file unusable as a whole becomes one WholeFileError naming
the file: empty, not UTF-8, invalid or truncated JSON, nesting deeper than the parser's
recursion limit, or a top level that is not a list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from supportlens.ingest.landing.errors import WholeFileError

#: A `\uD800`–`\uDFFF` escape: JSON allows it alone, but then it is not valid Unicode.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
WHITESPACE = re.compile(r"[ \t\r\n]*")


def read_json_list(path: Path, source_file: str, what: str) -> tuple[list[Any], bool]:
    """The file's top-level list, and whether it has a surrogate escape (rare: only then
    do records need the `is_valid_unicode` check)."""
    data = path.read_bytes()
    if not data.strip():
        raise WholeFileError(source_file, f"empty file (expected a JSON list of {what})")
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise WholeFileError(source_file, f"not UTF-8 at byte {exc.start} (expected JSON)") from exc
    except json.JSONDecodeError as exc:
        raise WholeFileError(
            source_file,
            f"truncated or invalid JSON at line {exc.lineno} column {exc.colno} "
            f"(expected a JSON list of {what})",
        ) from exc
    except RecursionError as exc:
        raise WholeFileError(
            source_file, "JSON nested too deeply to parse (more than ~1,000 levels)"
        ) from exc
    if not isinstance(value, list):
        raise WholeFileError(
            source_file, f"expected a JSON list of {what}, got {type(value).__name__}"
        )
    return value, SURROGATE_ESCAPE.search(data) is not None


def is_valid_unicode(value: Any) -> bool:
    """False for text (anywhere inside `value`) holding a lone surrogate."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def raw_json(value: Any) -> str:
    """A record as JSON text for the quarantine, escaped if it is not valid Unicode."""
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True)
    return text


def element_lines(path: Path, indices: Sequence[int]) -> dict[int, int]:
    """{index: line (1-based) its element starts on} for the file's top-level list.

    For the quarantine of a file that `read_json_list` accepted: elements are decoded one
    by one up to the last index asked for, counting line ends (`\\n`, `\\r\\n`, lone `\\r`)
    between their starts. Indices past the end are left out.
    """
    wanted = set(indices)
    if not wanted:
        return {}
    text = path.read_bytes().decode("utf-8")
    decoder = json.JSONDecoder()
    found: dict[int, int] = {}
    line, counted = 1, 0  # line at offset `counted`
    position = _skip_space(text, text.index("[") + 1)
    for index in range(max(wanted) + 1):
        if text.startswith("]", position):  # an empty list, or past the last element
            break
        if index in wanted:
            line += _line_ends(text, counted, position)
            counted = position
            found[index] = line
        _, end = decoder.raw_decode(text, position)
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
    return found


def _line_ends(text: str, start: int, end: int) -> int:
    """Line ends in text[start:end] (an element never starts between `\\r` and `\\n`)."""
    returns = text.count("\r", start, end)
    return (
        text.count("\n", start, end) + returns - (text.count("\r\n", start, end) if returns else 0)
    )


def _skip_space(text: str, position: int) -> int:
    return WHITESPACE.match(text, position).end()  # type: ignore[union-attr]  # `*` always matches
