"""Run-time values for the suites' GX parameters: catalogues, time bounds, volume bands."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from supportlens.config import Settings
from supportlens.quality.checks import VOLUME_MAX_RATIO, VOLUME_MIN_RATIO
from supportlens.quality.data import sql_literal

log = logging.getLogger(__name__)

#: Twitter launched on 2006-03-21: no tweet can be older.
EARLIEST_TWEET = pd.Timestamp("2006-03-21", tz="UTC")
#: Support conversations before 2000 would be a parsing error, not history.
EARLIEST_MESSAGE = pd.Timestamp("2000-01-01", tz="UTC")
#: Upper row-count bound used when there is no previous run (no growth limit yet).
UNBOUNDED_ROWS = 2**62


def _catalogue(conn: duckdb.DuckDBPyConnection, path: Path, column: str) -> list[str]:
    if not path.is_file():
        return []
    rows = conn.execute(
        f"select distinct {column} from read_csv({sql_literal(str(path))}, header = true, "
        f"all_varchar = true) where {column} is not null order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def catalogue_parameters(conn: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
    """Intent catalogues from the dbt seeds (the project's reference data)."""
    seeds = settings.project_root / "seeds"
    params = {
        "banking77_intents": _catalogue(conn, seeds / "banking77_intent_catalogue.csv", "intent"),
        "bitext_intents": _catalogue(conn, seeds / "bitext_intent_catalogue.csv", "intent"),
        "bitext_categories": _catalogue(conn, seeds / "bitext_intent_catalogue.csv", "category"),
    }
    for name, values in params.items():
        if not values:
            log.warning("intent catalogue missing: its set checks will fail", extra={"param": name})
    return params


def time_parameters(now: pd.Timestamp) -> dict[str, Any]:
    return {
        "earliest_tweet": EARLIEST_TWEET,
        "earliest_message": EARLIEST_MESSAGE,
        "latest_timestamp": now + pd.Timedelta(days=1),
    }


def volume_parameters(previous_rows: int | None) -> dict[str, Any]:
    """Band around the previous successful run's row count; first run: at least one row."""
    if previous_rows is None:
        return {"min_rows": 1, "max_rows": UNBOUNDED_ROWS}
    return {
        "min_rows": max(1, math.ceil(previous_rows * VOLUME_MIN_RATIO)),
        "max_rows": max(1, math.floor(previous_rows * VOLUME_MAX_RATIO)),
    }
