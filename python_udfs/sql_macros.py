"""Pure-SQL DuckDB macros: `normalize_text_sql`, usable without Python (plain `duckdb` CLI).

DuckDB only ships `nfc_normalize`, so NFKC is rebuilt from two exact identities:
NFKC(s) = NFC(NFKD(s)), and NFC only depends on the canonical-equivalence class of its
input. Mapping every character c to NFKC(c) (a MAP literal holding the ~3,700 characters
whose NFKC differs from their NFC, generated from Python's `unicodedata`) and then
applying `nfc_normalize` to the joined string therefore gives NFKC(s) exactly, up to
differences between Python's and DuckDB's Unicode versions. Pure-ASCII strings, the
common case, skip the character map entirely (`strlen` counts bytes, `length` characters).
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


@functools.cache
def normalize_text_sql_body() -> str:
    """The SQL expression of `normalize_text_sql(t)`, mirroring `text.normalize_text`."""
    entries = ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in nfkc_pairs())
    nfkc = (
        "case when strlen(t) = length(t) then t "
        "else nfc_normalize(array_to_string(list_transform(string_split(t, ''), "
        f"lambda c: coalesce(map {{{entries}}}[c], c)), '')) end"
    )
    expression = f"lower({nfkc})"
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
