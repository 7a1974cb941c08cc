"""BANKING77 held-out accuracy: fine-tuned MiniLM (ml/configs/finetune.yaml) vs the frozen
LR it starts from and the TF-IDF baseline, in one run.

The split is `benchmarks/ml_ensemble.py`'s (`benchmarks/ml_banking77.py:build_warehouse`,
seed 42: stratified 10 % test holdout of the real train.csv, 10 % of the rest validation).
Both models train through `supportlens train`'s code path (`train_and_register`) into a
scratch registry; the fine-tuning time includes encoding train for the frozen-LR head.
"frozen LR (step 0)" is the fine-tuned model's starting point scored on the same test texts:
the same fp32 embeddings (from the cache the run filled) and the same LR.

    nice python benchmarks/ml_finetune.py [--workdir /tmp/supportlens-ml-finetune]
        [--max-train-minutes 20]

Scratch files go to --workdir, never into the repo.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportlens-ml-finetune"))
    parser.add_argument("--config", default=str(REPO / "ml/configs/finetune.yaml"))
    parser.add_argument("--max-train-minutes", type=float, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    import ml_banking77 as bench  # a sibling script: benchmarks/ is sys.path[0]

    if not bench.DATA.is_file():
        raise SystemExit(f"{bench.DATA}: real BANKING77 data not found")
    bench.fresh_workdir(args.workdir)

    import duckdb
    import numpy as np

    from supportlens.config import load_settings
    from supportlens.ml.config import load_config, resolve_base_model
    from supportlens.ml.embedding_linear import build_encoder, fit_head
    from supportlens.ml.evaluation import evaluation_from_proba
    from supportlens.ml.registry import load_version
    from supportlens.ml.training import train_and_register
    from supportlens.warehouse import writer

    settings = load_settings()
    bench.build_warehouse(settings.paths.warehouse, 0.10, 0.10, seed=42)
    with duckdb.connect(str(settings.paths.warehouse), read_only=True) as conn:
        frame = conn.execute(
            "select text, label, split from ml_training_examples order by example_id"
        ).df()
    test = frame[frame["split"] == "test"]
    train = frame[frame["split"] == "train"]
    texts, gold = test["text"].tolist(), test["label"].tolist()
    rows: list[tuple[str, float, float, str, str]] = []

    def score(name: str, proba: np.ndarray, labels: list[str], wall: str, note: str) -> None:
        metrics = evaluation_from_proba(proba, labels, gold, "test").metrics
        rows.append((name, metrics["accuracy"], metrics["macro_f1"], wall, note))

    runs = (
        ("TF-IDF + calibrated linear SVM", REPO / "ml/configs/baseline.yaml", {}),
        (
            "fine-tuned MiniLM (finetune.yaml)",
            Path(args.config),
            {"max_train_minutes": args.max_train_minutes},
        ),
    )
    finetune_config = None
    for name, config_path, overrides in runs:
        started = time.perf_counter()
        config = load_config(config_path, {"label_set": "banking77", **overrides})
        with writer(settings) as conn:
            result = train_and_register(settings, conn, config)
        wall = time.perf_counter() - started
        predictor = load_version(settings, result.model_version)
        note = ""
        if config.model_type == "transformer":
            finetune_config = config
            details = result.card.get("training", {})
            note = f"training details: {details}"
        score(name, predictor.predict_proba(texts), predictor.labels, f"{wall:.0f} s", note)

    assert finetune_config is not None
    # The starting point: the same fp32 vectors (cache warm from the run) and the same LR.
    encoder = build_encoder(
        resolve_base_model(finetune_config.base_model, settings.ml.base_model),
        "torch_fp32",
        finetune_config.max_length,
        finetune_config.eval_batch_size,
        cache_root=args.workdir / "embeddings",
    )
    lr = fit_head(
        encoder.encode(train["text"].tolist()),
        train["label"].tolist(),
        finetune_config.embedding_c,
        finetune_config.seed,
    )
    score(
        "frozen MiniLM + LR (step 0 of the fine-tuning; train split only)",
        lr.predict_proba(encoder.encode(texts)),
        list(lr.classes_),
        "",
        "same embeddings and LR the head starts from",
    )

    base = rows[0][1]
    print(
        f"\nBANKING77 real train.csv, {len(texts)} held-out texts (stratified 10 %, seed 42), "
        "validation 10 % of the rest; fine-tuning wall time includes encoding train\n"
    )
    print("| model | accuracy | vs TF-IDF | macro-F1 | train wall time | note |")
    print("|---|---|---|---|---|---|")
    for name, acc, f1, wall, note in rows:
        print(f"| {name} | {acc:.2%} | {100 * (acc - base):+.2f} pt | {f1:.2%} | {wall} | {note} |")


if __name__ == "__main__":
    main()
