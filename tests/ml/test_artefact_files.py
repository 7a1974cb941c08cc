"""What a registered frozen-encoder model folder holds: exactly the files serving needs, the
fp32 embedding tables stored once (in model.safetensors, which the int8 ONNX graph points
into), and the same predictions as the earlier layout that kept a second copy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest

from supportlens.config import Settings
from supportlens.ml.config import config_from_mapping
from supportlens.ml.embedding import TorchBackend, weights_fingerprint
from supportlens.ml.embedding_linear import ENCODER_DIR, EmbeddingLinearClassifier
from supportlens.ml.onnx_encoder import ONNX_INT8, OnnxBackend
from supportlens.ml.registry import ModelMeta, load_version, version_dir
from supportlens.ml.training import train_and_register
from tests.ml.conftest import synthetic_examples
from tests.ml.tiny_encoder import build_tiny_encoder

ENCODER_FILES = {
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "encoder.json",
    ONNX_INT8,
}
ENSEMBLE_FILES = {
    "supportlens_model.json",
    "model_card.json",
    "model_card.md",
    "ensemble.json",
    "baseline/model.joblib",
    "embedding/head.joblib",
    *(f"embedding/{ENCODER_DIR}/{name}" for name in ENCODER_FILES),
}
#: What a sentence-transformers download carries besides the model, none of it needed.
DOWNLOAD_EXTRAS = {
    "README.md": "# model",
    "modules.json": "[]",
    "sentence_bert_config.json": '{"max_seq_length": 256}',
    "config_sentence_transformers.json": "{}",
    "data_config.json": json.dumps([{"name": "training-data.jsonl.gz"}] * 500),
    "1_Pooling/config.json": '{"pooling_mode_mean_tokens": true}',
}
TEXTS = [
    "where is my new card please",
    "hello, i want a refund",
    "my pin is blocked asap",
    "what is the exchange rate today",
    "card still not here thanks",
    "completely unrelated words",
]


def tiny_download(directory: Path) -> Path:
    build_tiny_encoder(directory)
    for name, content in DOWNLOAD_EXTRAS.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(content, encoding="utf-8")
    return directory


def files_under(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def folder_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def embedded_fp32_bytes(onnx_path: Path) -> int:
    import onnx
    from onnx import TensorProto

    model = onnx.load(str(onnx_path), load_external_data=False)
    return sum(
        len(init.raw_data)
        for init in model.graph.initializer
        if init.data_type == TensorProto.FLOAT
    )


def old_layout(new: Path, old: Path, download: Path, cached_onnx: Path) -> None:
    """The folder as the previous save wrote it: the download's json/txt files copied too,
    and the int8 graph with its own fp32 embedding tables."""
    shutil.copytree(new, old)
    encoder = old / "embedding" / ENCODER_DIR
    for name in ("vocab.txt", "modules.json", "sentence_bert_config.json", "data_config.json"):
        shutil.copy2(download / name, encoder / name)
    shutil.copy2(cached_onnx, encoder / ONNX_INT8)


@pytest.fixture
def registered(settings: Settings, warehouse: Path, tmp_path: Path) -> tuple[str, Path]:
    download = tiny_download(tmp_path / "download")
    config = config_from_mapping(
        {"model_type": "ensemble", "base_model": str(download), "embedding_c": 10.0}
    )
    with duckdb.connect(str(warehouse)) as conn:
        result = train_and_register(settings, conn, config, show_progress=False)
    return result.model_version, download


def test_registered_ensemble_holds_exactly_what_serving_needs(
    settings: Settings, registered: tuple[str, Path]
) -> None:
    version, download = registered
    directory = version_dir(settings, version)
    assert files_under(directory) == ENSEMBLE_FILES
    encoder = directory / "embedding" / ENCODER_DIR
    # Same weights as the download (and so the same encoder id and embedding cache).
    assert weights_fingerprint(encoder) == weights_fingerprint(download)
    cached = settings.paths.registry_dir / "_embeddings" / "_onnx"
    (cached_onnx,) = cached.glob(f"*/{ONNX_INT8}")
    # The fp32 tables (embeddings, position embeddings) live in model.safetensors only:
    # the artefact's graph is at least that much smaller than the self-contained export.
    config = json.loads((download / "config.json").read_text(encoding="utf-8"))
    word_table = config["vocab_size"] * config["hidden_size"] * 4
    artefact_onnx = (encoder / ONNX_INT8).stat().st_size
    assert artefact_onnx <= cached_onnx.stat().st_size - word_table
    assert embedded_fp32_bytes(encoder / ONNX_INT8) < word_table
    # Size bound: the encoder folder is the weights once plus the int8 layers, nothing
    # else of size (the previous layout: weights + the whole export + vocab and extras).
    weights = (encoder / "model.safetensors").stat().st_size
    int8_layers = cached_onnx.stat().st_size - word_table
    assert folder_bytes(encoder) <= weights + int8_layers + 20_000


def test_registered_ensemble_predicts_as_the_old_layout(
    settings: Settings, registered: tuple[str, Path], tmp_path: Path
) -> None:
    version, download = registered
    directory = version_dir(settings, version)
    (cached_onnx,) = (settings.paths.registry_dir / "_embeddings" / "_onnx").glob(f"*/{ONNX_INT8}")
    old_version = version + "-old"
    old = settings.paths.registry_dir / old_version
    old_layout(directory, old, download, cached_onnx)
    meta = ModelMeta.read(old)
    ModelMeta(**{**meta.__dict__, "model_version": old_version}).write(old)
    assert folder_bytes(old) > folder_bytes(directory)

    new_model = load_version(settings, version)
    old_model = load_version(settings, old_version)
    new_encoder = new_model.classifier.embedding.encoder  # type: ignore[attr-defined]
    assert isinstance(new_encoder.backend, OnnxBackend)
    for model in (new_model, old_model):
        model.classifier.threshold = 2.0  # type: ignore[attr-defined]  # encode every text
        model.classifier.embedding.encoder.cache = None  # type: ignore[attr-defined]
    assert np.array_equal(new_model.predict_proba(TEXTS), old_model.predict_proba(TEXTS))
    vectors = new_encoder.encode(TEXTS)
    assert np.array_equal(vectors, old_model.classifier.embedding.encoder.encode(TEXTS))  # type: ignore[attr-defined]


def test_artefact_without_onnxruntime_answers_with_fp32_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    download = tiny_download(tmp_path / "download")
    examples = synthetic_examples()
    texts, labels = examples["text"].tolist(), examples["label"].tolist()
    config = config_from_mapping({"model_type": "embedding_linear", "embedding_c": 10.0})
    from supportlens.ml.embedding_linear import build_encoder

    encoder = build_encoder(download, "onnx_int8", 32, 16, cache_root=tmp_path / "cache")
    model = EmbeddingLinearClassifier.fit(texts, labels, config, encoder)
    in_memory = model.predict_proba(TEXTS)
    model.save(tmp_path / "artefact")
    assert files_under(tmp_path / "artefact") == {
        "head.joblib",
        *(f"{ENCODER_DIR}/{name}" for name in ENCODER_FILES),
    }
    fp32 = build_encoder(download, "torch_fp32", 32, 16)
    reference = EmbeddingLinearClassifier(fp32, model.head, model.labels).predict_proba(TEXTS)
    # Self-contained: moved elsewhere, with the base model and the export cache gone.
    shutil.move(tmp_path / "artefact", tmp_path / "elsewhere")
    shutil.rmtree(download)
    shutil.rmtree(tmp_path / "cache")
    loaded = EmbeddingLinearClassifier.load(tmp_path / "elsewhere", cache_root=None)
    assert isinstance(loaded.encoder.backend, OnnxBackend)
    assert np.array_equal(loaded.predict_proba(TEXTS), in_memory)

    monkeypatch.setattr("supportlens.ml.onnx_encoder.onnxruntime_available", lambda: False)
    fallback = EmbeddingLinearClassifier.load(tmp_path / "elsewhere", cache_root=None)
    assert isinstance(fallback.encoder.backend, TorchBackend)
    np.testing.assert_allclose(fallback.predict_proba(TEXTS), reference, atol=1e-6)


@pytest.mark.slow
def test_real_minilm_embedding_linear_folder_size(tmp_path: Path) -> None:
    """all-MiniLM-L6-v2: 147 MB before (90.9 MB weights + 59.2 MB int8 graph with its own
    fp32 embedding tables + tokenizer sources and sentence-transformers files)."""
    from supportlens.ml.config import resolve_base_model
    from supportlens.ml.embedding_linear import build_encoder

    examples = synthetic_examples()
    config = config_from_mapping({"model_type": "embedding_linear", "embedding_c": 10.0})
    encoder = build_encoder(
        resolve_base_model(""), "onnx_int8", 64, 64, cache_root=tmp_path / "cache"
    )
    texts, labels = examples["text"].tolist(), examples["label"].tolist()
    model = EmbeddingLinearClassifier.fit(texts, labels, config, encoder)
    model.save(tmp_path / "artefact")
    assert files_under(tmp_path / "artefact") == {
        "head.joblib",
        *(f"{ENCODER_DIR}/{name}" for name in ENCODER_FILES),
        f"{ENCODER_DIR}/special_tokens_map.json",
    }
    assert folder_bytes(tmp_path / "artefact") < 105_000_000
    loaded = EmbeddingLinearClassifier.load(tmp_path / "artefact", cache_root=None)
    assert np.array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))


@pytest.fixture
def saved_artefact(tmp_path: Path) -> Path:
    download = tiny_download(tmp_path / "download")
    examples = synthetic_examples()
    config = config_from_mapping({"model_type": "embedding_linear", "embedding_c": 10.0})
    from supportlens.ml.embedding_linear import build_encoder

    encoder = build_encoder(download, "onnx_int8", 32, 16, cache_root=tmp_path / "cache")
    model = EmbeddingLinearClassifier.fit(
        examples["text"].tolist(), examples["label"].tolist(), config, encoder
    )
    model.save(tmp_path / "artefact")
    return tmp_path / "artefact"


def test_replaced_safetensors_of_same_layout_is_refused_naming_the_file(
    saved_artefact: Path, tmp_path: Path
) -> None:
    """Another encoder's weights (same shapes, so the same offsets) would otherwise be read
    as the int8 graph's embedding tables: different vectors, no error."""
    other = build_tiny_encoder(tmp_path / "other", seed=1)
    weights = saved_artefact / ENCODER_DIR / "model.safetensors"
    shutil.copy2(other / "model.safetensors", weights)
    with pytest.raises(ValueError, match=f"{weights}.*{ONNX_INT8}"):
        EmbeddingLinearClassifier.load(saved_artefact, cache_root=None)


