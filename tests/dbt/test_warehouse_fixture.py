"""`supportlens build` on the hand-made landing fixture: marts equal the known answers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from landing_fixture import SGD_TRUTH, SYNTHETIC_TRUTH, TWCS_TRUTH, write_landing
from warehouse_build import assert_built, build, open_warehouse

Query = Callable[[str], list[tuple]]


def test_twcs_threads_turn_order_first_response_and_company(query: Query) -> None:
    turns = query(
        "select conversation_id, tweet_order from ("
        " select conversation_id, list(cast(split_part(turn_id, ':', 2) as bigint)"
        "   order by turn_index) as tweet_order"
        " from fct_turns where source = 'twcs' group by conversation_id)"
    )
    assert dict(turns) == {f"twcs:{root}": order for root, (order, _, _, _) in TWCS_TRUTH.items()}
    conversations = query(
        "select source_conversation_id, first_response_seconds, company, outcome"
        " from fct_conversations where source = 'twcs'"
    )
    assert {int(r[0]): tuple(r[1:]) for r in conversations} == {
        root: (first, company, outcome) for root, (_, first, company, outcome) in TWCS_TRUTH.items()
    }


def test_reply_cycle_is_left_out_and_reported_by_no_thread(query: Query) -> None:
    assert query("select count(*) from fct_turns where turn_id in ('twcs:50', 'twcs:51')") == [(0,)]
    assert query("select count(*) from stg_twcs__tweets") == [(13,)]


def test_sgd_outcomes_and_synthetic_truth(query: Query) -> None:
    sgd = dict(
        query("select source_conversation_id, outcome from fct_conversations where source = 'sgd'")
    )
    assert sgd == SGD_TRUTH
    synthetic = query(
        "select source_conversation_id, first_response_seconds, outcome"
        " from fct_conversations where source = 'synthetic'"
    )
    assert {r[0]: (r[1], r[2]) for r in synthetic} == SYNTHETIC_TRUTH


def test_sgd_turn_model_tracks_state_changes(query: Query) -> None:
    rows = query(
        "select turn_index, active_intents, newly_filled_slots, intent_changed"
        " from int_sgd__turns where dialogue_id = '1_00001' and speaker = 'customer'"
        " order by turn_index"
    )
    assert rows == [
        (0, ["FindRestaurants"], ["city"], True),
        (2, ["ReserveRestaurant"], ["time"], True),
        (4, ["ReserveRestaurant"], [], False),
    ]


def test_training_examples_keep_official_test_split_and_stratify(query: Query) -> None:
    splits = dict(
        query(
            "select split, count(*) from ml_training_examples where label_set = 'banking77'"
            " group by split"
        )
    )
    # 10 train rows per intent -> 9 train + 1 validation; the 2 official test rows stay test.
    assert splits == {"train": 27, "validation": 3, "test": 6}
    assert query(
        "select count(*) from ml_training_examples where example_id like 'banking77:test-%'"
        " and split <> 'test'"
    ) == [(0,)]
    bitext = dict(
        query(
            "select split, count(*) from ml_training_examples"
            " where label_set = 'bitext' group by split"
        )
    )
    assert bitext == {"train": 16, "validation": 2, "test": 2}


def test_text_is_normalised_with_tokens(query: Query) -> None:
    texts = dict(
        query(
            "select turn_id, text_normalized from fct_turns"
            " where turn_id in ('twcs:1', 'twcs:3', 'twcs:10')"
        )
    )
    assert texts == {
        "twcs:1": "<user> my order <num> is late <url>",
        "twcs:3": "<user> sent to <email>",
        "twcs:10": "<user> where is my refund??",
    }
    bitext = query("select text from ml_training_examples where example_id = 'bitext:bitext-1'")
    assert bitext == [("i want to track order for <placeholder> #<num>",)]


def test_scoring_inputs_cover_unlabelled_customer_turns(query: Query) -> None:
    rows = query(
        "select source, label_set, count(*) from ml_scoring_inputs group by all order by all"
    )
    # TWCS customer tweets in threads (1, 3, 10, 20, 22, 40) and synthetic customer turns (4).
    assert rows == [("synthetic", "banking77", 4), ("twcs", "bitext", 6)]


def test_dim_intents_resolves_every_gold_intent(query: Query) -> None:
    assert query(
        "select in_catalogue, category from dim_intents"
        " where intent_id = 'banking77:crypto_payments'"
    ) == [(False, "uncatalogued")]
    assert query(
        "select category, description from dim_intents where intent_id = 'sgd:ReserveRestaurant'"
    ) == [("Restaurants", "Reserve a table")]
    assert query(
        "select count(*) from dim_intents where label_set = 'banking77' and in_catalogue"
    ) == [(77,)]
    assert query("select count(distinct category) from dim_intents where label_set = 'bitext'") == [
        (11,)
    ]


def test_ml_tables_exist_empty_with_contract_columns(query: Query) -> None:
    columns = query(
        "select column_name, data_type from information_schema.columns"
        " where table_name = 'ml_predictions' order by ordinal_position"
    )
    assert [c for c, _ in columns] == [
        "turn_id",
        "model_version",
        "label_set",
        "label",
        "confidence",
        "top_labels",
        "top_scores",
        "predicted_at",
    ]
    for table in (
        "ml_models",
        "ml_predictions",
        "ml_model_metrics",
        "ml_per_class_metrics",
        "ml_confusion_matrix",
        "ml_runs",
    ):
        assert query(f"select count(*) from {table}") == [(0,)]


def test_contract_tables_have_contract_columns(query: Query) -> None:
    def columns(table: str) -> list[tuple[str, str]]:
        return query(
            "select column_name, data_type from information_schema.columns"
            f" where table_name = '{table}' order by ordinal_position"
        )

    assert columns("ml_training_examples") == [
        (name, "VARCHAR")
        for name in ("example_id", "source", "label_set", "text", "label", "split")
    ]
    assert columns("ml_scoring_inputs") == [
        (name, "VARCHAR") for name in ("turn_id", "source", "label_set", "text")
    ]


@pytest.mark.slow
def test_absent_sources_read_as_empty(tmp_path: Path) -> None:
    # The real-data shape: only BANKING77 and SGD were landed.
    write_landing(tmp_path / "landing", sources=("banking77", "sgd"))
    assert_built(build(tmp_path, tmp_path / "landing"))
    with open_warehouse(tmp_path) as conn:
        sources = conn.execute(
            "select source, count(*) from fct_conversations group by 1 order by 1"
        ).fetchall()
        scoring = conn.execute("select count(*) from ml_scoring_inputs").fetchall()
    assert sources == [("banking77", 36), ("sgd", 3)]
    assert scoring == [(0,)]


def test_failing_tests_make_build_fail_naming_the_node(tmp_path: Path) -> None:
    write_landing(tmp_path / "landing", sources=("twcs",))
    # A second load that repeats tweet ids: the unique tests on tweet_id must fail.
    duplicate = tmp_path / "landing" / "twcs" / "tweets" / "load_id=dup"
    duplicate.mkdir(parents=True)
    original = next(
        (tmp_path / "landing" / "twcs" / "tweets").glob("load_id=fixture*/data.parquet")
    )
    (duplicate / "data.parquet").write_bytes(original.read_bytes())
    result = build(tmp_path, tmp_path / "landing", ["--select", "stg_twcs__tweets"])
    assert result.returncode != 0
    assert "failed: test.supportlens.unique_stg_twcs__tweets_tweet_id" in result.stderr


def test_fct_turns_scores_customer_messages_with_the_sentiment_udf(query: Query) -> None:
    from supportlens.python_udfs.sentiment import SentimentScorer

    scorer = SentimentScorer()
    turns = query("select speaker, text, sentiment_score, sentiment_label from fct_turns")
    customer = [t for t in turns if t[0] == "customer"]
    assert customer and all(t[2] is not None for t in customer if t[1] is not None)
    for _speaker, text, score, label in customer:
        assert score == pytest.approx(scorer.score(text)), text
        assert label == scorer.label(text), text
    assert all(t[2] is None and t[3] is None for t in turns if t[0] != "customer")
    # Each distinct customer text is scored once, and only those.
    assert query("select count(*) from int_turns__sentiment") == [
        (len({t[1] for t in customer if t[1] is not None}),)
    ]


#: Join operators DuckDB falls back to when a join has no usable equality: quadratic at
#: full scale (one such join in fct_turns took minutes on 3 M turns), harmless on fixtures.
NESTED_LOOP_OPERATORS = ("NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "CROSS_PRODUCT")


def test_no_model_is_planned_with_a_nested_loop_join(fixture_build: Path) -> None:
    from supportlens.python_udfs import register

    compiled = sorted((fixture_build / "target" / "compiled").rglob("models/**/*.sql"))
    assert len(compiled) > 20
    offenders = {}
    ops_db = os.environ.get("SUPPORTLENS_PATHS_OPS_DB", "")
    with open_warehouse(fixture_build) as conn:
        register(conn)  # so models calling the UDFs can be planned
        if ops_db and Path(ops_db).exists():
            # the ops models read the run-history file the build attached (macros/ops_source.sql)
            conn.execute(f"attach '{ops_db}' as ops (read_only)")
        for path in compiled:
            plan = conn.execute("explain " + path.read_text()).fetchall()[0][1]
            found = [op for op in NESTED_LOOP_OPERATORS if op in plan]
            if found:
                offenders[path.name] = found
    assert offenders == {}


def test_not_null_constraints_are_enforced_by_the_warehouse(fixture_build: Path) -> None:
    # Non-key columns of contracted marts declare `constraints: [not_null]` instead of a
    # not_null test: the table itself must refuse NULLs, or the check is gone.
    import json

    manifest = json.loads((fixture_build / "target" / "manifest.json").read_text())
    declared = {
        (node["alias"], column["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column in node["columns"].values()
        if any(c["type"] == "not_null" for c in column.get("constraints", []))
    }
    assert len(declared) >= 30
    with open_warehouse(fixture_build) as conn:
        columns = dict(
            ((table, column), nullable)
            for table, column, nullable in conn.execute(
                "select table_name, column_name, is_nullable from duckdb_columns()"
                " where schema_name = 'main'"
            ).fetchall()
        )
    # This fixture builds the core marts (the analytics marts have their own suite).
    built = declared & columns.keys()
    assert len(built) >= 10
    assert sorted(key for key in built if columns[key]) == []
