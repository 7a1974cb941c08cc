"""Fine-tuning a BERT-family encoder for intent classification, and batched inference.

A small hand-written loop rather than `Trainer`: on 2 CPU cores the win comes from
length-bucketed batches (little padding) and tokenising once, which the loop controls
directly; it also keeps checkpoint/resume and the device abstraction explicit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import random
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from supportlens.ml.config import TrainConfig
from supportlens.ml.data import Split
from supportlens.ml.device import DeviceSpec, apply_threads
from supportlens.ml.metrics import accuracy, macro_f1

log = logging.getLogger(__name__)

CHECKPOINT_FILE = "checkpoint.pt"
BEST_DIR = "best"
LABELS_FILE = "labels.json"
INFERENCE_FILE = "inference.json"
MEAN_HEAD_FILE = "mean_head.pt"


def _offline() -> None:
    # Models come from local directories only; never reach for a hub at run time.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def load_tokenizer(directory: Path) -> Any:
    _offline()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(directory), local_files_only=True)


def load_model(directory: Path, labels: list[str] | None = None) -> Any:
    _offline()
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # "newly initialised classifier" is expected here
    kwargs: dict[str, Any] = {"local_files_only": True}
    if labels is not None:
        kwargs.update(
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={label: i for i, label in enumerate(labels)},
        )
    return AutoModelForSequenceClassification.from_pretrained(str(directory), **kwargs)


class MeanPooledClassifier(torch.nn.Module):
    """Encoder -> attention-mask mean pooling -> L2 normalisation -> linear head.

    The pooling all-MiniLM-L6-v2 was trained with (CLS + an untrained pooler is what
    `AutoModelForSequenceClassification` would use). Normalising before the head makes its
    input the vectors the frozen-encoder logistic regression sees, so that LR's weights can
    be copied in as the starting point (`head_init: frozen_lr`).
    """

    def __init__(self, encoder: Any, num_labels: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(int(encoder.config.hidden_size), num_labels)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
    ) -> SimpleNamespace:
        from supportlens.ml.embedding import mean_pool_normalise

        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        logits = self.head(mean_pool_normalise(hidden.last_hidden_state, attention_mask))
        loss = None if labels is None else torch.nn.functional.cross_entropy(logits, labels)
        return SimpleNamespace(logits=logits, loss=loss)

    def save_pretrained(self, directory: str) -> None:
        self.encoder.save_pretrained(directory)
        torch.save(self.head.state_dict(), Path(directory) / MEAN_HEAD_FILE)

    @classmethod
    def from_pretrained(cls, directory: Path, num_labels: int) -> MeanPooledClassifier:
        _offline()
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        # No pooler: mean pooling replaces it (and an unused pooler would get no gradient).
        encoder = AutoModel.from_pretrained(
            str(directory), local_files_only=True, add_pooling_layer=False
        )
        model = cls(encoder, num_labels)
        head = directory / MEAN_HEAD_FILE
        if head.is_file():
            model.head.load_state_dict(torch.load(head, map_location="cpu", weights_only=True))
        return model


def build_model(directory: Path, labels: list[str], pooling: str) -> Any:
    if pooling == "mean":
        return MeanPooledClassifier.from_pretrained(directory, len(labels))
    return load_model(directory, labels)


def lr_head_weights(
    classes: list[str], coef: np.ndarray, intercept: np.ndarray, labels: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """A fitted LogisticRegression's weights as (num_labels, dim) rows in `labels` order.

    Softmax of these logits equals the LR's predict_proba. Binary LR stores one row w for
    the second class: logits (0, w.x + b) give the same sigmoid. A label the LR never saw
    gets zero weights and a bias far below the others (it starts out never predicted).
    """
    if len(classes) == 2 and coef.shape[0] == 1:
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    weight = np.zeros((len(labels), coef.shape[1]), dtype=np.float32)
    bias = np.full(len(labels), float(intercept.min()) - 20.0, dtype=np.float32)
    position = {label: i for i, label in enumerate(classes)}
    for row, label in enumerate(labels):
        if label in position:
            weight[row] = coef[position[label]]
            bias[row] = intercept[position[label]]
    return weight, bias


_LAYER = re.compile(r"(?:^|\.)layers?\.(\d+)\.")
_HEAD_PREFIXES = ("head.", "classifier.")


def param_groups(model: Any, config: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: the head at `learning_rate`, the encoder at `encoder_learning_rate`
    (0: the same), scaled by `layer_lr_decay` per layer counted from the top; embeddings sit
    below the lowest layer. Each group carries a `name` so tests and logs can see it."""
    encoder_lr = config.encoder_learning_rate or config.learning_rate
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    layers = [int(m.group(1)) for n, _ in named if (m := _LAYER.search(n))]
    depth = max(layers) + 1 if layers else 0
    groups: dict[str, dict[str, Any]] = {}

    def add(name: str, lr: float, param: torch.nn.Parameter) -> None:
        group = groups.setdefault(
            name, {"name": name, "lr": lr, "weight_decay": config.weight_decay, "params": []}
        )
        group["params"].append(param)

    for name, param in named:
        if name.startswith(_HEAD_PREFIXES):
            add("head", config.learning_rate, param)
        elif match := _LAYER.search(name):
            layer = int(match.group(1))
            add(f"layer.{layer}", encoder_lr * config.layer_lr_decay ** (depth - 1 - layer), param)
        elif "embeddings" in name:
            add("embeddings", encoder_lr * config.layer_lr_decay**depth, param)
        else:  # e.g. the CLS pooler: sits above the layers
            add("encoder.other", encoder_lr, param)
    return list(groups.values())


