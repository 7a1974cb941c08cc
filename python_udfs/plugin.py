"""dbt-duckdb plugin: every connection and cursor dbt opens gets the SupportLens functions.

profiles.yml (under the output):

    plugins:
      - module: supportlens.python_udfs.plugin
        config:                 # optional
          persist_macros: true  # store normalize_text_sql in the warehouse (default true)

dbt-duckdb builds one `Plugin` per dbt process and calls `configure_connection` on the
connection it opens and `configure_cursor` on each cursor it hands to a model; the
`Functions` (and so the intent model) are created once here and shared by both.
"""

from __future__ import annotations

import logging
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from supportlens.config import load_settings
from supportlens.python_udfs.registration import Functions, register_functions
from supportlens.python_udfs.sql_macros import persist_macros

log = logging.getLogger(__name__)


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        # dbt-duckdb merges the connection's DuckDB `settings` into every plugin's config.
        duckdb_settings = set(self.creds.settings or {}) if self.creds else set()
        unknown = set(plugin_config) - {"persist_macros"} - duckdb_settings
        if unknown:
            raise ValueError(
                "profiles.yml: plugin supportlens.python_udfs.plugin: "
                f"unknown config keys {sorted(unknown)}"
            )
        self._persist_macros = bool(plugin_config.get("persist_macros", True))
        # Paths come from the environment dbt was started with (Settings.env_for_subprocesses).
        self._functions = Functions.create(load_settings())

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if self._persist_macros and not _is_read_only(conn):
            persist_macros(conn)
        register_functions(conn, self._functions)

    def configure_cursor(self, cursor: DuckDBPyConnection) -> None:
        # UDFs are already visible to the cursor; its temporary macros are not.
        register_functions(cursor, self._functions)


def _is_read_only(conn: DuckDBPyConnection) -> bool:
    row = conn.execute(
        "select readonly from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return bool(row and row[0])
