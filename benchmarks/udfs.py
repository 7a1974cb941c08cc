"""Rows per second of each SupportLens SQL function, scalar ("native") vs Arrow UDF.

    python benchmarks/udfs.py                     # 1,000,000 rows per measurement
    python benchmarks/udfs.py --rows 200000       # quicker
    python benchmarks/udfs.py --intent-rows 20000 # rows for predict_intent (a real model)

Texts are support-style messages (the labelled sentiment sample) made distinct per row.
predict_intent uses the active model of `--registry-dir` if it has one, else trains the
TF-IDF baseline on `../shared/data/banking77/train.csv` into a temporary registry, else
its rows are skipped with a note. It also times the alternative for dbt: joining a
precomputed `ml_predictions` table. Prints one markdown table.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from supportlens.config import Settings, load_settings
from supportlens.python_udfs import persist_macros, register
from supportlens.python_udfs.registration import BEST_KIND, Kind

log = logging.getLogger("benchmarks.udfs")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "udfs" / "data" / "sentiment_labelled.csv"
BANKING77 = REPO / ".." / "shared" / "data" / "banking77" / "train.csv"


@dataclass
class Row:
    function: str
    kind: str
    rows: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("nan")


def make_texts(conn: duckdb.DuckDBPyConnection, rows: int, table: str = "bench") -> None:
    with SAMPLE.open(encoding="utf-8") as handle:
        pool = [row["text"] for row in csv.DictReader(handle)]
    conn.execute("create or replace temp table pool as select unnest(?::varchar[]) as text", [pool])
    conn.execute(
        f"create or replace temp table {table} as "
        "select p.text || ' (ref ' || r.i || ')' as text "
        f"from range({rows}) r(i) join (select text, row_number() over () - 1 as k from pool) p "
        f"on p.k = r.i % {len(pool)}"
    )


def timed(conn: duckdb.DuckDBPyConnection, sql: str, repeat: int = 1) -> float:
    """Best of `repeat` runs: on a shared machine the minimum is the least disturbed."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        conn.execute(sql).fetchall()
        best = min(best, time.perf_counter() - started)
    return best


def aggregate(call: str, returns_text: bool) -> str:
    # Aggregating forces every value to be computed while printing nothing.
    return (
        f"select sum(length({call})) from bench"
        if returns_text
        else (f"select sum({call}) from bench")
    )


def text_functions(settings: Settings, rows: int, repeat: int) -> list[Row]:
    results: list[Row] = []
    cases = [
        ("normalize_text", "normalize_text(text)", True),
        ("sentiment", "sentiment(text)", False),
        ("sentiment_label", "sentiment_label(text)", True),
    ]
    for kind in ("native", "arrow"):
        conn = duckdb.connect()
        register(conn, settings, kinds=dict.fromkeys(BEST_KIND, _kind(kind)))
        make_texts(conn, rows)
        for name, call, returns_text in cases:
            seconds = timed(conn, aggregate(call, returns_text), repeat)
            results.append(Row(name, _label(kind), rows, seconds, f"best of {repeat}"))
            log.info("measured", extra={"function": name, "kind": kind, "seconds": seconds})
        conn.close()
    conn = duckdb.connect()
    persist_macros(conn)
    make_texts(conn, rows)
    seconds = timed(conn, aggregate("normalize_text_sql(text)", True), repeat)
    results.append(Row("normalize_text_sql", "SQL macro", rows, seconds, f"best of {repeat}"))
    return results


def _kind(kind: str) -> Kind:
    return "arrow" if kind == "arrow" else "scalar"


def _label(kind: str) -> str:
    return "Arrow" if kind == "arrow" else "scalar"


