"""The transformer path on a few dozen texts with the tiny config (1-3 short epochs)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from supportlens.cli import main
from supportlens.config import Settings
from supportlens.ml.baseline import TfidfLinearClassifier
from supportlens.ml.cascade import CascadeClassifier
from supportlens.ml.config import load_config, resolve_base_model
from supportlens.ml.data import Split
from supportlens.ml.device import DeviceSpec, select_device
from supportlens.ml.transformer import CHECKPOINT_FILE, EpochResult, TransformerTrainer
from tests.ml.conftest import TINY_CONFIG, query, synthetic_examples


def tiny_splits() -> tuple[Split, Split, list[str]]:
    frame = synthetic_examples()
    train = frame[frame["split"] == "train"].groupby("label").head(3)
    validation = frame[frame["split"] == "validation"].groupby("label").head(2)

    def split(part: pd.DataFrame) -> Split:
        return Split(part["example_id"].tolist(), part["text"].tolist(), part["label"].tolist())

    return split(train), split(validation), sorted(frame["label"].unique())


@pytest.mark.filterwarnings("ignore:CUDA is not available")
def test_select_device() -> None:
    gpu = select_device("auto", cuda_available=lambda: True)
    assert gpu.device_type == "cuda" and gpu.use_amp
    autocast = gpu.autocast()
    assert isinstance(autocast, torch.autocast)
    assert autocast.device == "cuda" and autocast.fast_dtype == torch.float16
    cpu = select_device("auto", num_threads=3, cuda_available=lambda: False)
    assert cpu.device_type == "cpu" and not cpu.use_amp and cpu.num_threads == 3
    assert isinstance(cpu.autocast(), contextlib.nullcontext)
    assert select_device("cpu", cuda_available=lambda: True).device_type == "cpu"
    with pytest.raises(RuntimeError, match="no CUDA"):
        select_device("cuda", cuda_available=lambda: False)


class RecordingScaler:
    """Stands in for a CUDA GradScaler: records the calls, delegates to a disabled one."""

    def __init__(self) -> None:
        self.inner = torch.amp.GradScaler("cpu", enabled=False)
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)

        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return record if name in ("scale", "unscale_", "step", "update") else attribute


@dataclass(frozen=True)
class RecordingSpec(DeviceSpec):
    """The CUDA spec's behaviour (amp on) with the tensors kept on CPU."""

    log: list[str] = dataclasses.field(default_factory=list)
    scaler: RecordingScaler = dataclasses.field(default_factory=RecordingScaler)

    @property
    def device(self) -> torch.device:
        return torch.device("cpu")

    def autocast(self) -> Any:
        self.log.append("autocast")
        return contextlib.nullcontext()

    def grad_scaler(self) -> Any:
        return self.scaler


@pytest.mark.slow
def test_amp_path_and_early_stopping(tmp_path: Path) -> None:
    train, validation, labels = tiny_splits()
    # A learning rate this small cannot change predictions: accuracy never improves after
    # epoch 1, so patience 1 stops training after epoch 2 of 3.
    config = dataclasses.replace(
        load_config(TINY_CONFIG), epochs=3, early_stopping_patience=1, learning_rate=1e-12
    )
    spec = RecordingSpec("cuda", use_amp=True, num_threads=1, name="fake gpu")
    torch.set_num_threads(1)  # the cpu branch would do this; the fake cuda spec does not
    trainer = TransformerTrainer(
        config, resolve_base_model(""), tmp_path, spec, show_progress=False
    )
    outcome = trainer.fit(train, validation, labels)
    assert outcome.stopped_early and [h.epoch for h in outcome.history] == [1, 2]
    steps = 2 * int(np.ceil(len(train) / config.batch_size))
    assert spec.scaler.calls.count("scale") == steps
    assert spec.scaler.calls.count("step") == steps and spec.scaler.calls.count("update") == steps
    assert spec.log.count("autocast") >= steps  # every training step (and eval batches)
    assert outcome.best_epoch == 1