def test_safetensors_with_other_offsets_is_refused_naming_the_file(saved_artefact: Path) -> None:
    from safetensors.numpy import load_file, save_file

    weights = saved_artefact / ENCODER_DIR / "model.safetensors"
    tensors = load_file(str(weights))
    # One more tensor sorted first shifts every offset the graph recorded.
    save_file({"a.extra": np.zeros(4096, dtype=np.float32), **tensors}, str(weights))
    with pytest.raises(ValueError, match=f"{weights}.*{ONNX_INT8}"):
        EmbeddingLinearClassifier.load(saved_artefact, cache_root=None)


def test_missing_safetensors_is_named_with_the_graph_that_needs_it(saved_artefact: Path) -> None:
    weights = saved_artefact / ENCODER_DIR / "model.safetensors"
    weights.unlink()
    with pytest.raises(FileNotFoundError, match=f"{weights}.*{ONNX_INT8}"):
        EmbeddingLinearClassifier.load(saved_artefact, cache_root=None)


def test_artefact_loads_from_a_copy_and_writes_nothing(
    saved_artefact: Path, tmp_path: Path
) -> None:
    """Backups, restores and the API's read-only models volume copy or mount the folder:
    the graph's references are relative, and loading writes nothing into it."""
    copy = tmp_path / "restored"
    shutil.copytree(saved_artefact, copy)
    expected = EmbeddingLinearClassifier.load(saved_artefact, cache_root=None).predict_proba(TEXTS)
    shutil.rmtree(saved_artefact)
    before = {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in copy.rglob("*")}
    loaded = EmbeddingLinearClassifier.load(copy, cache_root=None)
    assert isinstance(loaded.encoder.backend, OnnxBackend)
    assert np.array_equal(loaded.predict_proba(TEXTS), expected)
    assert {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in copy.rglob("*")} == before
