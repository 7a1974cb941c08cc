"""normalize_text (scalar and Arrow UDFs) and normalize_text_sql (persisted macro), via SQL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from python_udfs import persist_macros
from python_udfs.sql_macros import create_temp_macros
from python_udfs.text import normalize_text

CASES = [
    ("Hi @bob", "hi <user>"),
    ("Hi @Bob_99, see HTTPS://Example.com/a?b=1. Thanks", "hi <user>, see <url>. thanks"),
    ("Mail John.Doe+x@Mail.co.uk now", "mail <email> now"),
    ("Cancel {{Order Number}} please", "cancel <placeholder> please"),
    ("Paid $1,234.50 on 12/03 at 10:30", "paid $<num> on <num>/<num> at <num>"),
    ("www.shop.com/x!", "<url>!"),
    ("  lots \t of\n\n  space  ", "lots of space"),
    ("ＦＵＬＬ ｗｉｄｔｈ ﬁle…", "full width file..."),  # NFKC, not just NFC
    ("Straße Ünïcödé", "straße ünïcödé"),
    ("ΟΔΟΣ İSTANBUL", "οδοσ istanbul"),  # simple case mapping, as DuckDB's lower()
    ("привет 123 мир", "привет <num> мир"),
    ("你好，世界！１２３", "你好,世界!<num>"),
    ("Love it 😍👍🏽!!!", "love it 😍👍🏽!!!"),
    ("email@x.com and @al", "<email> and <user>"),
    ("", ""),
    ("   ", ""),
]


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, *params: object) -> object:
    return conn.execute(sql, list(params)).fetchone()[0]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize_text_through_sql(conn, raw: str, expected: str) -> None:
    assert scalar(conn, "select normalize_text(?)", raw) == expected


def test_null_stays_null(conn) -> None:
    assert scalar(conn, "select normalize_text(null)") is None
    assert scalar(conn, "select normalize_text_sql(null)") is None


def test_whole_column_with_nulls_keeps_row_order(conn) -> None:
    rows = conn.execute(
        "select i, normalize_text(t) from (values (1, 'A @b'), (2, null), (3, 'X 9')) v(i, t) "
        "order by i"
    ).fetchall()
    assert rows == [(1, "a <user>"), (2, None), (3, "x <num>")]


def test_100_kb_text(conn) -> None:
    raw = ("Order 42 for @carol at https://x.io/p ok.  " * 2500)[:100_000]
    result = scalar(conn, "select normalize_text(?)", raw)
    assert result == normalize_text(raw)
    assert result.startswith("order <num> for <user> at <url> ok. order <num>")
    assert "  " not in result and "42" not in result


def test_the_three_implementations_agree_on_many_rows(conn) -> None:
    texts = [raw for raw, _ in CASES] + [None, "@@x", "a.b@c", "http://", "1.2.3,4:5"]
    conn.execute("create temp table t as select unnest(?::varchar[]) as text", [texts])
    rows = conn.execute("select text, normalize_text(text), normalize_text_sql(text) from t")
    for raw, udf, macro in rows.fetchall():
        assert udf == normalize_text(raw), raw
        assert macro == udf, raw


def test_macro_documented_difference_cjk_squares_stay_nfc() -> None:
    conn = duckdb.connect()
    create_temp_macros(conn)
    # '㎏' is NFKC 'kg'; the macro leaves multi-character forms outside EXPANDED_IN_SQL alone.
    assert normalize_text("5 ㎏") == "<num> kg"
    assert scalar(conn, "select normalize_text_sql('5 ㎏')") == "<num> ㎏"


def test_persisted_macro_works_without_python_registration(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as writer:
        persist_macros(writer)
    with duckdb.connect(str(path), read_only=True) as plain:
        assert scalar(plain, "select normalize_text_sql('Hi  @Bob 7')") == "hi <user> <num>"