def prepare_registry(settings: Settings, registry_dir: Path | None) -> Settings | None:
    """Settings whose registry has an active banking77 model, or None (with a log line)."""
    from supportlens.ml.registry import NoActiveModelError, load_active

    if registry_dir is not None:
        settings = replace(settings, paths=replace(settings.paths, registry_dir=registry_dir))
    try:
        load_active(settings, "banking77")
        return settings
    except NoActiveModelError:
        pass
    if not BANKING77.is_file():
        log.warning("no active model and no banking77 data; predict_intent skipped")
        return None
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.config import TrainConfig
    from supportlens.ml.registry import ModelMeta, activate, new_version, version_dir
    from supportlens.text import normalize_texts

    with BANKING77.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    label_column = "category" if "category" in rows[0] else "label"
    texts = [row["text"] for row in rows]
    labels = [row[label_column] for row in rows]
    temporary = Path(tempfile.mkdtemp(prefix="udf-bench-registry-"))
    settings = replace(settings, paths=replace(settings.paths, registry_dir=temporary))
    log.info("training the TF-IDF baseline for the benchmark", extra={"rows": len(texts)})
    # On normalised text, as `supportlens train` learns from the warehouse: the registered
    # model applies normalize_text_v1 to what predict_intent passes (ml/preprocessing.py).
    classifier = TfidfLinearClassifier.fit(normalize_texts(texts), labels, TrainConfig())
    version = new_version("banking77", "tfidf_linear")
    directory = version_dir(settings, version)
    classifier.save(directory)
    ModelMeta(version, "banking77", "tfidf_linear", classifier.labels).write(directory)
    activate(settings, version)
    return settings


def intent_functions(settings: Settings | None, rows: int, scalar_rows: int) -> list[Row]:
    if settings is None:
        return [Row("predict_intent", "-", 0, 0.0, "skipped: no model and no banking77 data")]
    results = []
    for kind, n in (("native", scalar_rows), ("arrow", rows)):
        for function, call, note in (
            ("predict_intent", "length(predict_intent(text))", "TF-IDF baseline"),
            (
                "predict_intent + intent_confidence",
                "length(predict_intent(text)) + intent_confidence(text)",
                "one model pass, shared",
            ),
        ):
            # A fresh connection and IntentModels each time, so no answer is remembered
            # from the previous query (the registry keeps the model itself loaded).
            conn = duckdb.connect()
            register(conn, settings, kinds=dict.fromkeys(BEST_KIND, _kind(kind)))
            make_texts(conn, n)
            timed(conn, "select predict_intent('warm up the model')")
            seconds = timed(conn, f"select sum({call}) from bench")
            results.append(Row(function, _label(kind), n, seconds, note))
            conn.close()
    return results


def predictions_join(rows: int) -> Row:
    """The dbt alternative: predictions computed once into ml_predictions, then joined."""
    conn = duckdb.connect()
    make_texts(conn, rows)
    conn.execute(
        "create temp table turns as select row_number() over () as turn_id, text from bench"
    )
    conn.execute(
        "create temp table ml_predictions as select turn_id, 'v1' as model_version, "
        "'card_arrival' as label, 0.9 as confidence from turns"
    )
    seconds = timed(
        conn,
        "select sum(length(p.label)) from turns t left join ml_predictions p using (turn_id)",
    )
    return Row("join ml_predictions (precomputed)", "SQL join", rows, seconds)


def markdown(results: list[Row]) -> str:
    lines = [
        "| function | implementation | rows | seconds | rows/s | note |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in results:
        rate = f"{r.rate:,.0f}" if r.rows else "-"
        lines.append(
            f"| {r.function} | {r.kind} | {r.rows:,} | {r.seconds:.2f} | {rate} | {r.note} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--intent-rows", type=int, default=100_000)
    parser.add_argument("--intent-scalar-rows", type=int, default=5_000)
    parser.add_argument("--registry-dir", type=Path, default=None)
    parser.add_argument("--skip-intent", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    settings = load_settings()
    threads = duckdb.connect().execute("select current_setting('threads')").fetchone()[0]
    results = text_functions(settings, args.rows, args.repeat)
    intent_settings = None if args.skip_intent else prepare_registry(settings, args.registry_dir)
    if not args.skip_intent:
        results += intent_functions(intent_settings, args.intent_rows, args.intent_scalar_rows)
    results.append(predictions_join(args.rows))
    print(f"\nDuckDB {duckdb.__version__}, {threads} threads, {os.cpu_count()} CPUs\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
