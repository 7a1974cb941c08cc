"""`supportlens sql`: a DuckDB shell on the published snapshot with SupportLens functions.

Interactive by default (readline history and editing; a statement may span lines and ends
with ';'; `.quit` leaves, `.tables` lists tables, `.help` explains). `-c "SQL"` runs one
or more statements and prints the last result. The snapshot is opened read-only;
`--writable` opens the working warehouse instead (and so holds its single-writer lock:
no `supportlens build` can run meanwhile).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import duckdb

from supportlens.config import Settings
from supportlens.python_udfs.intent import sql_error_message
from supportlens.python_udfs.registration import register
from supportlens.warehouse import WarehouseNotPublishedError, reader

PROMPT = "supportlens> "
CONTINUATION = "        ...> "
HISTORY_FILE = Path("~/.supportlens_sql_history").expanduser()
MAX_ROWS = 40
HELP = """Statements end with ';' and may span lines.
  .tables    list tables and views
  .help      this text
  .quit      leave (also .exit or Ctrl-D)
Functions: normalize_text(t), normalize_text_sql(t), sentiment(t), sentiment_label(t),
           predict_intent(t [, label_set]), intent_confidence(t [, label_set])"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # dest is not "command": the top-level parser stores the subcommand name there.
    parser.add_argument(
        "-c", "--command", dest="sql", metavar="SQL", help="run SQL, print the result, exit"
    )
    parser.add_argument(
        "--writable",
        action="store_true",
        help="open the working warehouse for writing instead of the read-only snapshot",
    )


def open_connection(settings: Settings, writable: bool) -> duckdb.DuckDBPyConnection:
    if writable:
        settings.paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(str(settings.paths.warehouse))
    else:
        conn = reader(settings)
    register(conn, settings)
    return conn


def execute(conn: duckdb.DuckDBPyConnection, sql: str) -> bool:
    """Run `sql` and print its result; False (message on stderr) when DuckDB refuses it."""
    try:
        relation = conn.sql(sql)
        if relation is not None:
            relation.show(max_rows=MAX_ROWS)
    except duckdb.Error as exc:
        print(f"error: {sql_error_message(exc)}", file=sys.stderr)
        return False
    return True


def statement_complete(buffer: str) -> bool:
    """A statement is complete when its last non-blank character is ';' (outside quotes)."""
    in_quote: str | None = None
    last = ""
    for char in buffer:
        if in_quote:
            if char == in_quote:
                in_quote = None
        elif char in "'\"":
            in_quote = char
        if not char.isspace():
            last = char
    return in_quote is None and last == ";"


def _dot_command(conn: duckdb.DuckDBPyConnection, line: str) -> bool:
    """Handle a '.' command; False means quit."""
    command = line.split()[0].lower()
    if command in {".quit", ".exit", ".q"}:
        return False
    if command == ".tables":
        execute(
            conn,
            "select table_schema, table_name, table_type from information_schema.tables "
            "order by all",
        )
    elif command == ".help":
        print(HELP)
    else:
        print(f"unknown command {command}; try .help", file=sys.stderr)
    return True


def _enable_readline() -> None:
    with contextlib.suppress(ImportError, OSError):
        import readline  # importing it gives input() line editing and history

        with contextlib.suppress(FileNotFoundError):
            readline.read_history_file(HISTORY_FILE)
        readline.set_history_length(1000)


def _save_history() -> None:
    with contextlib.suppress(ImportError, OSError):
        import readline

        readline.write_history_file(HISTORY_FILE)


def repl(conn: duckdb.DuckDBPyConnection, source: str) -> int:
    _enable_readline()
    print(f"SupportLens SQL on {source}. Statements end with ';'. .help for help, .quit to leave.")
    buffer = ""
    try:
        while True:
            try:
                line = input(CONTINUATION if buffer else PROMPT)
            except EOFError:
                print()
                return 0
            except KeyboardInterrupt:
                print("^C")
                buffer = ""
                continue
            if not buffer and line.strip().startswith("."):
                if not _dot_command(conn, line.strip()):
                    return 0
                continue
            buffer += line + "\n"
            if statement_complete(buffer):
                execute(conn, buffer)
                buffer = ""
    finally:
        _save_history()


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        conn = open_connection(settings, args.writable)
    except WarehouseNotPublishedError as exc:
        print(f"supportlens sql: {exc}", file=sys.stderr)
        return 1
    except duckdb.IOException as exc:
        print(f"supportlens sql: cannot open the warehouse: {exc}", file=sys.stderr)
        return 1
    source = settings.paths.warehouse if args.writable else settings.paths.published
    try:
        if args.sql is not None:
            return 0 if execute(conn, args.sql) else 1
        return repl(conn, str(source))
    finally:
        conn.close()
