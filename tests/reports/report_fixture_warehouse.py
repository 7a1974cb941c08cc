"""A small, plausible warehouse holding every table the report pages read.

The report tests must not wait for the whole pipeline, so this module writes a DuckDB file
with the columns the Evidence source queries (`reports/sources/supportlens/*.sql`) expect:
the contract tables (fct_*, ml_*, dq_*) and the analytics marts. Data is seeded, spans
60 days and five sources, and has structure the pages can show (a weekly cycle, a failing
company, a drifting week, a failed data-quality run).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

SOURCES = ("banking77", "bitext", "sgd", "twcs", "synthetic")
COMPANIES = ("AcmeBank", "NorthAir", "TelcoOne", "ShopRight", "QuickPay")
SERVICES = ("Banks_1", "Flights_2", "Restaurants_1", "Hotels_3")
INTENTS = (
    "card_arrival",
    "lost_or_stolen_card",
    "transfer_not_received_by_recipient",
    "exchange_rate",
    "top_up_failed",
    "pending_card_payment",
    "refund_not_showing_up",
    "change_pin",
)
CATEGORIES = {
    "card_arrival": "cards",
    "lost_or_stolen_card": "cards",
    "change_pin": "cards",
    "transfer_not_received_by_recipient": "transfers",
    "exchange_rate": "transfers",
    "top_up_failed": "top_up",
    "pending_card_payment": "payments",
    "refund_not_showing_up": "payments",
}
OUTCOMES = ("resolved", "failed", "abandoned", "escalated", "unanswered")
FIRST_DAY = dt.date(2026, 9, 1)
N_DAYS = 60


def _timestamps(rng: np.random.Generator, n: int) -> pd.Series:
    days = rng.integers(0, N_DAYS, n)
    # Support traffic peaks in office hours.
    hours = rng.choice(24, n, p=_hour_weights())
    minutes = rng.integers(0, 60, n)
    base = pd.Timestamp(FIRST_DAY, tz="UTC")
    return pd.Series(
        base
        + pd.to_timedelta(days, unit="D")
        + pd.to_timedelta(hours, unit="h")
        + pd.to_timedelta(minutes, unit="m")
    )


def _hour_weights() -> np.ndarray:
    hours = np.arange(24)
    weights = 0.3 + np.exp(-((hours - 13) ** 2) / 18.0)
    return weights / weights.sum()


def _conversations(rng: np.random.Generator, n: int) -> pd.DataFrame:
    source = rng.choice(SOURCES, n, p=[0.15, 0.15, 0.2, 0.35, 0.15])
    started = _timestamps(rng, n)
    company = np.where(
        np.isin(source, ["twcs", "synthetic"]), rng.choice(COMPANIES, n), None
    ).astype(object)
    service = np.where(source == "sgd", rng.choice(SERVICES, n), None).astype(object)
    intent = rng.choice(INTENTS, n)
    turns = np.where(np.isin(source, ["banking77", "bitext"]), 1, rng.integers(2, 12, n))
    # TelcoOne answers slowly and fails more: something for the pages to show.
    slow = company == "TelcoOne"
    first_response = np.where(
        turns > 1, rng.lognormal(6.0, 1.0, n) * np.where(slow, 3.0, 1.0), np.nan
    )
    fail_p = np.where(slow, 0.3, 0.05)
    roll = rng.random(n)
    outcome = np.select(
        [roll < fail_p, roll < fail_p + 0.08, roll < fail_p + 0.13, roll < fail_p + 0.18],
        ["failed", "abandoned", "escalated", "unanswered"],
        "resolved",
    ).astype(object)
    outcome[np.isin(source, ["banking77", "bitext"])] = None
    ended = started + pd.to_timedelta(
        np.nan_to_num(first_response, nan=0.0) * np.maximum(turns - 1, 0), unit="s"
    )
    return pd.DataFrame(
        {
            "conversation_id": [f"{s}-{i}" for i, s in enumerate(source)],
            "source": source,
            "channel": np.where(
                source == "twcs", "twitter", np.where(source == "sgd", "chat", "web")
            ),
            "company": company,
            "service": service,
            "started_at": started,
            "ended_at": ended,
            "turn_count": turns.astype("int32"),
            "customer_turns": ((turns + 1) // 2).astype("int32"),
            "agent_turns": (turns // 2).astype("int32"),
            "first_response_seconds": first_response,
            "outcome": outcome,
            "gold_intent": np.where(source == "twcs", None, intent).astype(object),
        }
    )


def _turns(rng: np.random.Generator, conversations: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for conv in conversations.itertuples(index=False):
        at = conv.started_at
        for index in range(conv.turn_count):
            speaker = "customer" if index % 2 == 0 else "agent"
            delay = None
            if speaker == "agent":
                delay = float(conv.first_response_seconds) * float(rng.uniform(0.5, 1.5))
                at = at + pd.Timedelta(seconds=delay)
            rows.append(
                (
                    f"{conv.conversation_id}-{index}",
                    conv.conversation_id,
                    conv.source,
                    index,
                    speaker,
                    at,
                    conv.company,
                    delay,
                )
            )
    return pd.DataFrame(
        rows,
        columns=[
            "turn_id",
            "conversation_id",
            "source",
            "turn_index",
            "speaker",
            "sent_at",
            "company",
            "reply_delay_seconds",
        ],
    )


def _intent_distribution(conversations: pd.DataFrame) -> pd.DataFrame:
    frame = conversations.dropna(subset=["gold_intent"]).assign(
        day=lambda f: f["started_at"].dt.date, intent=lambda f: f["gold_intent"]
    )
    counts = frame.groupby(["source", "intent", "day"]).size().rename("n_utterances").reset_index()
    totals = counts.groupby(["source", "day"])["n_utterances"].transform("sum")
    counts["share"] = counts["n_utterances"] / totals
    counts["category"] = counts["intent"].map(CATEGORIES)
    return counts[["source", "intent", "category", "day", "n_utterances", "share"]]


def _models() -> pd.DataFrame:
    created = pd.Timestamp("2026-10-01", tz="UTC")
    rows = [
        ("b77-tfidf-v1", "banking77", "tfidf_linear", "", 0.861, False, created),
        (
            "b77-minilm-v2",
            "banking77",
            "transformer",
            "all-MiniLM-L6-v2",
            0.912,
            True,
            created + pd.Timedelta(days=10),
        ),
        ("btx-tfidf-v1", "bitext", "tfidf_linear", "", 0.953, True, created),
    ]
    return pd.DataFrame(
        [
            {
                "model_version": v,
                "label_set": ls,
                "model_type": mt,
                "base_model": bm,
                "path": f"data/models/{v}",
                "created_at": at,
                "is_active": active,
                "train_rows": 9000,
                "val_accuracy": acc,
                "card_json": json.dumps({"model_version": v}),
            }
            for v, ls, mt, bm, acc, active, at in rows
        ]
    )


def _model_evaluation(rng: np.random.Generator, models: pd.DataFrame) -> dict[str, pd.DataFrame]:
    metrics, per_class, confusion, calibration = [], [], [], []
    evaluated = pd.Timestamp("2026-10-20", tz="UTC")
    for model in models.itertuples(index=False):
        skill = float(model.val_accuracy)
        for split in ("validation", "test"):
            acc = skill - (0.01 if split == "test" else 0.0)
            for metric, value in (
                ("accuracy", acc),
                ("macro_f1", acc - 0.02),
                ("macro_precision", acc - 0.01),
                ("macro_recall", acc - 0.025),
                ("ece", (1 - skill) / 4),
            ):
                metrics.append(
                    (model.model_version, model.label_set, split, metric, value, evaluated)
                )
            for label in INTENTS:
                f1 = float(np.clip(acc + rng.normal(0, 0.05), 0.4, 1.0))
                per_class.append(
                    (
                        model.model_version,
                        model.label_set,
                        split,
                        label,
                        f1 + 0.01,
                        f1 - 0.01,
                        f1,
                        int(rng.integers(30, 80)),
                    )
                )
            for true_label in INTENTS:
                support = int(rng.integers(40, 80))
                correct = int(support * acc)
                confusion.append(
                    (model.model_version, model.label_set, split, true_label, true_label, correct)
                )
                others = rng.choice([i for i in INTENTS if i != true_label], 2, replace=False)
                confusion.append(
                    (
                        model.model_version,
                        model.label_set,
                        split,
                        true_label,
                        str(others[0]),
                        (support - correct) * 2 // 3,
                    )
                )
                confusion.append(
                    (
                        model.model_version,
                        model.label_set,
                        split,
                        true_label,
                        str(others[1]),
                        (support - correct) // 3,
                    )
                )
            for bin_index in range(10):
                lower = bin_index / 10
                mean_conf = lower + 0.05
                calibration.append(
                    (
                        model.model_version,
                        model.label_set,
                        split,
                        bin_index,
                        lower,
                        lower + 0.1,
                        int(20 + 30 * bin_index),
                        mean_conf,
                        float(np.clip(mean_conf - (1 - skill) * 0.5 + rng.normal(0, 0.02), 0, 1)),
                    )
                )
    return {
        "ml_model_metrics": pd.DataFrame(
            metrics,
            columns=["model_version", "label_set", "split", "metric", "value", "evaluated_at"],
        ),
        "ml_per_class_metrics": pd.DataFrame(
            per_class,
            columns=[
                "model_version",
                "label_set",
                "split",
                "label",
                "precision",
                "recall",
                "f1",
                "support",
            ],
        ),
        "ml_confusion_matrix": pd.DataFrame(
            confusion,
            columns=["model_version", "label_set", "split", "true_label", "predicted_label", "n"],
        ),
        "ml_calibration": pd.DataFrame(
            calibration,
            columns=[
                "model_version",
                "label_set",
                "split",
                "bin_index",
                "bin_lower",
                "bin_upper",
                "n",
                "mean_confidence",
                "accuracy",
            ],
        ),
    }


def _predictions(
    rng: np.random.Generator, turns: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    scored = turns[(turns["speaker"] == "customer") & turns["source"].isin(["twcs", "synthetic"])]
    n = len(scored)
    label_set = np.where(scored["source"] == "twcs", "bitext", "banking77")
    version = np.where(label_set == "bitext", "btx-tfidf-v1", "b77-minilm-v2")
    confidence = rng.beta(5, 1.6, n)
    labels = rng.choice(INTENTS, n)
    words = np.array(["card", "still", "waiting", "refund", "app", "crashes", "fee", "why"])
    texts = [" ".join(rng.choice(words, 6)) for _ in range(n)]
    predictions = pd.DataFrame(
        {
            "turn_id": scored["turn_id"].to_numpy(),
            "model_version": version,
            "label_set": label_set,
            "label": labels,
            "confidence": confidence,
            "top_labels": [[a, "exchange_rate"] for a in labels],
            "top_scores": [[c, (1 - c) / 2] for c in confidence],
            "predicted_at": pd.Timestamp("2026-10-31", tz="UTC"),
        }
    )
    inputs = pd.DataFrame(
        {
            "turn_id": scored["turn_id"].to_numpy(),
            "source": scored["source"].to_numpy(),
            "label_set": label_set,
            "text": texts,
        }
    )
    return predictions, inputs


def _outcomes(rng: np.random.Generator, conversations: pd.DataFrame) -> pd.DataFrame:
    known = conversations.dropna(subset=["outcome"]).copy()
    lex = {
        "resolved": "success",
        "failed": "failed",
        "abandoned": "dropped",
        "escalated": "failed",
        "unanswered": "dropped",
    }
    known["intent"] = known["gold_intent"].fillna(
        pd.Series(rng.choice(INTENTS, len(known)), index=known.index)
    )
    known["lex_class"] = known["outcome"].map(lex)
    switched = rng.random(len(known)) < 0.05
    known.loc[switched, "lex_class"] = "switched"
    known["is_contained"] = known["outcome"].isin(["resolved", "failed", "abandoned"])
    known["is_escalated"] = known["outcome"] == "escalated"
    known["turns_to_resolution"] = np.where(
        known["outcome"] == "resolved", known["turn_count"], None
    )
    return known[
        [
            "conversation_id",
            "source",
            "company",
            "service",
            "intent",
            "outcome",
            "lex_class",
            "is_contained",
            "is_escalated",
            "turns_to_resolution",
            "started_at",
        ]
    ]


def _failure_points(rng: np.random.Generator, outcomes: pd.DataFrame) -> pd.DataFrame:
    failed = outcomes[outcomes["outcome"].isin(["failed", "abandoned", "unanswered"])].copy()
    kind = {
        "failed": "notify_failure",
        "abandoned": "negative_ending",
        "unanswered": "last_message_unanswered",
    }
    failed["failure_type"] = failed["outcome"].map(kind)
    repeated = rng.random(len(failed)) < 0.2
    failed.loc[repeated, "failure_type"] = "repeated_request"
    steps = np.array(["REQUEST", "CONFIRM", "OFFER", "INFORM", "NOTIFY_FAILURE"])
    failed["failure_step"] = rng.choice(steps, len(failed))
    failed["turn_index"] = rng.integers(1, 10, len(failed)).astype("int32")
    return failed[
        [
            "conversation_id",
            "source",
            "service",
            "intent",
            "failure_type",
            "failure_step",
            "turn_index",
        ]
    ]


def _flows(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    paths = {
        "sgd": ["INFORM_INTENT", "REQUEST", "INFORM", "OFFER", "CONFIRM", "NOTIFY_SUCCESS"],
        "twcs": ["customer", "agent", "customer", "agent", "customer", "agent"],
        "synthetic": ["card_arrival", "agent", "change_pin", "agent", "exchange_rate", "agent"],
    }
    alternatives = ["REQUEST_ALTS", "NOTIFY_FAILURE", "GOODBYE", "THANK_YOU"]
    for source, path in paths.items():
        service = "Banks_1" if source == "sgd" else None
        reached = 1000.0
        for step_index in range(len(path) - 1):
            main = reached * float(rng.uniform(0.6, 0.85))
            side = reached * float(rng.uniform(0.05, 0.15))
            end = reached - main - side
            for to_step, n in (
                (path[step_index + 1], main),
                (str(rng.choice(alternatives)), side),
                ("(end)", end),
            ):
                rows.append(
                    (
                        source,
                        service,
                        step_index,
                        path[step_index],
                        to_step,
                        int(n),
                        n / reached,
                        end / reached,
                    )
                )
            reached = main
    return pd.DataFrame(
        rows,
        columns=[
            "source",
            "service",
            "step_index",
            "from_step",
            "to_step",
            "n_conversations",
            "share",
            "dropoff_rate",
        ],
    )


def _sentiment(rng: np.random.Generator, conversations: pd.DataFrame) -> pd.DataFrame:
    multi = conversations[conversations["turn_count"] > 1].copy()
    # Sentiment drops over the last ten days for TelcoOne: an alert should fire.
    late = multi["started_at"] >= pd.Timestamp(FIRST_DAY + dt.timedelta(days=N_DAYS - 10), tz="UTC")
    shift = np.where((multi["company"] == "TelcoOne") & late, -0.4, 0.0)
    first = np.clip(rng.normal(-0.2, 0.3, len(multi)), -1, 1)
    resolved = (multi["outcome"] == "resolved").to_numpy()
    last = np.clip(
        first + np.where(resolved, 0.4, -0.2) + shift + rng.normal(0, 0.2, len(multi)), -1, 1
    )
    multi["first_sentiment"] = first
    multi["last_sentiment"] = last
    multi["mean_sentiment"] = (first + last) / 2
    multi["sentiment_change"] = last - first
    delay_penalty = np.clip(np.nan_to_num(multi["first_response_seconds"], nan=0.0) / 3600, 0, 1)
    multi["satisfaction_proxy"] = np.clip(
        0.5 * resolved + 0.3 * (last + 1) / 2 + 0.2 * (1 - delay_penalty), 0, 1
    )
    return multi[
        [
            "conversation_id",
            "source",
            "company",
            "started_at",
            "first_sentiment",
            "last_sentiment",
            "mean_sentiment",
            "sentiment_change",
            "satisfaction_proxy",
        ]
    ]


def _discovery() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster_id": [0, 1, 2],
            "label_set": ["banking77", "banking77", "bitext"],
            "top_terms": ["crypto, wallet, withdraw", "app, crashes, login", "invoice, copy, pdf"],
            "n_utterances": [42, 27, 15],
            "example_texts": [
                ["how do I withdraw crypto to my wallet", "crypto wallet withdrawal stuck"],
                ["the app crashes when I log in", "cannot login app keeps crashing"],
                ["send me a pdf copy of my invoice", "need invoice copy"],
            ],
        }
    )


def _drift(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for label_set in ("banking77", "bitext"):
        for offset in range(N_DAYS):
            day = FIRST_DAY + dt.timedelta(days=offset)
            psi = float(abs(rng.normal(0.05, 0.02)))
            if label_set == "banking77" and offset >= N_DAYS - 7:
                psi += 0.25
            rows.append((day, label_set, psi, float(np.sqrt(psi) / 3), 0.2, psi > 0.2))
    return pd.DataFrame(
        rows, columns=["day", "label_set", "psi", "js_distance", "threshold", "is_drift"]
    )


def _data_quality() -> tuple[pd.DataFrame, pd.DataFrame]:
    suites = ("landing_twcs", "landing_sgd", "marts_fct_conversations")
    runs, results = [], []
    for day in range(10):
        started = pd.Timestamp(FIRST_DAY + dt.timedelta(days=N_DAYS - 10 + day), tz="UTC")
        for suite in suites:
            run_id = f"{suite}-{day}"
            broken = suite == "landing_twcs" and day == 9
            expectations = [
                ("expect_column_values_to_not_be_null", "text", "error", not broken, "0.00"),
                ("expect_table_row_count_to_be_between", None, "error", True, "10512"),
                ("expect_column_values_to_be_in_set", "speaker", "warning", day % 4 != 0, "0.99"),
                ("expect_column_value_lengths_to_be_between", "text", "warning", True, "0.98"),
            ]
            ok = sum(e[3] for e in expectations)
            runs.append(
                (
                    run_id,
                    suite.split("_")[0],
                    suite,
                    started,
                    all(e[3] or e[2] == "warning" for e in expectations),
                    len(expectations),
                    ok,
                    100.0 * ok / len(expectations),
                )
            )
            for expectation_type, column, severity, success, observed in expectations:
                results.append(
                    (
                        run_id,
                        suite,
                        expectation_type,
                        column,
                        severity,
                        success,
                        observed if success else "0.31",
                    )
                )
    return (
        pd.DataFrame(
            runs,
            columns=[
                "run_id",
                "stage",
                "suite_name",
                "started_at",
                "success",
                "evaluated_expectations",
                "successful_expectations",
                "success_percent",
            ],
        ),
        pd.DataFrame(
            results,
            columns=[
                "run_id",
                "suite_name",
                "expectation_type",
                "column_name",
                "severity",
                "success",
                "observed_value",
            ],
        ),
    )


def write_fixture_warehouse(path: Path, seed: int = 7, conversations: int = 3000) -> Path:
    """Write the fixture warehouse to `path` (replacing it) and return the path."""
    rng = np.random.default_rng(seed)
    conv = _conversations(rng, conversations)
    turns = _turns(rng, conv)
    models = _models()
    predictions, scoring_inputs = _predictions(rng, turns)
    outcomes = _outcomes(rng, conv)
    dq_runs, dq_results = _data_quality()
    tables: dict[str, pd.DataFrame] = {
        "fct_conversations": conv,
        "fct_turns": turns,
        "mart_intent_distribution": _intent_distribution(conv),
        "ml_models": models,
        "ml_predictions": predictions,
        "ml_scoring_inputs": scoring_inputs,
        "mart_conversation_outcomes": outcomes,
        "mart_failure_points": _failure_points(rng, outcomes),
        "mart_conversation_flows": _flows(rng),
        "mart_conversation_sentiment": _sentiment(rng, conv),
        "mart_intent_discovery": _discovery(),
        "mart_intent_drift": _drift(rng),
        "dq_validation_runs": dq_runs,
        "dq_expectation_results": dq_results,
        **_model_evaluation(rng, models),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema draft")
        for name, frame in tables.items():
            conn.register("frame", frame)
            conn.execute(f"create table draft.{name} as select * from frame")
            conn.unregister("frame")
        for name, select in WAREHOUSE_SHAPES.items():
            conn.execute(f"create table main.{name} as {select}")
        conn.execute(OPERATIONS_SQL)
        conn.execute("drop schema draft cascade")
        conn.execute("checkpoint")
    return path


#: The drafts above reshaped to the columns of the real dbt marts (models/marts/**.yml),
#: the contract tables (docs/contracts.md) and the quality tables (supportlens/quality).
WAREHOUSE_SHAPES: dict[str, str] = {
    "fct_conversations": """
        select conversation_id, source, conversation_id as source_conversation_id, channel,
            company, service, started_at, ended_at, turn_count,
            customer_turns as customer_turn_count, agent_turns as agent_turn_count,
            first_response_seconds, outcome, gold_intent
        from draft.fct_conversations""",
    "fct_turns": """
        select turn_id, conversation_id, source, cast(turn_index as integer) as turn_index,
            speaker, sent_at, reply_delay_seconds
        from draft.fct_turns""",
    "mart_intent_distribution": """
        select source, 'banking77' as label_set, intent, category, 'gold' as intent_origin,
            day as activity_date, n_utterances as conversation_count,
            share as share_of_source_day
        from draft.mart_intent_distribution""",
    "ml_models": "select * from draft.ml_models",
    "ml_predictions": "select * from draft.ml_predictions",
    "ml_scoring_inputs": "select * from draft.ml_scoring_inputs",
    "ml_model_metrics": "select * from draft.ml_model_metrics",
    "ml_per_class_metrics": "select * from draft.ml_per_class_metrics",
    "ml_confusion_matrix": "select * from draft.ml_confusion_matrix",
    "ml_calibration": "select * from draft.ml_calibration",
    "mart_turn_predictions": """
        select p.turn_id, t.conversation_id, t.source, t.turn_index,
            cast(t.sent_at as date) as activity_date, p.label_set, i.text, p.model_version,
            p.label, p.confidence
        from draft.ml_predictions as p
        join draft.fct_turns as t using (turn_id)
        join draft.ml_scoring_inputs as i using (turn_id)""",
    "mart_predicted_intents": """
        select t.source, p.label_set, p.label as intent, cast(t.sent_at as date) as activity_date,
            count(*) as message_count, avg(p.confidence) as mean_confidence,
            avg(case when p.confidence < 0.5 then 1.0 else 0.0 end) as missed_share
        from draft.ml_predictions as p join draft.fct_turns as t using (turn_id)
        group by all""",
    "mart_confidence_histogram": """
        select t.source, p.label_set, least(floor(p.confidence * 10), 9) / 10 as confidence_from,
            least(floor(p.confidence * 10), 9) / 10 + 0.1 as confidence_to,
            count(*) as message_count
        from draft.ml_predictions as p join draft.fct_turns as t using (turn_id)
        group by all""",
    "mart_missed_utterances": """
        select t.source, p.label_set, i.text, count(*) as occurrences,
            min(p.label) as best_guess_intent, avg(p.confidence) as mean_confidence,
            min(cast(t.sent_at as date)) as first_seen, max(cast(t.sent_at as date)) as last_seen,
            null::integer as cluster_id
        from draft.ml_predictions as p
        join draft.fct_turns as t using (turn_id)
        join draft.ml_scoring_inputs as i using (turn_id)
        where p.confidence < 0.5
        group by all""",
    "mart_intent_discovery": """
        select 'run-1' as run_id, label_set, cast(cluster_id as integer) as cluster_id,
            top_terms as cluster_label, string_split(top_terms, ', ') as top_terms,
            n_utterances as utterance_count, example_texts as representative_examples,
            'card_arrival' as most_guessed_intent, 0.31 as mean_confidence
        from draft.mart_intent_discovery""",
    "mart_conversation_flows": """
        select source, coalesce(service, 'unknown') as service,
            case when step_index = 0 then 'start' else from_step end as from_step,
            case when to_step = '(end)' then 'end' else to_step end as to_step,
            n_conversations as edge_count, n_conversations as conversation_count,
            share as share_of_from_step, dropoff_rate as from_step_drop_off_rate
        from draft.mart_conversation_flows""",
    "mart_failure_points": """
        select f.conversation_id, f.source, f.service, f.intent, c.outcome,
            f.failure_type as failure_kind, f.turn_index, 'customer' as speaker,
            f.failure_step as step, 'example text' as text,
            cast(c.started_at as date) as activity_date
        from draft.mart_failure_points as f join draft.fct_conversations as c
            using (conversation_id)""",
    "mart_conversation_outcomes": """
        select conversation_id, source, service, company, 'web' as channel, intent,
            'gold' as intent_origin, cast(started_at as date) as activity_date, outcome,
            outcome as recorded_outcome, lex_class as lex_outcome,
            outcome = 'resolved' as is_success, is_escalated, is_contained,
            turns_to_resolution
        from draft.mart_conversation_outcomes""",
    "mart_response_times": """
        select t.source, c.company, cast(extract(hour from t.sent_at) as integer) as hour_of_day,
            count(*) as agent_reply_count,
            median(t.reply_delay_seconds) as reply_delay_median_seconds,
            quantile_cont(t.reply_delay_seconds, 0.9) as reply_delay_p90_seconds
        from draft.fct_turns as t join draft.fct_conversations as c using (conversation_id)
        where t.speaker = 'agent' and c.company is not null
        group by all""",
    "mart_conversation_sentiment": """
        select conversation_id, source, company, cast(started_at as date) as activity_date,
            first_sentiment as first_customer_sentiment,
            last_sentiment as last_customer_sentiment, sentiment_change, satisfaction_proxy
        from draft.mart_conversation_sentiment""",
    "mart_sentiment_trends": """
        select source, company, cast(started_at as date) as activity_date,
            count(*) * 2 as customer_message_count, avg(mean_sentiment) as mean_sentiment,
            count(*) as conversations_started, avg(sentiment_change) as mean_sentiment_change,
            avg(satisfaction_proxy) as mean_satisfaction_proxy
        from draft.mart_conversation_sentiment
        group by all""",
    "mart_intent_drift": """
        select case when label_set = 'bitext' then 'twcs' else 'synthetic' end as source,
            label_set, day as activity_date, 100 as message_count, psi, js_distance,
            'card_arrival' as most_over_represented_intent, threshold as psi_threshold,
            is_drift as drifted
        from draft.mart_intent_drift""",
    "dq_validation_runs": """
        select run_id, suite_name as suite, stage, 'twcs' as source, 'tweets' as table_name,
            case when success then 'passed' else 'failed' end as status, success,
            evaluated_expectations as expectations,
            evaluated_expectations - successful_expectations as failed_errors,
            0 as failed_warnings, started_at
        from draft.dq_validation_runs""",
    "dq_expectation_results": """
        select run_id, suite_name as suite, expectation_type || ':' || coalesce(column_name, '')
                as expectation_id,
            expectation_type, column_name, severity, success, observed_value
        from draft.dq_expectation_results""",
}


#: Alert checks and run history as models/marts/ops builds them (mart_alerts, ops_*):
#: two recorded `supportlens run`s, one failed at its dbt stage, and the alerts they sent.
OPERATIONS_SQL = """
create table main.mart_alerts as
select * from (values
    ('failed_run', 'run', 'error', 'log;webhook;email', 1.0, null, 0.0, true,
        'the latest run of a command failed or was killed'),
    ('first_response_time', 'NorthAir', 'warning', 'log;webhook', 7400.0, null, 3600.0, true,
        'median first response of the last 7 days above the threshold in seconds'),
    ('success_rate_drop', 'twcs', 'warning', 'log;webhook', 0.61, 0.66, 0.1, false,
        'success rate of the last 7 days more than the threshold below the 28 days before')
) as t(rule, scope, severity, channels, value, baseline_value, threshold, is_breached,
    description),
