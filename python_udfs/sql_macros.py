"""Pure-SQL DuckDB macros: `normalize_text_sql`, usable without Python (plain `duckdb` CLI).

The token rules are the same RE2 patterns as `text.normalize_text`. The difference is
Unicode NFKC: DuckDB only ships `nfc_normalize`. The macro rebuilds NFKC from
NFKC(s) = NFC(s with every character c replaced by NFKC(c)), which is exact because NFC
only depends on the canonical-equivalence class of its input:

* every character whose NFKC is one other character (2,598 of them: full-width forms,
  mathematical letters, circled digits, non-breaking and other spaces, ...) goes through
  one `translate`;
* characters whose NFKC is several characters are expanded with `replace` only for the
  ones support text actually meets (`EXPANDED_IN_SQL`: the Latin ligatures 'ﬁ', 'ﬂ', ...,
  '…', '‼', '⁉', '½', '™', '№', '℃', ...). DuckDB's binder slows down sharply with
  deeply nested calls (60 nested `replace` took 0.17 s per query to bind, 217 took 7 s),
  so the other ~1,100 multi-character forms are NOT expanded and stay as NFC: e.g. CJK
  squared words ('㎏'), Arabic presentation forms, vertical forms, '⑩', 'ǆ'. For text
  containing those, `normalize_text_sql` differs from `normalize_text`.

`translate` is slow with a table this size (it builds its lookup per row), so rows are
routed: pure-ASCII rows (`strlen` = bytes equals `length` = characters) skip Unicode work,
non-ASCII rows without any compatibility character (one RE2 character-class test) only get
`nfc_normalize`, and only the rare rows holding such a character pay for the full mapping.
"""

from __future__ import annotations

import functools
import logging
import sys
import unicodedata

import duckdb

from python_udfs.text import TOKEN_RULES, WHITESPACE

log = logging.getLogger(__name__)

MACRO_NAMES: tuple[str, ...] = ("normalize_text_sql",)


@functools.cache
def nfkc_pairs() -> tuple[tuple[str, str], ...]:
    """(character, its NFKC form) for every character NFKC changes beyond NFC.

    Cached because it is a pure function of the interpreter's Unicode tables and scans
    all code points (about a second).
    """
    pairs = []
    for code_point in range(sys.maxunicode + 1):
        if 0xD800 <= code_point <= 0xDFFF:  # surrogates are not characters
            continue
        char = chr(code_point)
        compatible = unicodedata.normalize("NFKC", char)
        if compatible != char and compatible != unicodedata.normalize("NFC", char):
            pairs.append((char, compatible))
    return tuple(pairs)


def _literal(value: str) -> str:
    """A DuckDB string literal (standard SQL: backslashes are literal, quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


#: Multi-character NFKC forms the macro expands (see the module docstring).
EXPANDED_IN_SQL = "ﬀﬁﬂﬃﬄﬅﬆ…‥‼⁇⁈⁉½¼¾™℠№℃℉ĳĲ"


def _char_class(chars: str) -> str:
    """An RE2 character class matching exactly `chars`."""
    escaped = "".join("\\" + c if c in "\\]^-[" else c for c in chars)
    return f"[{escaped}]"


def nfkc_sql(column: str) -> str:
    """SQL expression for (approximately, see module docstring) NFKC of `column`."""
    pairs = nfkc_pairs()
    single = [(k, v) for k, v in pairs if len(v) == 1]
    multiple = [(k, v) for k, v in pairs if len(v) > 1 and k in EXPANDED_IN_SQL]
    mapped = f"translate({column}, {_literal(''.join(k for k, _ in single))}, "
    mapped += f"{_literal(''.join(v for _, v in single))})"
    for char, expansion in multiple:
        mapped = f"replace({mapped}, {_literal(char)}, {_literal(expansion)})"
    compat_class = _char_class("".join(k for k, _ in single + multiple))
    return (
        f"case when strlen({column}) = length({column}) then {column} "
        f"when regexp_matches({column}, {_literal(compat_class)}) then nfc_normalize({mapped}) "
        f"else nfc_normalize({column}) end"
    )


@functools.cache
def normalize_text_sql_body() -> str:
    """The SQL expression of `normalize_text_sql(t)`, mirroring `text.normalize_text`."""
    expression = f"lower({nfkc_sql('t')})"
    for rule in TOKEN_RULES:
        expression = (
            f"regexp_replace({expression}, {_literal(rule.pattern)}, "
            f"{_literal(rule.replacement)}, 'g')"
        )
    expression = f"regexp_replace({expression}, {_literal(WHITESPACE)}, ' ', 'g')"
    return f"trim({expression}, ' ')"


def macro_statements(temporary: bool) -> list[str]:
    scope = "temp " if temporary else ""
    return [f"create or replace {scope}macro normalize_text_sql(t) as {normalize_text_sql_body()}"]


def persist_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """Store the macros in the connected database so every later reader can call them."""
    for statement in macro_statements(temporary=False):
        conn.execute(statement)
    log.info("persisted SQL macros", extra={"macros": ",".join(MACRO_NAMES)})


def create_temp_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """Session-only copies, for read-only connections (snapshots) that lack them."""
    for statement in macro_statements(temporary=True):
        conn.execute(statement)
