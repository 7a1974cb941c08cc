"""Frozen-encoder embeddings: pooling, the on-disk cache, embedding_linear and the ensemble
(training through the registry), on a tiny random BERT so the file runs in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from supportlens.config import Settings
from supportlens.ml.config import ConfigValidationError, config_from_mapping
from supportlens.ml.embedding import CACHE_MIN_WRITE, SentenceEncoder, TorchBackend
from supportlens.ml.embedding_linear import build_encoder
from supportlens.ml.ensemble import EnsembleClassifier, blend, choose_blend
from supportlens.ml.registry import load_version
from supportlens.ml.training import train_and_register
from supportlens.warehouse import writer
from tests.ml.conftest import synthetic_examples
from tests.ml.tiny_encoder import build_tiny_encoder

TEXTS = ["where is my new card", "i forgot my pin please", "hi", "what is the exchange rate"]


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder"))


class CountingBackend(TorchBackend):
    """The torch backend, counting every text it is asked to encode."""

    calls = 0
    texts = 0

    def run(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        CountingBackend.calls += 1
        CountingBackend.texts += len(input_ids)
        return super().run(input_ids, attention_mask)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> type[CountingBackend]:
    CountingBackend.calls = CountingBackend.texts = 0
    monkeypatch.setattr("supportlens.ml.onnx_encoder.TorchBackend", CountingBackend)
    return CountingBackend


def test_mean_pooling_matches_manual_and_ignores_padding(tiny_dir: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    encoder = SentenceEncoder(tiny_dir, TorchBackend(tiny_dir), 32, 2, "fp", 32)
    vectors = encoder.encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    model = AutoModel.from_pretrained(str(tiny_dir)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_dir))
    for text, vector in zip(TEXTS, vectors, strict=True):
        # One text alone: no padding at all, so any pooling over pad positions would differ.
        inputs = tokenizer([text], return_tensors="pt")
        with torch.no_grad():
            hidden = model(**inputs).last_hidden_state[0]
        expected = hidden.mean(0) / hidden.mean(0).norm()
        np.testing.assert_allclose(vector, expected.numpy(), atol=1e-5)


def test_cache_encodes_each_text_once_across_instances(
    tiny_dir: Path, tmp_path: Path, counting: type[CountingBackend]
) -> None:
    first = build_encoder(tiny_dir, "torch_fp32", 32, 8, cache_root=tmp_path)
    vectors = first.encode(TEXTS + TEXTS, store=True)  # duplicates are encoded once
    assert counting.texts == len(TEXTS)
    # A fresh instance (another process, a later training run) reads the disk cache.
    second = build_encoder(tiny_dir, "torch_fp32", 32, 8, cache_root=tmp_path)
    again = second.encode([*reversed(TEXTS), "a text never seen"])
    assert counting.texts == len(TEXTS) + 1
    np.testing.assert_allclose(again[:4], vectors[:4][::-1], atol=1e-6)
    # Small calls (single API requests) are answered but not written as tiny shards.
    assert len(second.cache) == len(TEXTS)
    # Another max_length is another encoder id: its vectors are never mixed in.
    other = build_encoder(tiny_dir, "torch_fp32", 3, 8, cache_root=tmp_path)
    assert other.encoder_id != first.encoder_id
    other.encode(TEXTS[:1])
    assert counting.texts == len(TEXTS) + 2


def test_cache_writes_bulk_calls_and_compacts(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("supportlens.ml.embedding.MAX_SHARDS", 2)
    encoder = build_encoder(tiny_dir, "torch_fp32", 32, 64, cache_root=tmp_path)
    bulk = [f"where is my card number {i}" for i in range(CACHE_MIN_WRITE)]
    encoder.encode(bulk)  # a bulk call is stored without asking
    for i in range(3):
        encoder.encode([f"refund {i}"], store=True)
    shards = list((tmp_path / encoder.encoder_id).glob("*.npz"))
    assert len(shards) <= 2
    fresh = build_encoder(tiny_dir, "torch_fp32", 32, 64, cache_root=tmp_path)
    assert len(fresh.cache) == CACHE_MIN_WRITE + 3


def test_choose_blend_picks_weight_then_cheapest_threshold() -> None:
    targets = np.array([0, 1, 0, 1])
    # TF-IDF: sure and right on 0-1, unsure and wrong on 2-3; embeddings right on 2-3 only.
    tfidf = np.array([[0.95, 0.05], [0.05, 0.95], [0.45, 0.55], [0.6, 0.4]])
    embedding = np.array([[0.4, 0.6], [0.6, 0.4], [0.9, 0.1], [0.1, 0.9]])
    choice = choose_blend(tfidf, embedding, targets, max_drop=0.0)
    # Each model alone gets half right; blended, all four.
    assert choice.weight_scores["0.0"] == choice.weight_scores["1.0"] == 0.5
    assert choice.full_accuracy == 1.0
    assert choice.weight == 0.5  # among the perfect weights, the one nearest 0.5
    assert choice.threshold == 0.7  # the lowest threshold that still sends texts 2-3
    assert choice.escalated == 0.5
    assert blend(tfidf, embedding, choice.weight, choice.threshold).argmax(1).tolist() == [
        0,
        1,
        0,
        1,
    ]


def test_config_validates_new_keys() -> None:
    with pytest.raises(ConfigValidationError, match="encoder_backend"):
        config_from_mapping({"model_type": "ensemble", "encoder_backend": "tpu"})
    with pytest.raises(ConfigValidationError, match="embedding_c"):
        config_from_mapping({"model_type": "embedding_linear", "embedding_c": 0})


@pytest.mark.parametrize("model_type", ["embedding_linear", "ensemble"])
def test_train_register_load_and_retrain_without_reencoding(
    model_type: str,
    settings: Settings,
    warehouse: Path,
    tiny_dir: Path,
    counting: type[CountingBackend],
) -> None:
    config = config_from_mapping(
        {
            "model_type": model_type,
            "base_model": str(tiny_dir),
            "encoder_backend": "torch_fp32",
            "max_length": 32,
            "device": "cpu",
            "num_threads": 1,
        }
    )
    examples = synthetic_examples()
    fit_texts = examples[examples["split"] != "test"]["text"]
    with writer(settings) as conn:
        result = train_and_register(settings, conn, config, show_progress=False)
    assert counting.texts == fit_texts.nunique()  # train + validation, once each
    card = result.card
    assert card["training"]["refit_on"] == "train+validation"
    markdown = (result.directory / "model_card.md").read_text(encoding="utf-8")
    assert "How it was chosen" in markdown
    if model_type == "ensemble":
        blend_card = card["training"]["blend"]
        assert 0.0 <= blend_card["weight"] <= 1.0
        assert set(card["training"]["validation_accuracy"]) == {
            "embedding_linear",
            "tfidf_linear",
            "ensemble",
        }
        assert "weight" in markdown and "threshold" in markdown
        settings_file = json.loads((result.directory / "ensemble.json").read_text())
        assert settings_file["weight"] == blend_card["weight"]
    predictor = load_version(settings, result.model_version)
    probabilities = predictor.predict_proba(["where is my new card", "reset my pin code"])
    assert probabilities.shape == (2, 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    # The artefact carries its encoder: it answers even if base_model moves away.
    assert (
        result.directory / ("embedding/encoder" if model_type == "ensemble" else "encoder")
    ).is_dir()
    before = counting.texts
    with writer(settings) as conn:
        train_and_register(settings, conn, config, show_progress=False)
    assert counting.texts == before, "re-training re-encoded texts the cache holds"
    # Discovery embeds with the active model's encoder through the same cache.
    from supportlens.ml.discovery import embed, encoder_directory

    directory = encoder_directory(settings, "banking77")
    assert directory.parent.parent == settings.paths.registry_dir or model_type == "ensemble"
    vectors = embed(fit_texts.tolist()[:20], directory, 8)
    assert vectors.shape == (20, 32)
    assert counting.texts == before, "discovery re-encoded texts the cache holds"


def test_ensemble_skips_encoder_for_confident_texts(
    tiny_dir: Path, counting: type[CountingBackend]
) -> None:
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.embedding_linear import EmbeddingLinearClassifier

    examples = synthetic_examples()
    texts, labels = examples["text"].tolist(), examples["label"].tolist()
    config = config_from_mapping({"model_type": "ensemble", "c": 0.5})
    encoder = build_encoder(tiny_dir, "torch_fp32", 32, 16)
    baseline = TfidfLinearClassifier.fit(texts, labels, config)
    embedding = EmbeddingLinearClassifier.fit(texts, labels, config, encoder)
    confidence = baseline.predict_proba(texts).max(axis=1)
    threshold = float(np.median(confidence))
    ensemble = EnsembleClassifier(baseline, embedding, 0.5, threshold)
    counting.texts = 0
    ensemble.predict_proba(texts)
    assert counting.texts == ensemble.last_escalated == int((confidence < threshold).sum())
    assert 0 < ensemble.last_escalated < len(texts)


def test_evaluate_and_baseline_training_show_progress(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.data import Split
    from supportlens.ml.evaluation import evaluate
    from supportlens.ml.registry import ModelMeta, Predictor

    examples = synthetic_examples()
    texts, labels = examples["text"].tolist(), examples["label"].tolist()
    model = TfidfLinearClassifier.fit(texts, labels, config_from_mapping({}), show_progress=True)
    assert "tf-idf baseline" in capsys.readouterr().err
    monkeypatch.setattr(
        "supportlens.ml.evaluation.EVAL_CHUNK", 7
    )  # several chunks, stitched in order
    predictor = Predictor(ModelMeta("v", "banking77", "tfidf_linear", model.labels), model)
    result = evaluate(predictor, Split([str(i) for i in range(len(texts))], texts, labels), "all")
    assert "evaluate all" in capsys.readouterr().err
    whole = model.predict_proba(texts).argmax(axis=1)
    assert result.metrics["accuracy"] == float(
        np.mean([model.labels[i] == gold for i, gold in zip(whole, labels, strict=True)])
    )


def test_an_unwritable_cache_answers_without_storing(
    tiny_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The API reads the registry from a read-only volume (compose.yaml), and its cache
    sits in it (`<registry_dir>/_embeddings`): a bulk request then used to fail on the
    cache write. Tests run as root, so the folder is made unwritable by sitting under a
    file rather than by permissions."""
    blocker = tmp_path / "read-only"
    blocker.write_text("not a folder")
    encoder = build_encoder(tiny_dir, "torch_fp32", 32, 64, cache_root=blocker / "cache")
    bulk = [f"where is my card number {i}" for i in range(CACHE_MIN_WRITE)]
    reference = build_encoder(tiny_dir, "torch_fp32", 32, 64).encode(bulk)
    np.testing.assert_allclose(encoder.encode(bulk), reference, atol=1e-6)
    np.testing.assert_allclose(encoder.encode(bulk[:2], store=True), reference[:2], atol=1e-6)
    warnings = [r for r in caplog.records if "embedding cache not written" in r.getMessage()]
    assert len(warnings) == 1  # once per cache, not once per request