lateral (select date '2026-10-30' as data_window_end,
    timestamptz '2026-10-31 06:00:00+00' as evaluated_at);

create table main.ops_runs as
select * exclude (seconds) from (values
    ('20261030T060000-a1', 'run', 'run', '0.1.0', 'abc123', 'ci', 101, 1, 'succeeded', 0, null,
        timestamptz '2026-10-30 06:00:00+00', 201.0),
    ('20261031T060000-b2', 'run', 'run', '0.1.0', 'abc124', 'ci', 102, 1, 'failed', 2,
        'stage ''dbt build'': exit 2', timestamptz '2026-10-31 06:00:00+00', 48.0)
) as t(run_id, command, args, version, git_sha, host, pid, pid_started, status, exit_code,
    error, started_at, seconds),
lateral (select started_at + to_seconds(seconds::bigint) as ended_at, seconds * 1.4 as cpu_seconds,
    900.0 as peak_rss_mib, null::bigint as rows_in, 120000::bigint as rows_out);

create table main.ops_run_stages as
select run_id, stage_index, stage, started_at, started_at + to_seconds(seconds) as ended_at,
    status, 0 as exit_code, null as error, seconds * 1.3 as cpu_seconds, 700.0 as peak_rss_mib,
    null::bigint as rows_in, null::bigint as rows_out
