"""The dbt-duckdb plugin registers the functions on the connections dbt opens."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from supportlens.config import Settings
from supportlens.python_udfs.intent import IntentModels
from supportlens.python_udfs.plugin import Plugin
from supportlens.python_udfs.registration import Functions, register_functions

PROFILE = """
udf_probe:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{path}"
      threads: 2
      plugins:
        - module: supportlens.python_udfs.plugin
"""


@pytest.mark.slow
def test_a_dbt_model_builds_through_the_plugin(tmp_path: Path) -> None:
    warehouse = tmp_path / "probe.duckdb"
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text(
        "name: udf_probe\nversion: '1.0'\nprofile: udf_probe\nmodel-paths: ['models']\n"
        "models:\n  udf_probe:\n    +materialized: table\n"
    )
    (tmp_path / "profiles.yml").write_text(PROFILE.format(path=warehouse))
    (tmp_path / "models" / "probe.sql").write_text(
        "select normalize_text('Hi @bob') as x, sentiment_label('thanks, great help') as s, "
        "predict_intent(null) as i, normalize_text_sql('Call  me at 555') as y"
    )
    env = {
        **os.environ,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "SUPPORTLENS_PATHS_REGISTRY_DIR": str(tmp_path / "models_registry"),
    }
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [str(dbt), "build", "--profiles-dir", str(tmp_path), "--project-dir", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select x, s, i, y from probe").fetchone() == (
            "hi <user>",
            "positive",
            None,
            "call me at <num>",
        )
        # The plugin persisted the pure-SQL macro: plain DuckDB can call it.
        assert conn.execute("select normalize_text_sql('A  B')").fetchone() == ("a b",)


def test_plugin_rejects_unknown_config_keys() -> None:
    with pytest.raises(ValueError, match="unknown config keys \\['persist_macro'\\]"):
        Plugin(name="python_udfs", plugin_config={"persist_macro": True})


def test_plugin_accepts_the_duckdb_settings_dbt_duckdb_merges_into_its_config(settings) -> None:
    # dbt-duckdb hands every plugin the profile's `settings` merged with its own config.
    credentials = SimpleNamespace(settings={"preserve_insertion_order": False})
    Plugin(
        name="python_udfs",
        plugin_config={"preserve_insertion_order": False, "persist_macros": False},
        credentials=credentials,
    )
    with pytest.raises(ValueError, match="unknown config keys \\['threads'\\]"):
        Plugin(name="python_udfs", plugin_config={"threads": 2}, credentials=credentials)


def test_plugin_registers_on_connection_and_cursor(settings) -> None:
    plugin = Plugin(name="python_udfs", plugin_config={"persist_macros": False})
    conn = duckdb.connect()
    plugin.configure_connection(conn)
    cursor = conn.cursor()
    plugin.configure_cursor(cursor)
    assert cursor.execute("select normalize_text('X  Y'), predict_intent(null)").fetchone() == (
        "x y",
        None,
    )


class CountingIntentModels(IntentModels):
    """Counts every call DuckDB makes into the intent UDFs."""

    def __init__(self, settings: Settings, loader: Callable[..., Any]) -> None:
        super().__init__(settings, loader=loader)
        self.calls = 0

    def label_arrow(self, texts: pa.Array, label_sets: pa.Array) -> pa.Array:
        self.calls += 1
        return super().label_arrow(texts, label_sets)

    def confidence_arrow(self, texts: pa.Array, label_sets: pa.Array) -> pa.Array:
        self.calls += 1
        return super().confidence_arrow(texts, label_sets)


def test_registering_a_cursor_never_calls_into_python(settings: Settings, fake_loader) -> None:
    # dbt registers on every cursor (hundreds per build); a probe that ran a UDF would wait
    # for the GIL on each call while dbt's other thread holds it.
    models = CountingIntentModels(settings, fake_loader)
    functions = Functions.create(settings, models)
    conn = duckdb.connect()
    register_functions(conn, functions)
    for _ in range(3):
        register_functions(conn.cursor(), functions)
    assert models.calls == 0
    # ... and the functions are there on a fresh cursor
    cursor = conn.cursor()
    register_functions(cursor, functions)
    assert cursor.execute("select predict_intent('lost card')").fetchone() == ("banking77:card",)
    assert models.calls == 1
