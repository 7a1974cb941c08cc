"""predict_intent / intent_confidence through SQL: fake predictor, model-less error, registry."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from supportlens.config import Settings
from supportlens.python_udfs import register
from supportlens.python_udfs.intent import IntentModels, sql_error_message


def scalar(conn: duckdb.DuckDBPyConnection, sql: str, *params: object) -> object:
    return conn.execute(sql, list(params)).fetchone()[0]


def test_default_and_explicit_label_set(conn) -> None:
    assert scalar(conn, "select predict_intent('where is my card')") == "banking77:card"
    assert scalar(conn, "select predict_intent('hello', 'bitext')") == "bitext:other"
    assert scalar(conn, "select intent_confidence('my card')") == pytest.approx(0.75)
    assert scalar(conn, "select intent_confidence('hi', 'bitext')") == pytest.approx(0.25)


def test_null_and_blank_text_give_null_without_calling_the_model(conn, fake_loader) -> None:
    rows = conn.execute(
        "select predict_intent(t), intent_confidence(t) from (values (null), (''), ('  ')) v(t)"
    ).fetchall()
    assert rows == [(None, None)] * 3
    assert all(not p.calls for p in fake_loader.loaded.values())


def test_null_label_set_means_the_default(conn) -> None:
    assert scalar(conn, "select predict_intent('card', null)") == "banking77:card"


def test_model_loads_once_and_predictions_are_shared(conn, fake_loader) -> None:
    conn.execute(
        "create temp table t as select 'card ' || i as text, "
        "case when i % 2 = 0 then 'bitext' else null end as label_set from range(5000) r(i)"
    )
    first = conn.execute(
        "select count(*) filter (where predict_intent(text, label_set) like '%:card'), "
        "min(intent_confidence(text, label_set)) from t"
    ).fetchone()
    assert first == (5000, pytest.approx(0.75))
    conn.execute("select count(predict_intent(text)) from t").fetchall()
    assert fake_loader.load_calls == 2  # banking77 and bitext, each once
    assert sorted(fake_loader.loaded) == ["banking77", "bitext"]


def test_label_and_confidence_in_one_query_run_the_model_once(settings, fake_loader) -> None:
    conn = duckdb.connect()
    register(conn, settings, intent_models=IntentModels(settings, loader=fake_loader))
    conn.execute("create temp table t as select 'card ' || i as text from range(1000) r(i)")
    conn.execute("select predict_intent(text), intent_confidence(text) from t").fetchall()
    predicted = sum(len(batch) for batch in fake_loader.loaded["banking77"].calls)
    assert predicted == 1000


def test_model_less_warehouse_names_the_train_command(settings: Settings) -> None:
    conn = duckdb.connect()
    register(conn, settings)  # the real registry loader, with an empty registry_dir
    with pytest.raises(duckdb.Error) as caught:
        conn.execute("select predict_intent('where is my card')").fetchall()
    message = sql_error_message(caught.value)
    assert "supportlens train" in message
    assert "banking77" in message
    assert "At:" not in message and ".py(" not in message  # no Python frames
    # Other functions keep working on the same connection.
    assert scalar(conn, "select normalize_text('A 1')") == "a <num>"


def _train_tiny_model(settings: Settings) -> str:
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.config import TrainConfig
    from supportlens.ml.registry import ModelMeta, activate, new_version, version_dir

    examples = {
        "card_arrival": ["where is my new card", "my card has not arrived", "card delivery"],
        "exchange_rate": ["what is the exchange rate", "euro to dollar rate", "currency rate"],
        "top_up_failed": ["my top up failed", "top-up did not work", "could not top up"],
    }
    texts = [t for items in examples.values() for t in items * 3]
    labels = [label for label, items in examples.items() for _ in items * 3]
    classifier = TfidfLinearClassifier.fit(texts, labels, TrainConfig())
    version = new_version("banking77", "tfidf_linear")
    directory = version_dir(settings, version)
    classifier.save(directory)
    ModelMeta(version, "banking77", "tfidf_linear", classifier.labels).write(directory)
    activate(settings, version)
    return version


def test_predict_intent_with_a_real_registry_model(settings: Settings, tmp_path: Path) -> None:
    _train_tiny_model(settings)
    conn = duckdb.connect()
    register(conn, settings)
    rows = conn.execute(
        "select predict_intent(t), intent_confidence(t) from (values "
        "('my card still has not arrived'), ('exchange rate for euro'), (null)) v(t)"
    ).fetchall()
    assert [label for label, _ in rows] == ["card_arrival", "exchange_rate", None]
    assert all(0.0 < conf <= 1.0 for _, conf in rows[:2])


def test_long_non_english_and_emoji_text_reach_the_model_unchanged(conn, fake_loader) -> None:
    texts = ["моя card не пришла 💳", "x" * 100_000, "😀🙏"]
    rows = conn.execute(
        "select predict_intent(t) from (select unnest(?::varchar[]) as t)", [texts]
    ).fetchall()
    assert rows == [("banking77:card",), ("banking77:other",), ("banking77:other",)]
    seen = [text for batch in fake_loader.loaded["banking77"].calls for text in batch]
    assert sorted(seen) == sorted(texts)
