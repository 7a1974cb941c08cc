"""Concurrent single predictions on an encoder model become batched encoder passes
(MicroBatcher + the frozen-encoder ensemble, tiny random encoder)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from supportlens.api.services.batching import MicroBatcher
from supportlens.ml.baseline import TfidfLinearClassifier
from supportlens.ml.config import config_from_mapping
from supportlens.ml.embedding_linear import EmbeddingLinearClassifier, build_encoder
from supportlens.ml.ensemble import EnsembleClassifier
from supportlens.ml.registry import ModelMeta, Predictor
from tests.ml.conftest import synthetic_examples
from tests.ml.tiny_encoder import build_tiny_encoder


def test_concurrent_requests_share_encoder_passes(tmp_path: Path) -> None:
    examples = synthetic_examples()
    texts, labels = examples["text"].tolist(), examples["label"].tolist()
    config = config_from_mapping({"model_type": "ensemble"})
    encoder = build_encoder(build_tiny_encoder(tmp_path / "tiny"), "torch_fp32", 32, 64)
    ensemble = EnsembleClassifier(
        TfidfLinearClassifier.fit(texts, labels, config),
        EmbeddingLinearClassifier.fit(texts, labels, config, encoder),
        weight=0.5,
        threshold=2.0,  # every text goes through the encoder
    )
    meta = ModelMeta("v1", "banking77", "ensemble", ensemble.labels)
    predictor = Predictor(meta, ensemble)
    requests = texts[:32]
    expected = [p.label for p in predictor.predict(requests)]

    async def run() -> list[str]:
        batcher = MicroBatcher()
        passes_before = encoder.batches_run
        try:
            results = await asyncio.gather(
                *(batcher.predict(predictor, text, 3) for text in requests)
            )
        finally:
            await batcher.stop()
        passes = encoder.batches_run - passes_before
        assert batcher.items == len(requests)
        assert passes < len(requests) / 4, f"{passes} encoder passes for {len(requests)} texts"
        return [r.label for r in results]

    assert asyncio.run(run()) == expected
    assert np.isfinite(ensemble.predict_proba(requests)).all()