@pytest.mark.slow
def test_resume_after_interruption(tmp_path: Path) -> None:
    train, validation, labels = tiny_splits()
    config = dataclasses.replace(load_config(TINY_CONFIG), epochs=2)
    spec = select_device("cpu", 1)
    seen: list[int] = []

    def interrupt(result: EpochResult) -> None:
        seen.append(result.epoch)
        if result.epoch == 1:
            raise KeyboardInterrupt  # as if Ctrl-C after the epoch-1 checkpoint

    base = resolve_base_model("")
    with pytest.raises(KeyboardInterrupt):
        TransformerTrainer(config, base, tmp_path, spec, interrupt, show_progress=False).fit(
            train, validation, labels
        )
    assert (tmp_path / CHECKPOINT_FILE).is_file()
    seen.clear()
    outcome = TransformerTrainer(
        config, base, tmp_path, spec, lambda r: seen.append(r.epoch), show_progress=False
    ).fit(train, validation, labels)
    assert outcome.resumed_from_epoch == 1
    assert seen == [2]  # only the missing epoch ran
    assert [h.epoch for h in outcome.history] == [1, 2]
    probabilities = outcome.classifier.predict_proba(["reset my pin code"])
    assert probabilities.shape == (1, 4) and probabilities.sum() == pytest.approx(1, abs=1e-4)

    # The trained transformer inside a saved + reloaded cascade, int8 at load time.
    baseline = TfidfLinearClassifier.fit(train.texts, train.labels, config)
    cascade = CascadeClassifier(baseline, outcome.classifier, threshold=2.0, weight=1.0)
    cascade.save(tmp_path / "cascade")
    loaded = CascadeClassifier.load(tmp_path / "cascade", spec, quantize=True)
    assert loaded.transformer.quantized
    reloaded = loaded.predict_proba(["reset my pin code"])
    assert loaded.last_escalated == 1  # threshold above 1: every text reaches the transformer
    np.testing.assert_allclose(reloaded, probabilities, atol=0.05)  # int8 stays close


@pytest.mark.slow
def test_tiny_transformer_end_to_end(
    settings: Settings, warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--config", str(TINY_CONFIG)]) == 0
    version = capsys.readouterr().out.split("registered ", 1)[1].split(" ", 1)[0]
    folder = settings.paths.registry_dir / version
    for name in ("config.json", "model.safetensors", "tokenizer.json", "labels.json"):
        assert (folder / name).is_file(), name
    config = json.loads((folder / "config.json").read_text())
    assert sorted(config["id2label"].values()) == json.loads((folder / "labels.json").read_text())
    card = json.loads((folder / "model_card.json").read_text())
    assert [h["epoch"] for h in card["history"]] == [1]
    assert not (settings.paths.registry_dir / "_work").exists() or not any(
        (settings.paths.registry_dir / "_work").iterdir()
    )  # checkpoints removed once registered
    source = tmp_path / "texts.csv"
    pd.DataFrame({"text": ["where is my card", "refund please"]}).to_csv(source, index=False)
    out = tmp_path / "out.csv"
    assert main(["predict", "--input", str(source), "--output", str(out)]) == 0
    scored = pd.read_csv(out)
    assert set(scored["model_version"]) == {version}
    assert set(scored["predicted_label"]) <= set(card["data"]["labels"])
    assert main(["evaluate", "--model-version", version, "--split", "validation"]) == 0
    rows = query(
        warehouse, "select count(*) from ml_per_class_metrics where model_version = ?", [version]
    )
    assert rows[0][0] == 4


class FixedClassifier:
    def __init__(self, labels: list[str], row: list[float]) -> None:
        self.labels = labels
        self.row = np.array(row)
        self.seen: list[str] = []

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return np.tile(self.row, (len(texts), 1))


def test_cascade_sends_only_unsure_texts() -> None:
    labels = ["a", "b"]
    baseline = FixedClassifier(labels, [0.6, 0.4])
    baseline.predict_proba = lambda texts: np.array(  # type: ignore[method-assign]
        [[0.95, 0.05] if "sure" in t else [0.6, 0.4] for t in texts]
    )
    deep = FixedClassifier(labels, [0.0, 1.0])
    cascade = CascadeClassifier(baseline, deep, threshold=0.9, weight=0.5)  # type: ignore[arg-type]
    result = cascade.predict_proba(["sure thing", "hmm", "also sure"])
    assert deep.seen == ["hmm"] and cascade.last_escalated == 1
    np.testing.assert_allclose(result, [[0.95, 0.05], [0.3, 0.7], [0.95, 0.05]])
