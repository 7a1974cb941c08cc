"""`register(conn)`: put every SupportLens function on a DuckDB connection.

Two DuckDB facts shape this module:

* Python UDFs live in the database instance's system catalog, so every cursor and every
  other connection to the same file in this process sees them, and creating one twice
  fails. Registration therefore skips functions that already exist: calling `register`
  on each new cursor is cheap and safe.
* Python UDFs cannot be overloaded, but `predict_intent(text [, label_set])` needs two
  arities. The UDFs are registered as `supportlens_predict_intent(text, label_set)` and
  friends, and session-scoped (temporary) macros give the public names both arities.
  Temporary macros are per connection/cursor, which is why `register` is called per
  cursor (the dbt plugin does it in `configure_cursor`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
from duckdb.sqltypes import DOUBLE, VARCHAR

from supportlens.config import Settings, load_settings
from supportlens.python_udfs.intent import IntentModels
from supportlens.python_udfs.sentiment import SentimentScorer
from supportlens.python_udfs.sql_macros import create_temp_macros
from supportlens.python_udfs.text import normalize_text, normalize_text_arrow

log = logging.getLogger(__name__)

Kind = Literal["arrow", "scalar"]
#: Which implementation `register` uses per function unless told otherwise, from
#: `benchmarks/udfs.py` over 1 M rows on the quiet 2-core machine: normalize_text Arrow
#: 214-282 k rows/s vs scalar 45 k (RE2 kernels over the whole vector); sentiment Arrow
#: 24.5 k vs scalar 8.4 k (whole vectors go to the VADER worker processes, and repeated
#: texts of a vector are scored once); predict_intent Arrow 5.1 k vs scalar 1.6 k (one
#: model call per vector).
BEST_KIND: dict[str, Kind] = {
    "normalize_text": "arrow",
    "sentiment": "arrow",
    "sentiment_label": "arrow",
    "supportlens_predict_intent": "arrow",
    "supportlens_intent_confidence": "arrow",
}

INTENT_MACROS = (
    "create or replace temp macro predict_intent(text) as "
    "supportlens_predict_intent(text, null::varchar), "
    "(text, label_set) as supportlens_predict_intent(text, label_set)",
    "create or replace temp macro intent_confidence(text) as "
    "supportlens_intent_confidence(text, null::varchar), "
    "(text, label_set) as supportlens_intent_confidence(text, label_set)",
)


@dataclass(frozen=True)
class UdfSpec:
    name: str
    parameters: list[Any]
    returns: Any
    scalar: Callable[..., Any]
    arrow: Callable[..., Any]
    # "default": DuckDB answers NULL for a NULL argument without calling Python.
    # "special": Python sees NULLs; needed where NULL means "use the default" (label_set).
    null_handling: Literal["default", "special"] = "default"


@dataclass
class Functions:
    """What the registered UDFs close over: one of these per registering process."""

    settings: Settings
    intent_models: IntentModels
    sentiment: SentimentScorer

    @classmethod
    def create(
        cls, settings: Settings | None = None, intent_models: IntentModels | None = None
    ) -> Functions:
        settings = settings or load_settings()
        sentiment = SentimentScorer(workers=settings.udfs.sentiment_workers)
        return cls(settings, intent_models or IntentModels(settings), sentiment)

    def specs(self) -> list[UdfSpec]:
        models = self.intent_models
        return [
            UdfSpec("normalize_text", [VARCHAR], VARCHAR, normalize_text, normalize_text_arrow),
            UdfSpec(
                "sentiment", [VARCHAR], DOUBLE, self.sentiment.score, self.sentiment.score_arrow
            ),
            UdfSpec(
                "sentiment_label",
                [VARCHAR],
                VARCHAR,
                self.sentiment.label,
                self.sentiment.label_arrow,
            ),
            UdfSpec(
                "supportlens_predict_intent",
                [VARCHAR, VARCHAR],
                VARCHAR,
                models.label_scalar,
                models.label_arrow,
                null_handling="special",
            ),
            UdfSpec(
                "supportlens_intent_confidence",
                [VARCHAR, VARCHAR],
                DOUBLE,
                models.confidence_scalar,
                models.confidence_arrow,
                null_handling="special",
            ),
        ]


def _probe_call(spec: UdfSpec) -> str:
    return f"{spec.name}({', '.join('probe' for _ in spec.parameters)})"


def _has_function(conn: duckdb.DuckDBPyConnection, call: str) -> bool:
    """Whether `call` (over a varchar column `probe`) binds, without running it.

    Binding is enough to raise CatalogException, and a probe that ran would call back
    into Python (NULL-handling UDFs), each call waiting for the GIL: with another Python
    thread busy, as in dbt, that cost 470 ms per cursor instead of 18 ms. Also cheaper
    than scanning duckdb_functions() (0.2 s per scan).
    """
    try:
        conn.execute(f"select {call} from (select null::varchar as probe) as probe_row where false")
    except duckdb.CatalogException:
        return False
    return True


def register_functions(
    conn: duckdb.DuckDBPyConnection,
    functions: Functions,
    kinds: dict[str, Kind] | None = None,
) -> None:
    """Register `functions` on `conn` (idempotent per database instance and cursor)."""
    chosen = {**BEST_KIND, **(kinds or {})}
    specs = functions.specs()
    probes = {spec.name: _probe_call(spec) for spec in specs}
    # dbt opens a cursor per node (hundreds per build): one probe for the usual case that
    # every UDF already exists on this database instance, one per function otherwise.
    everything_registered = _has_function(conn, ", ".join(probes.values()))
    for spec in specs:
        if everything_registered or _has_function(conn, probes[spec.name]):
            continue  # registered earlier in this process on the same database instance
        kind = chosen[spec.name]
        conn.create_function(
            spec.name,
            spec.arrow if kind == "arrow" else spec.scalar,
            spec.parameters,
            spec.returns,
            type="arrow" if kind == "arrow" else "native",  # "native": one call per row
            null_handling=spec.null_handling,
            side_effects=False,
        )
        log.debug("registered UDF", extra={"udf": spec.name, "kind": kind})
    conn.execute(";\n".join(INTENT_MACROS))
    # The persisted macro (see sql_macros.persist_macros) wins when the database has it.
    if not _has_function(conn, "normalize_text_sql(probe)"):
        create_temp_macros(conn)


def register(
    conn: duckdb.DuckDBPyConnection,
    settings: Settings | None = None,
    *,
    intent_models: IntentModels | None = None,
    kinds: dict[str, Kind] | None = None,
) -> Functions:
    """Register every SupportLens function on `conn` and return what they close over.

    Pass the returned `Functions` (or its `intent_models`) to later `register` calls in
    the same process so the intent model is loaded once; `intent_models` also lets tests
    inject a predictor loader.
    """
    functions = Functions.create(settings, intent_models)
    register_functions(conn, functions, kinds)
    return functions
