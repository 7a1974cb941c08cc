"""Frozen sentence encoder + multinomial logistic regression.

No back-propagation through the encoder: one forward pass per text (cached, see
`supportlens.ml.embedding`) and a linear model on 384 dimensions. On BANKING77 this beats
fine-tuning MiniLM on a 2-core CPU at a fraction of the cost (docs/benchmarks.md).

Artefact layout (`directory/`), self-contained (the API loads it with nothing else):
    encoder/            config.json, model.safetensors (fp32 weights: the PyTorch fallback
                        without onnxruntime, and the fingerprint), the tokenizer
                        (tokenizer.json + tokenizer_config.json [+ special_tokens_map.json]),
                        encoder.json (max_length, batch size, backend, weights fingerprint),
                        encoder.int8.onnx (the fast path, exported at training time; its
                        fp32 embedding tables are external data inside model.safetensors,
                        see `write_sharing_weights`: the two files go together)
    head.joblib         the fitted LogisticRegression and the label order

Not copied from the base model folder: README, 1_Pooling/ and sentence-transformers' own
files (pooling is fixed to mean in code and recorded in encoder.json), its training-data
list (data_config.json), vocab.txt / *.model / merges.txt when tokenizer.json holds the
tokenizer, and .bin weights when .safetensors exist (one copy of the weights).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

from supportlens.ml.config import TrainConfig
from supportlens.ml.embedding import (
    ENCODER_FILE,
    SentenceEncoder,
    default_cache_root,
    encoder_settings,
    weights_fingerprint,
)
from supportlens.ml.onnx_encoder import ONNX_INT8, make_backend, write_sharing_weights

log = logging.getLogger(__name__)

HEAD_FILE = "head.joblib"
ENCODER_DIR = "encoder"
#: What of a Hugging Face model folder the artefact needs, besides the weights.
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
#: The tokenizer's sources, needed only when there is no tokenizer.json to load instead.
_TOKENIZER_SOURCES = ("vocab.txt", "vocab.json", "merges.txt", "*.model", "added_tokens.json")


def model_files(source: Path) -> list[Path]:
    """The files of a Hugging Face model folder that loading encoder + tokenizer needs."""
    weights = sorted(source.glob("*.safetensors")) or sorted(source.glob("*.bin"))
    if not weights:
        raise FileNotFoundError(f"{source}: no *.safetensors or *.bin weights")
    names = ["config.json", *_TOKENIZER_FILES]
    if not (source / "tokenizer.json").is_file():
        names += [p.name for pattern in _TOKENIZER_SOURCES for p in source.glob(pattern)]
    return [*weights, *(source / name for name in names if (source / name).is_file())]


def build_encoder(
    model_dir: Path,
    backend: str,
    max_length: int,
    batch_size: int,
    num_threads: int = 0,
    cache_root: Path | None = None,
    onnx_dir: Path | None = None,
    fingerprint: str = "",
) -> SentenceEncoder:
    fingerprint = fingerprint or weights_fingerprint(model_dir)
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if onnx_dir is None and cache_root is not None:
        onnx_dir = cache_root / "_onnx" / fingerprint
    return SentenceEncoder(
        model_dir,
        make_backend(backend, model_dir, onnx_dir, num_threads),
        max_length,
        batch_size,
        fingerprint,
        int(config["hidden_size"]),
        cache_root,
    )


def fit_head(vectors: np.ndarray, labels: list[str], c: float, seed: int) -> LogisticRegression:
    # lbfgs on the multinomial loss: one model over all classes, calibrated probabilities
    # (needed by the ensemble and the confidence thresholds downstream).
    head = LogisticRegression(C=c, max_iter=3000, random_state=seed)
    return head.fit(vectors, labels)


class EmbeddingLinearClassifier:
    def __init__(self, encoder: SentenceEncoder, head: LogisticRegression, labels: list[str]):
        self.encoder = encoder
        self.head = head
        self.labels = labels
        fitted = list(head.classes_)
        self._columns = np.array([fitted.index(label) for label in labels])

    @classmethod
    def fit(
        cls,
        texts: list[str],
        labels: list[str],
        config: TrainConfig,
        encoder: SentenceEncoder,
        show_progress: bool = False,
    ) -> EmbeddingLinearClassifier:
        vectors = encoder.encode(texts, show_progress=show_progress)
        head = fit_head(vectors, labels, config.embedding_c, config.seed)
        return cls(encoder, head, sorted(set(labels)))

    def refit(
        self, texts: list[str], labels: list[str], config: TrainConfig
    ) -> EmbeddingLinearClassifier:
        """A new head on more data with the same encoder (known texts come from the cache)."""
        return EmbeddingLinearClassifier.fit(texts, labels, config, self.encoder)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self.head.predict_proba(self.encoder.encode(texts))[:, self._columns]

    def save(self, directory: Path) -> None:
        target = directory / ENCODER_DIR
        target.mkdir(parents=True, exist_ok=True)
        source = self.encoder.model_dir
        if source.resolve() != target.resolve():
            for path in model_files(source):
                shutil.copy2(path, target / path.name)
        backend = getattr(self.encoder.backend, "name", "torch_fp32")
        onnx = _onnx_file(self.encoder)
        if onnx is not None and onnx.resolve() != (target / ONNX_INT8).resolve():
            safetensors = target / "model.safetensors"
            if safetensors.is_file():
                write_sharing_weights(onnx, target / ONNX_INT8, safetensors)
            else:  # .bin weights: nothing to point into
                shutil.copy2(onnx, target / ONNX_INT8)
        settings = {
            "pooling": "mean",
            "normalize": True,
            "max_length": self.encoder.max_length,
            "batch_size": self.encoder.batch_size,
            "backend": backend,
            "fingerprint": self.encoder.fingerprint,
            "source": str(source),
        }
        (target / ENCODER_FILE).write_text(json.dumps(settings, indent=1), encoding="utf-8")
        joblib.dump({"head": self.head, "labels": self.labels}, directory / HEAD_FILE)

    @classmethod
    def load(
        cls,
        directory: Path,
        backend: str | None = None,
        cache_root: Path | Literal["configured"] | None = "configured",
        num_threads: int = 0,
    ) -> EmbeddingLinearClassifier:
        """`backend` overrides the recorded one (e.g. torch_fp32 to compare); `cache_root`
        "configured": `[ml] embedding_cache_dir` (default beside the version), None: none."""
        model_dir = directory / ENCODER_DIR
        settings = encoder_settings(model_dir)
        if not settings:
            raise FileNotFoundError(f"{model_dir / ENCODER_FILE}: encoder settings missing")
        root = default_cache_root(directory.parent) if cache_root == "configured" else cache_root
        encoder = build_encoder(
            model_dir,
            backend or settings["backend"],
            int(settings["max_length"]),
            int(settings["batch_size"]),
            num_threads,
            root,
            onnx_dir=model_dir,
            fingerprint=str(settings["fingerprint"]),
        )
        payload: dict[str, Any] = joblib.load(directory / HEAD_FILE)
        return cls(encoder, payload["head"], payload["labels"])


def _onnx_file(encoder: SentenceEncoder) -> Path | None:
    path = getattr(encoder.backend, "path", None)
    return Path(path) if path is not None else None
