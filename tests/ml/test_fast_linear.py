"""The compiled TF-IDF model must give scikit-learn's probabilities, only faster."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from supportlens.ml.baseline import COMPILED_MAX_BATCH, TfidfLinearClassifier, build_pipeline
from supportlens.ml.config import load_config
from supportlens.ml.fast_linear import CompiledLinearText, char_wb_analyzer, compile_pipeline
from tests.ml.conftest import BASELINE_CONFIG, synthetic_examples

#: Texts the training data never saw: unknown words, only punctuation, non-Latin
#: scripts, emoji, repeated n-grams, very long input, and the empty string.
UNSEEN = [
    "where is my new card please",
    "",
    "???",
    "zzzz qqqq",
    "Rückerstattung bitte 🙏🙏 refund refund refund",
    "我的卡在哪里",
    "my PIN is BLOCKED!!! " * 40,
    "a",
]


def train(classifier: str) -> TfidfLinearClassifier:
    frame = synthetic_examples()
    config = replace(load_config(BASELINE_CONFIG), classifier=classifier)
    return TfidfLinearClassifier.fit(frame["text"].tolist(), frame["label"].tolist(), config)


@pytest.mark.parametrize("classifier", ["svm", "logistic"])
def test_compiled_probabilities_equal_scikit_learn(classifier: str) -> None:
    model = train(classifier)
    assert model._compiled is not None, f"{classifier} pipeline was not compiled"
    texts = UNSEEN + synthetic_examples()["text"].tolist()[:50]
    expected = model.pipeline.predict_proba(texts)[:, model._columns]
    batch = model._compiled.predict_proba(texts)[:, model._columns]
    one_by_one = np.vstack([model.predict_proba([text]) for text in texts])
    np.testing.assert_allclose(batch, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(one_by_one, expected, rtol=0, atol=1e-12)


def test_char_wb_analyzer_yields_scikit_learns_ngrams() -> None:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(["warm up"])
    texts = [*UNSEEN, "a b  c\t\tdd", "  leading and trailing  ", "ÄÖÜ straße"]
    for text in texts:
        assert char_wb_analyzer(vectorizer)(text) == vectorizer.build_analyzer()(text), text


def test_large_batches_go_to_scikit_learn_and_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    model = train("svm")
    texts = synthetic_examples()["text"].tolist()
    assert len(texts) > COMPILED_MAX_BATCH
    small = np.vstack([model.predict_proba(texts[i : i + 4]) for i in range(0, len(texts), 4)])
    monkeypatch.setattr(
        type(model._compiled), "predict_proba", lambda self, texts: pytest.fail("compiled used")
    )
    np.testing.assert_allclose(model.predict_proba(texts), small, rtol=0, atol=1e-12)


def test_unsupported_pipeline_is_left_to_scikit_learn() -> None:
    frame = synthetic_examples()
    # A bare vectorizer (no FeatureUnion) is a shape the compiler does not cover.
    pipeline = Pipeline(
        [("features", TfidfVectorizer()), ("classifier", LogisticRegression(max_iter=500))]
    ).fit(frame["text"], frame["label"])
    assert compile_pipeline(pipeline) is None


def test_pipeline_that_disagrees_with_its_compilation_is_not_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame = synthetic_examples()
    pipeline = build_pipeline(load_config(BASELINE_CONFIG), 3).fit(frame["text"], frame["label"])
    assert compile_pipeline(pipeline) is not None
    # A compiled model that is off by a little must be refused, not served.
    original = CompiledLinearText.predict_proba
    monkeypatch.setattr(
        CompiledLinearText, "predict_proba", lambda self, texts: original(self, texts) + 1e-6
    )
    assert compile_pipeline(pipeline) is None