@dataclass(frozen=True)
class Encoded:
    input_ids: list[list[int]]


def encode(tokenizer: Any, texts: list[str], max_length: int) -> Encoded:
    output = tokenizer(texts, truncation=True, max_length=max_length, padding=False)
    return Encoded(input_ids=output["input_ids"])


def collate(sequences: list[list[int]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence, dtype=torch.long)
        mask[row, : len(sequence)] = 1
    return {"input_ids": ids, "attention_mask": mask}


def length_bucketed_batches(
    lengths: list[int], batch_size: int, rng: random.Random | None
) -> list[list[int]]:
    """Batches of similar-length items, so padding (wasted compute) stays small.

    Training (rng given): shuffle, sort within windows of 50 batches, shuffle the batches —
    random enough for SGD. Inference (rng None): sort everything by length.
    """
    order = list(range(len(lengths)))
    if rng is None:
        order.sort(key=lambda i: lengths[i])
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(order)
    window = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


class TransformerClassifier:
    """Inference wrapper: tokenise, bucket by length, batch, softmax."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        labels: list[str],
        max_length: int,
        batch_size: int,
        spec: DeviceSpec,
        pooling: str = "cls",
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.labels = labels
        self.max_length = max_length
        self.batch_size = batch_size
        self.spec = spec
        self.pooling = pooling
        self.quantized = False
        self.model.to(spec.device)
        self.model.eval()

    def quantize(self) -> None:
        """Dynamic int8 weights for the Linear layers (CPU only): ~2x faster inference."""
        if self.spec.device_type != "cpu" or self.quantized:
            return
        from torch.ao.quantization import quantize_dynamic

        with warnings.catch_warnings():
            # torch 2.13 flags eager-mode quantisation as deprecated (moving to torchao);
            # it still works and torchao is not a dependency here.
            warnings.simplefilter("ignore", (DeprecationWarning, UserWarning, FutureWarning))
            self.model = quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        self.quantized = True

    def predict_proba(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        encoded = encode(self.tokenizer, texts, self.max_length)
        lengths = [len(s) for s in encoded.input_ids]
        batches = length_bucketed_batches(lengths, self.batch_size, rng=None)
        result = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        pad_id = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for batch in tqdm(batches, desc="inference", disable=not show_progress, leave=False):
                inputs = collate([encoded.input_ids[i] for i in batch], pad_id)
                inputs = {k: v.to(self.spec.device) for k, v in inputs.items()}
                with self.spec.autocast():
                    logits = self.model(**inputs).logits
                result[batch] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return result

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(directory))
        self.tokenizer.save_pretrained(str(directory))
        (directory / LABELS_FILE).write_text(json.dumps(self.labels, indent=1), encoding="utf-8")
        inference = {
            "max_length": self.max_length,
            "batch_size": self.batch_size,
            "pooling": self.pooling,
        }
        (directory / INFERENCE_FILE).write_text(json.dumps(inference), encoding="utf-8")

    @classmethod
    def load(
        cls, directory: Path, spec: DeviceSpec, quantize: bool = False
    ) -> TransformerClassifier:
        labels = json.loads((directory / LABELS_FILE).read_text(encoding="utf-8"))
        inference = json.loads((directory / INFERENCE_FILE).read_text(encoding="utf-8"))
        pooling = inference.get("pooling", "cls")  # older artefacts: CLS
        model = (
            MeanPooledClassifier.from_pretrained(directory, len(labels))
            if pooling == "mean"
            else load_model(directory)
        )
        classifier = cls(
            model,
            load_tokenizer(directory),
            labels,
            inference["max_length"],
            inference["batch_size"],
            spec,
            pooling,
        )
        if quantize:
            classifier.quantize()
        return classifier


@dataclass
class EpochResult:
    epoch: int
    train_loss: float
    val_loss: float
    val_accuracy: float
    val_macro_f1: float
    seconds: float


@dataclass
class TrainingState:
    """Everything needed to continue after an interruption, saved after every epoch."""

    fingerprint: str
    epoch: int = 0
    best_accuracy: float = -1.0
    best_epoch: int = 0
    epochs_without_improvement: int = 0
    finished: bool = False
    history: list[EpochResult] = field(default_factory=list)


@dataclass
class TrainingOutcome:
    classifier: TransformerClassifier
    history: list[EpochResult]
    best_epoch: int
    stopped_early: bool
    resumed_from_epoch: int
    # head_init frozen_lr: validation accuracy before any step (= the frozen LR's).
    initial_val_accuracy: float | None = None
    hit_time_cap: bool = False


def training_step(
    model: Any,
    batch: dict[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    scaler: Any,
    spec: DeviceSpec,
    max_grad_norm: float = 1.0,
) -> float:
    """One optimisation step; autocast + loss scaling are what the CUDA path adds."""
    optimizer.zero_grad(set_to_none=True)
    with spec.autocast():
        loss = model(**batch).loss
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    scaler.step(optimizer)
    scaler.update()
    scheduler.step()
    return float(loss.detach().float())


def data_fingerprint(split: Split, labels: list[str]) -> str:
    digest = hashlib.sha256()
    for example_id, label in zip(split.ids, split.labels, strict=True):
        digest.update(f"{example_id}\t{label}\n".encode())
    digest.update(json.dumps(labels).encode())
    return digest.hexdigest()[:12]


def _nll(probabilities: np.ndarray, targets: np.ndarray) -> float:
    picked = probabilities[np.arange(len(targets)), targets]
    return float(-np.log(np.clip(picked, 1e-12, 1.0)).mean())


class TransformerTrainer:
    """Fine-tunes `base_model_dir`, checkpointing into `work_dir` after every epoch."""

    def __init__(
        self,
        config: TrainConfig,
        base_model_dir: Path,
        work_dir: Path,
        spec: DeviceSpec,
        on_epoch_end: Callable[[EpochResult], None] | None = None,
        resume: bool = True,
        show_progress: bool = True,
        cache_root: Path | None = None,
    ) -> None:
        self.cache_root = cache_root  # embedding cache for head_init: frozen_lr
        self.config = config
        self.base_model_dir = base_model_dir
        self.work_dir = work_dir
        self.spec = spec
        self.on_epoch_end = on_epoch_end
        self.resume = resume
        self.show_progress = show_progress

    def _seed(self) -> None:
        random.seed(self.config.seed)
        np.random.seed(self.config.seed)
        torch.manual_seed(self.config.seed)

    def _load_state(self, fingerprint: str) -> dict[str, Any] | None:
        path = self.work_dir / CHECKPOINT_FILE
        if not (self.resume and path.is_file()):
            return None
        saved = torch.load(path, map_location="cpu", weights_only=False)
        if saved["state"].fingerprint != fingerprint:
            log.warning(
                "checkpoint is for another config or data; starting fresh",
                extra={"checkpoint": str(path)},
            )
            return None
        return saved

    def _save_checkpoint(self, payload: dict[str, Any]) -> None:
        path = self.work_dir / CHECKPOINT_FILE
        tmp = path.with_suffix(".tmp")
        torch.save(payload, tmp)
        os.replace(tmp, path)  # a crash mid-write never leaves a half checkpoint

    def fit(self, train: Split, validation: Split, labels: list[str]) -> TrainingOutcome:
        config = self.config
        apply_threads(self.spec)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        fingerprint = f"{config.fingerprint()}-{data_fingerprint(train, labels)}"
        self._seed()
        tokenizer = load_tokenizer(self.base_model_dir)
        model = build_model(self.base_model_dir, labels, config.pooling)
        if config.head_init == "frozen_lr":
            self._init_head_from_frozen_lr(model, train, labels)
        model = model.to(self.spec.device)
        label_index = {label: i for i, label in enumerate(labels)}
        train_ids = encode(tokenizer, train.texts, config.max_length).input_ids
        train_targets = [label_index[label] for label in train.labels]
        val_targets = np.array([label_index.get(label, -1) for label in validation.labels])
        pad_id = tokenizer.pad_token_id or 0

        steps_per_epoch = math.ceil(len(train_ids) / config.batch_size)
        total_steps = steps_per_epoch * config.epochs
        groups = param_groups(model, config)
        optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
        log.info("param groups", extra={"lrs": {g["name"]: g["lr"] for g in groups}})
        from transformers import get_linear_schedule_with_warmup

        scheduler = get_linear_schedule_with_warmup(
            optimizer, int(config.warmup_ratio * total_steps), total_steps
        )
        scaler = self.spec.grad_scaler()
        state = TrainingState(fingerprint=fingerprint)
        saved = self._load_state(fingerprint)
        if saved is not None:
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
            scheduler.load_state_dict(saved["scheduler"])
            scaler.load_state_dict(saved["scaler"])
            state = saved["state"]
            random.setstate(saved["python_rng"])
            torch.set_rng_state(saved["torch_rng"])
            log.info("resumed from checkpoint", extra={"epoch": state.epoch})
        resumed_from = state.epoch
        inference = TransformerClassifier(
            model,
            tokenizer,
            labels,
            config.max_length,
            config.eval_batch_size,
            self.spec,
            config.pooling,
        )
        initial_accuracy: float | None = None
        if config.head_init == "frozen_lr" and state.epoch == 0:
            # The starting point is a model in its own right (the frozen LR): fine-tuning is
            # kept only if some epoch beats it on validation.
            model.eval()
            initial = inference.predict_proba(validation.texts).argmax(axis=1)
            initial_accuracy = accuracy(val_targets, initial)
            state.best_accuracy = initial_accuracy
            inference.save(self.work_dir / BEST_DIR)
            log.info("frozen-LR head before training", extra={"val_accuracy": initial_accuracy})
        deadline = (
            time.monotonic() + 60 * config.max_train_minutes if config.max_train_minutes else None
        )
        hit_cap = False
        stopped_early = False
        while state.epoch < config.epochs and not state.finished:
            epoch = state.epoch + 1
            started = time.perf_counter()
            model.train()
            lengths = [len(s) for s in train_ids]
            # A per-epoch seed makes the shuffle identical whether or not we resumed.
            epoch_rng = random.Random(epoch * 7919 + config.seed)
            batches = length_bucketed_batches(lengths, config.batch_size, epoch_rng)
            losses: list[float] = []
            progress = tqdm(
                batches, desc=f"epoch {epoch}/{config.epochs}", disable=not self.show_progress
            )
            for batch in progress:
                inputs = collate([train_ids[i] for i in batch], pad_id)
                inputs["labels"] = torch.tensor([train_targets[i] for i in batch])
                inputs = {k: v.to(self.spec.device) for k, v in inputs.items()}
                losses.append(training_step(model, inputs, optimizer, scheduler, scaler, self.spec))
                if len(losses) % 20 == 0:
                    progress.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
                if deadline is not None and time.monotonic() > deadline:
                    hit_cap = True
                    log.info(
                        "max_train_minutes reached",
                        extra={"epoch": epoch, "steps": len(losses), "of": len(batches)},
                    )
                    break
            model.eval()
            probabilities = inference.predict_proba(validation.texts)
            predicted = probabilities.argmax(axis=1)
            known = val_targets >= 0
            result = EpochResult(
                epoch=epoch,
                train_loss=float(np.mean(losses)),
                val_loss=_nll(probabilities[known], val_targets[known]),
                val_accuracy=accuracy(val_targets, predicted),
                val_macro_f1=macro_f1(val_targets, predicted, len(labels)),
                seconds=time.perf_counter() - started,
            )
            state.history.append(result)
            state.epoch = epoch
            log.info("epoch done", extra=asdict(result))
            if result.val_accuracy > state.best_accuracy:
                state.best_accuracy = result.val_accuracy
                state.best_epoch = epoch
                state.epochs_without_improvement = 0
                inference.save(self.work_dir / BEST_DIR)
            else:
                state.epochs_without_improvement += 1
            patience = config.early_stopping_patience
            if patience and state.epochs_without_improvement >= patience:
                state.finished = stopped_early = True
                log.info("early stopping", extra={"epoch": epoch, "best_epoch": state.best_epoch})
            if hit_cap:
                state.finished = True
            self._save_checkpoint(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "scaler": scaler.state_dict(),
                    "state": state,
                    "python_rng": random.getstate(),
                    "torch_rng": torch.get_rng_state(),
                }
            )
            if self.on_epoch_end is not None:
                self.on_epoch_end(result)
        state.finished = True
        best = TransformerClassifier.load(self.work_dir / BEST_DIR, self.spec)
        best.batch_size = config.eval_batch_size
        return TrainingOutcome(
            classifier=best,
            history=state.history,
            best_epoch=state.best_epoch,
            stopped_early=stopped_early,
            resumed_from_epoch=resumed_from,
            initial_val_accuracy=initial_accuracy,
            hit_time_cap=hit_cap,
        )

    def _init_head_from_frozen_lr(
        self, model: MeanPooledClassifier, train: Split, labels: list[str]
    ) -> None:
        """Fit the LR on frozen, mean-pooled, L2-normalised embeddings and copy it in."""
        from supportlens.ml.embedding_linear import build_encoder, fit_head

        # fp32 torch: the embeddings of exactly the encoder about to be fine-tuned, so the
        # initialised model reproduces the LR (int8 ONNX vectors differ slightly).
        encoder = build_encoder(
            self.base_model_dir,
            "torch_fp32",
            self.config.max_length,
            self.config.eval_batch_size,
            self.config.num_threads,
            cache_root=self.cache_root,
        )
        vectors = encoder.encode(train.texts, show_progress=self.show_progress, store=True)
        lr = fit_head(vectors, train.labels, self.config.embedding_c, self.config.seed)
        weight, bias = lr_head_weights(list(lr.classes_), lr.coef_, lr.intercept_, labels)
        with torch.no_grad():
            model.head.weight.copy_(torch.from_numpy(weight))
            model.head.bias.copy_(torch.from_numpy(bias))
        log.info(
            "head initialised from frozen-encoder LR",
            extra={"texts_encoded": encoder.texts_encoded, "c": self.config.embedding_c},
        )
