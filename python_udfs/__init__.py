"""SupportLens functions callable from SQL (DuckDB UDFs and macros).

`register(conn)` puts them on any DuckDB connection;
`supportlens.python_udfs.plugin.Plugin` does the same for every connection dbt-duckdb
opens; `persist_macros(conn)` stores the pure-SQL ones in a database file for the plain
`duckdb` CLI.
"""

from supportlens.python_udfs.registration import Functions, register
from supportlens.python_udfs.sql_macros import persist_macros

__all__ = ["Functions", "persist_macros", "register"]
