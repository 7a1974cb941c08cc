"""`supportlens sql`: -c one-off queries on the snapshot, errors, and the REPL."""

from __future__ import annotations

import duckdb
import pytest

from supportlens.cli import main
from supportlens.config import Settings
from supportlens.python_udfs import shell
from supportlens.warehouse import publish


@pytest.fixture
def published(settings: Settings) -> Settings:
    with duckdb.connect(str(settings.paths.warehouse)) as conn:
        conn.execute(
            "create table turns as select * from (values "
            "(1, 'Thanks a lot @Support, great job!'), (2, 'My card 1234 never arrived')) "
            "v(turn_id, text)"
        )
    publish(settings)
    return settings


def test_c_prints_the_result_with_functions(published, capsys) -> None:
    code = main(
        [
            "sql",
            "-c",
            "select turn_id, normalize_text(text) as n, "
            "sentiment_label(text) as s from turns order by turn_id",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "thanks a lot <user>, great job!" in out
    assert "my card <num> never arrived" in out
    assert "positive" in out


def test_snapshot_is_read_only(published, capsys) -> None:
    assert main(["sql", "-c", "create table x as select 1"]) == 1
    assert "read-only" in capsys.readouterr().err


def test_writable_opens_the_working_warehouse(published, capsys) -> None:
    assert main(["sql", "--writable", "-c", "create table x as select 42 as answer"]) == 0
    with duckdb.connect(str(published.paths.warehouse), read_only=True) as conn:
        assert conn.execute("select answer from x").fetchone() == (42,)


def test_no_snapshot_gives_a_clear_message(settings, capsys) -> None:
    assert main(["sql", "-c", "select 1"]) == 1
    err = capsys.readouterr().err
    assert "no published warehouse yet" in err and "supportlens run" in err


def test_model_less_predict_intent_is_one_line_naming_train(published, capsys) -> None:
    assert main(["sql", "-c", "select predict_intent(text) from turns"]) == 1
    err = capsys.readouterr().err
    assert "supportlens train" in err
    assert "Traceback" not in err and "At:" not in err


def test_repl_reads_multi_line_statements_until_semicolon(published, monkeypatch, capsys):
    lines = iter(["select", "  upper('a;b') as v", ";", ".tables", ".quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    monkeypatch.setattr(shell, "HISTORY_FILE", published.paths.warehouse.with_suffix(".hist"))
    conn = shell.open_connection(published, writable=False)
    assert shell.repl(conn, "test") == 0
    out = capsys.readouterr().out
    assert "A;B" in out
    assert "turns" in out


@pytest.mark.parametrize(
    ("buffer", "complete"),
    [("select 1;", True), ("select 1", False), ("select ';'", False), ("select ';' ;\n", True)],
)
def test_statement_complete(buffer: str, complete: bool) -> None:
    assert shell.statement_complete(buffer) is complete


def test_repl_survives_errors(published, monkeypatch, capsys) -> None:
    lines = iter(["select nope;", "select 7 as seven;"])

    def fake_input(prompt: str = "") -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr(shell, "HISTORY_FILE", published.paths.warehouse.with_suffix(".hist"))
    conn = shell.open_connection(published, writable=False)
    assert shell.repl(conn, "test") == 0
    captured = capsys.readouterr()
    assert "error:" in captured.err and "nope" in captured.err
    assert "7" in captured.out
