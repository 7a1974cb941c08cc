"""`python -m supportlens.python_udfs.dbt_macro`: rewrite the body of dbt's
`normalize_text_sql` macro (macros/normalize_text_sql.sql) from the rules in
`supportlens/text.py`, after a rule change. `tests/udfs/test_text.py` fails while the file
differs from this rendering."""

from __future__ import annotations

import sys
from pathlib import Path

from supportlens.python_udfs.sql_macros import normalize_text_sql_expression

DBT_MACRO = Path(__file__).resolve().parents[1] / "macros" / "normalize_text_sql.sql"
_BODY_START = "{% macro default__normalize_text_sql(column) -%}\n"
_BODY_END = "\n{%- endmacro %}"


def write_dbt_macro(path: Path = DBT_MACRO) -> None:
    """Rewrite the body of dbt's `default__normalize_text_sql` from the rules."""
    text = path.read_text(encoding="utf-8")
    start = text.index(_BODY_START) + len(_BODY_START)
    end = text.index(_BODY_END, start)
    body = normalize_text_sql_expression("{{ column }}")
    path.write_text(text[:start] + body + text[end:], encoding="utf-8")


if __name__ == "__main__":
    write_dbt_macro()
    sys.stdout.write(f"wrote {DBT_MACRO}\n")