from (values
    ('20261030T060000-a1', 1, 'generate', 2, 'succeeded'),
    ('20261030T060000-a1', 2, 'dbt build', 36, 'succeeded'),
    ('20261031T060000-b2', 1, 'generate', 3, 'succeeded'),
    ('20261031T060000-b2', 2, 'dbt build', 40, 'failed')
) as t(run_id, stage_index, stage, seconds, status)
join (select run_id, started_at from main.ops_runs) using (run_id);

create table main.ops_dbt_nodes as
select run_id, 2 as stage_index, 'inv' as invocation_id, unique_id,
    split_part(unique_id, '.', 1) as resource_type, status, execution_seconds,
    rows_affected, null as message, timestamptz '2026-10-30 06:01:00+00' as completed_at
from (values
    ('20261030T060000-a1', 'model.supportlens.fct_turns', 'success', 8.5, 120000),
    ('20261030T060000-a1', 'model.supportlens.int_turns__sentiment', 'success', 12.1, 90000),
    ('20261031T060000-b2', 'model.supportlens.fct_turns', 'error', 2.0, null)
) as t(run_id, unique_id, status, execution_seconds, rows_affected);

create table main.ops_alert_events as
select * from (values
    (timestamptz '2026-10-31 06:01:00+00', '20261031T060000-b2', 'failed_run', 'run', 'error',
        1.0, 0.0, 'firing', 'log', 1, 'sent', null),
    (timestamptz '2026-10-31 06:01:01+00', '20261031T060000-b2', 'failed_run', 'run', 'error',
        1.0, 0.0, 'firing', 'webhook', 1, 'failed', 'HTTP 503 from webhook'),
    (timestamptz '2026-10-31 06:01:02+00', '20261031T060000-b2', 'failed_run', 'run', 'error',
        1.0, 0.0, 'firing', 'webhook', 2, 'sent', null)
) as t(event_at, run_id, rule, scope, severity, value, threshold, state, channel, attempt,
    status, error);
"""


if __name__ == "__main__":
    import sys

    print(write_fixture_warehouse(Path(sys.argv[1])))
