"""Fine-tuning options (issue 15): mean pooling, head initialised from the frozen-encoder LR,
encoder/layer-wise learning rates, the wall-clock cap; on a tiny random BERT."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch

from supportlens.ml.config import ConfigValidationError, config_from_mapping
from supportlens.ml.data import Split
from supportlens.ml.device import select_device
from supportlens.ml.embedding_linear import build_encoder, fit_head
from supportlens.ml.transformer import (
    MeanPooledClassifier,
    TransformerClassifier,
    TransformerTrainer,
    build_model,
    load_tokenizer,
    param_groups,
)
from tests.ml.conftest import synthetic_examples
from tests.ml.tiny_encoder import build_tiny_encoder

CPU = select_device("cpu", num_threads=1)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder"))


def splits() -> tuple[Split, Split, list[str]]:
    frame = synthetic_examples()
    train = frame[frame["split"] == "train"].groupby("label").head(4)
    validation = frame[frame["split"] == "validation"].groupby("label").head(3)

    def split(part) -> Split:  # type: ignore[no-untyped-def]
        return Split(part["example_id"].tolist(), part["text"].tolist(), part["label"].tolist())

    return split(train), split(validation), sorted(frame["label"].unique())


def config(**values: object):  # type: ignore[no-untyped-def]
    base = {
        "model_type": "transformer",
        "pooling": "mean",
        "head_init": "frozen_lr",
        "max_length": 32,
        "batch_size": 8,
        "eval_batch_size": 16,
        "epochs": 1,
        "device": "cpu",
        "num_threads": 1,
    }
    return config_from_mapping({**base, **values})


def test_mean_pooling_ignores_padding(tiny_dir: Path) -> None:
    model = MeanPooledClassifier.from_pretrained(tiny_dir, 3).eval()
    tokenizer = load_tokenizer(tiny_dir)
    short = tokenizer(["hi"])["input_ids"][0]
    long = tokenizer(["i forgot my pin please where is my new card"])["input_ids"][0]
    width = len(long)
    ids = torch.zeros((2, width), dtype=torch.long)
    mask = torch.zeros((2, width), dtype=torch.long)
    ids[0, : len(short)] = torch.tensor(short)
    mask[0, : len(short)] = 1
    # Padding positions hold a real token id (not [PAD]) so they would change any pooling
    # that looked at them; the mask alone must exclude them.
    ids[0, len(short) :] = long[1]
    ids[1], mask[1] = torch.tensor(long), 1
    with torch.no_grad():
        batched = model(ids, mask).logits[0]
        alone = model(torch.tensor([short]), torch.ones((1, len(short)), dtype=torch.long)).logits
    torch.testing.assert_close(batched, alone[0], atol=1e-5, rtol=1e-5)


def test_head_from_frozen_lr_predicts_like_the_lr_before_training(
    tiny_dir: Path, tmp_path: Path
) -> None:
    train, validation, labels = splits()
    cfg = config(embedding_c=5.0)
    trainer = TransformerTrainer(cfg, tiny_dir, tmp_path / "work", CPU, show_progress=False)
    model = build_model(tiny_dir, labels, "mean")
    head_before = model.head.weight.detach().clone()
    trainer._init_head_from_frozen_lr(model, train, labels)
    assert not torch.equal(head_before, model.head.weight)
    classifier = TransformerClassifier(model, load_tokenizer(tiny_dir), labels, 32, 16, CPU, "mean")

    encoder = build_encoder(tiny_dir, "torch_fp32", 32, 16)
    lr = fit_head(encoder.encode(train.texts), train.labels, 5.0, cfg.seed)
    expected = lr.predict_proba(encoder.encode(validation.texts))
    columns = [list(lr.classes_).index(label) for label in labels]
    got = classifier.predict_proba(validation.texts)
    np.testing.assert_allclose(got, expected[:, columns], atol=1e-4)
    assert (got.argmax(1) == expected[:, columns].argmax(1)).all()


def test_frozen_lr_start_is_kept_unless_an_epoch_beats_it(tiny_dir: Path, tmp_path: Path) -> None:
    train, validation, labels = splits()
    # A learning rate that wrecks the model: the saved best must stay the LR start.
    cfg = config(learning_rate=0.5, encoder_learning_rate=0.5, embedding_c=5.0)
    trainer = TransformerTrainer(
        cfg, tiny_dir, tmp_path / "work", CPU, show_progress=False, cache_root=tmp_path / "emb"
    )
    outcome = trainer.fit(train, validation, labels)
    assert outcome.initial_val_accuracy is not None
    assert outcome.classifier.pooling == "mean"
    targets = np.array([labels.index(label) for label in validation.labels])
    reloaded = outcome.classifier.predict_proba(validation.texts).argmax(1)
    best = max(outcome.initial_val_accuracy, *(r.val_accuracy for r in outcome.history))
    assert float((reloaded == targets).mean()) == pytest.approx(best)
    if outcome.best_epoch == 0:
        assert best == outcome.initial_val_accuracy
    # The train embeddings went into the shared cache (a re-run encodes nothing).
    assert any((tmp_path / "emb").rglob("*.npz"))


def test_param_groups_have_the_configured_learning_rates(tiny_dir: Path) -> None:
    cfg = config(learning_rate=1e-3, encoder_learning_rate=1e-4, layer_lr_decay=0.5)
    model = build_model(tiny_dir, ["a", "b"], "mean")
    groups = {g["name"]: g for g in param_groups(model, cfg)}
    assert groups["head"]["lr"] == pytest.approx(1e-3)
    assert groups["layer.1"]["lr"] == pytest.approx(1e-4)  # top layer: encoder lr
    assert groups["layer.0"]["lr"] == pytest.approx(5e-5)
    assert groups["embeddings"]["lr"] == pytest.approx(2.5e-5)
    # Every trainable parameter is in exactly one group.
    grouped = [id(p) for g in groups.values() for p in g["params"]]
    assert sorted(grouped) == sorted(id(p) for p in model.parameters())
    assert {id(p) for p in groups["head"]["params"]} == {id(p) for p in model.head.parameters()}
    # The optimiser really uses them.
    optimizer = torch.optim.AdamW(list(groups.values()))
    assert sorted(g["lr"] for g in optimizer.param_groups) == pytest.approx(
        [2.5e-5, 5e-5, 1e-4, 1e-3]
    )
    # Defaults: one learning rate everywhere (the old behaviour), also for CLS models.
    plain = param_groups(
        build_model(tiny_dir, ["a", "b"], "cls"), config(pooling="cls", head_init="none")
    )
    assert {g["lr"] for g in plain} == {5e-5}


def test_mean_model_saves_and_loads_with_its_head(tiny_dir: Path, tmp_path: Path) -> None:
    train, _validation, labels = splits()
    model = build_model(tiny_dir, labels, "mean")
    torch.nn.init.normal_(model.head.weight)
    classifier = TransformerClassifier(model, load_tokenizer(tiny_dir), labels, 32, 16, CPU, "mean")
    before = classifier.predict_proba(train.texts[:5])
    classifier.save(tmp_path / "saved")
    loaded = TransformerClassifier.load(tmp_path / "saved", CPU)
    assert isinstance(loaded.model, MeanPooledClassifier)
    np.testing.assert_allclose(loaded.predict_proba(train.texts[:5]), before, atol=1e-5)


def test_config_rejects_inconsistent_finetune_options() -> None:
    with pytest.raises(ConfigValidationError, match="frozen_lr needs pooling: mean"):
        config(pooling="cls")
    with pytest.raises(ConfigValidationError, match="layer_lr_decay"):
        config(layer_lr_decay=0.0)
    with pytest.raises(ConfigValidationError, match="pooling must be one of"):
        config(pooling="max")
    shipped = Path(__file__).resolve().parents[2] / "ml/configs/finetune.yaml"
    from supportlens.ml.config import load_config

    loaded = load_config(shipped)
    assert dataclasses.asdict(loaded)["head_init"] == "frozen_lr"
    assert 0 < loaded.encoder_learning_rate < loaded.learning_rate
