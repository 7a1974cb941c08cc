"""Pure-SQL DuckDB macros: `normalize_text_sql`, usable without Python (plain `duckdb` CLI).

The SQL is rendered from the rules of `supportlens.text` (the one definition): the same
RE2 patterns, with characters outside printable ASCII written as RE2 `\\x{...}` escapes so
the SQL text stays readable. `macros/normalize_text_sql.sql` (dbt) holds this very
expression (`python -m supportlens.python_udfs.dbt_macro` rewrites it after a rule change);
`tests/udfs/test_text.py` checks it is identical and that the macro and `normalize_text`
give the same output on a generated corpus.
"""

from __future__ import annotations

import logging

import duckdb

from supportlens.text import TOKEN_RULES, WHITESPACE

log = logging.getLogger(__name__)

MACRO_NAMES: tuple[str, ...] = ("normalize_text_sql",)


def sql_pattern(pattern: str) -> str:
    """A Python/RE2 pattern with every non-printable or non-ASCII character as `\\x{hex}`."""
    return "".join(c if " " <= c <= "~" else f"\\x{{{ord(c):x}}}" for c in pattern)


def _literal(value: str) -> str:
    """A DuckDB string literal (standard SQL: backslashes are literal, quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def normalize_text_sql_expression(column: str) -> str:
    """The SQL of `normalize_text(column)`, laid out as `macros/normalize_text_sql.sql`."""
    steps = [(rule.pattern, rule.replacement) for rule in TOKEN_RULES]
    steps.append((WHITESPACE, " "))
    expression = f"nfc_normalize(lower(replace({column}, chr(0), '')))"
    depth = len(steps)
    for level, (pattern, replacement) in enumerate(steps):
        indent = "  " * (depth - level)
        expression = (
            f"regexp_replace(\n{indent}  {expression},\n"
            f"{indent}  {_literal(sql_pattern(pattern))}, {_literal(replacement)}, 'g')"
        )
    return f"trim(\n  {expression},\n  ' ')"


def macro_statements(temporary: bool) -> list[str]:
    scope = "temp " if temporary else ""
    body = normalize_text_sql_expression("t")
    return [f"create or replace {scope}macro normalize_text_sql(t) as {body}"]


def persist_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """Store the macros in the connected database so every later reader can call them."""
    for statement in macro_statements(temporary=False):
        conn.execute(statement)
    log.info("persisted SQL macros", extra={"macros": ",".join(MACRO_NAMES)})


def create_temp_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """Session-only copies, for read-only connections (snapshots) that lack them."""
    for statement in macro_statements(temporary=True):
        conn.execute(statement)
