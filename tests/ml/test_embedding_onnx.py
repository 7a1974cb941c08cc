"""The int8 ONNX Runtime encoder answers like the PyTorch fp32 one, within a stated
tolerance, and the registered artefact falls back to PyTorch without onnxruntime.

Tolerance (also in docs/benchmarks.md): on the same texts and head, int8 ONNX labels agree
with fp32 PyTorch labels on >= 99 % of texts, and no class probability moves by more than
PROBA_TOLERANCE; sentence vectors keep cosine >= COSINE_FLOOR to fp32.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from supportlens.ml.config import config_from_mapping
from supportlens.ml.embedding import TorchBackend
from supportlens.ml.embedding_linear import EmbeddingLinearClassifier, build_encoder
from supportlens.ml.onnx_encoder import ONNX_INT8, OnnxBackend, export_int8, make_backend
from tests.ml.conftest import synthetic_examples
from tests.ml.tiny_encoder import build_tiny_encoder

PROBA_TOLERANCE = 0.05
COSINE_FLOOR = 0.97
AGREEMENT_FLOOR = 0.99


def _agreement(model_dir: Path, onnx_dir: Path) -> tuple[float, float, float]:
    """(label agreement, max probability difference, min cosine) int8 vs fp32."""
    examples = synthetic_examples()
    texts, labels = examples["text"].tolist(), examples["label"].tolist()
    config = config_from_mapping({"model_type": "embedding_linear", "embedding_c": 10.0})
    fp32 = build_encoder(model_dir, "torch_fp32", 32, 16)
    int8 = build_encoder(model_dir, "onnx_int8", 32, 16, onnx_dir=onnx_dir)
    assert isinstance(int8.backend, OnnxBackend)
    model = EmbeddingLinearClassifier.fit(texts, labels, config, fp32)
    reference = model.predict_proba(texts)
    fast = EmbeddingLinearClassifier(int8, model.head, model.labels).predict_proba(texts)
    cosine = (fp32.encode(texts) * int8.encode(texts)).sum(axis=1)
    agreement = float((reference.argmax(1) == fast.argmax(1)).mean())
    return agreement, float(np.abs(reference - fast).max()), float(cosine.min())


def test_tiny_encoder_int8_onnx_matches_torch(tmp_path: Path) -> None:
    model_dir = build_tiny_encoder(tmp_path / "tiny")
    agreement, max_diff, cosine = _agreement(model_dir, tmp_path / "onnx")
    assert agreement >= AGREEMENT_FLOOR
    assert max_diff <= PROBA_TOLERANCE
    assert cosine >= COSINE_FLOOR
    # Exported once: a second request reuses the file.
    path = tmp_path / "onnx" / ONNX_INT8
    stamp = path.stat().st_mtime_ns
    assert export_int8(model_dir, tmp_path / "onnx") == path
    assert path.stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_real_minilm_int8_onnx_matches_torch(tmp_path: Path) -> None:
    """The one test on the real all-MiniLM-L6-v2 (synthetic texts, ~30 s: export + encode)."""
    from supportlens.ml.config import resolve_base_model

    agreement, max_diff, cosine = _agreement(resolve_base_model(""), tmp_path / "onnx")
    assert agreement >= AGREEMENT_FLOOR
    assert max_diff <= PROBA_TOLERANCE
    assert cosine >= COSINE_FLOOR


def test_without_onnxruntime_the_torch_backend_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    model_dir = build_tiny_encoder(tmp_path / "tiny")
    monkeypatch.setattr("supportlens.ml.onnx_encoder.onnxruntime_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="supportlens.ml.onnx_encoder"):
        backend = make_backend("onnx_int8", model_dir, tmp_path / "onnx")
    assert isinstance(backend, TorchBackend)
    assert "onnxruntime not installed" in caplog.text
    assert not (tmp_path / "onnx" / ONNX_INT8).exists()
