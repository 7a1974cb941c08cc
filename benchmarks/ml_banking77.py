"""BANKING77 benchmark: baseline vs fine-tuned MiniLM vs their cascade, on real data.

Builds `ml_training_examples` in a scratch DuckDB from ../shared/data/banking77/train.csv
(stratified, seeded 10 % test holdout; a stratified validation split from the rest),
trains through the same code path as `supportlens train`, then measures test accuracy,
macro-F1, training wall time and inference texts/s, and prints a markdown table.

    python benchmarks/ml_banking77.py                      # train both, then measure
    python benchmarks/ml_banking77.py --reuse              # measure models already trained
    python benchmarks/ml_banking77.py --reuse --transformer-dir DIR   # e.g. a checkpoint's best/

Scratch files go to --workdir (default /tmp/supportlens-ml-bench), never into the repo.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data" / "banking77" / "train.csv"


def build_warehouse(path: Path, test_fraction: float, validation_fraction: float, seed: int):
    import duckdb

    from supportlens.ml.data import stratified_holdout
    from supportlens.ml.tables import ensure_tables
    from supportlens.text import normalize_text

    frame = pd.read_csv(DATA)
    rest, test = stratified_holdout(frame["category"].tolist(), test_fraction, seed)
    split = np.array(["train"] * len(frame), dtype=object)
    split[test] = "test"
    rest_labels = frame["category"].iloc[rest].tolist()
    _keep, validation = stratified_holdout(rest_labels, validation_fraction, seed + 1)
    split[rest[validation]] = "validation"
    examples = pd.DataFrame(
        {
            "example_id": [f"b77-{i:05d}" for i in range(len(frame))],
            "source": "banking77",
            "label_set": "banking77",
            # As dbt writes it (text_normalized): registered models apply
            # normalize_text_v1 to what they are asked, so train and test on it too.
            "text": frame["text"].map(normalize_text),
            "label": frame["category"],
            "split": split,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as conn:
        conn.execute("create or replace table ml_training_examples as select * from examples")
        ensure_tables(conn)
    return examples


def fresh_workdir(workdir: Path) -> None:
    """Empty `workdir` and point the project's settings at it: the benchmark's own
    warehouse, model registry and embedding cache (set before supportlens is imported)."""
    shutil.rmtree(workdir, ignore_errors=True)
    os.environ["SUPPORTLENS_PATHS_WAREHOUSE"] = str(workdir / "warehouse.duckdb")
    os.environ["SUPPORTLENS_PATHS_REGISTRY_DIR"] = str(workdir / "models")
    os.environ["SUPPORTLENS_ML_EMBEDDING_CACHE_DIR"] = str(workdir / "embeddings")


def timed_proba(classifier, texts: list[str], repeats: int = 1) -> tuple[np.ndarray, float]:
    classifier.predict_proba(texts[:64])  # warm-up (lazy init, allocator)
    started = time.perf_counter()
    for _ in range(repeats):
        probabilities = classifier.predict_proba(texts)
    return probabilities, len(texts) * repeats / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/supportlens-ml-bench"))
    parser.add_argument("--reuse", action="store_true", help="use models already registered")
    parser.add_argument("--transformer-dir", type=Path, help="saved TransformerClassifier dir")
    parser.add_argument("--transformer-config", default=str(REPO / "ml/configs/minilm.yaml"))
    parser.add_argument("--skip-transformer", action="store_true")
    parser.add_argument("--validation-fraction", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=0, help="inference threads (0: all)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if not DATA.is_file():
        raise SystemExit(f"{DATA}: real BANKING77 data not found")

    os.environ["SUPPORTLENS_PATHS_WAREHOUSE"] = str(args.workdir / "warehouse.duckdb")
    os.environ["SUPPORTLENS_PATHS_REGISTRY_DIR"] = str(args.workdir / "models")
    import torch

    from supportlens.config import load_settings
    from supportlens.ml.baseline import TfidfLinearClassifier
    from supportlens.ml.cascade import CascadeClassifier
    from supportlens.ml.config import load_config
    from supportlens.ml.device import select_device
    from supportlens.ml.evaluation import evaluation_from_proba
    from supportlens.ml.registry import ModelMeta, list_versions, version_dir
    from supportlens.ml.training import train_and_register
    from supportlens.ml.transformer import TransformerClassifier
    from supportlens.warehouse import writer

    settings = load_settings()
    warehouse = settings.paths.warehouse
    if not (args.reuse and warehouse.exists()):
        build_warehouse(warehouse, 0.10, args.validation_fraction, seed=42)
    import duckdb

    with duckdb.connect(str(warehouse)) as conn:
        test = conn.execute(
            "select text, label from ml_training_examples where split = 'test' order by example_id"
        ).df()
    texts, gold = test["text"].tolist(), test["label"].tolist()

    def latest(model_type: str) -> tuple[Path, float] | None:
        for version in reversed(list_versions(settings)):
            directory = version_dir(settings, version)
            if ModelMeta.read(directory).model_type == model_type:
                card = json.loads((directory / "model_card.json").read_text())
                return directory, card["training_seconds"]
        return None

    train_seconds: dict[str, float] = {}
    found = latest("tfidf_linear") if args.reuse else None
    if found is None:
        with writer(settings) as conn:
            result = train_and_register(
                settings, conn, load_config(REPO / "ml/configs/baseline.yaml")
            )
        found = (result.directory, result.training_seconds)
    baseline_dir, train_seconds["baseline"] = found
    transformer_dir: Path | None = args.transformer_dir
    if transformer_dir is None and not args.skip_transformer:
        found = latest("transformer") if args.reuse else None
        if found is None:
            with writer(settings) as conn:
                result = train_and_register(
                    settings, conn, load_config(Path(args.transformer_config))
                )
            found = (result.directory, result.training_seconds)
        transformer_dir, train_seconds["transformer"] = found

    spec = select_device("auto", args.threads)
    torch.set_num_threads(spec.num_threads)
    baseline = TfidfLinearClassifier.load(baseline_dir)
    rows: list[tuple[str, float, float, str, float, str]] = []

    def measure(name: str, classifier, train_time: str, repeats: int = 1, note: str = "") -> float:
        probabilities, speed = timed_proba(classifier, texts, repeats)
        metrics = evaluation_from_proba(probabilities, classifier.labels, gold, "test").metrics
        rows.append((name, metrics["accuracy"], metrics["macro_f1"], train_time, speed, note))
        logging.info("measured %s acc=%.4f speed=%.0f", name, metrics["accuracy"], speed)
        return metrics["accuracy"]

    measure("TF-IDF + linear SVM", baseline, f"{train_seconds['baseline']:.0f} s", repeats=5)
    if transformer_dir is not None:
        t_time = train_seconds.get("transformer")
        t_label = f"{t_time / 60:.1f} min" if t_time else "n/a"
        fp32 = TransformerClassifier.load(transformer_dir, spec)
        measure("MiniLM-L6 fine-tuned (fp32)", fp32, t_label)
        int8 = TransformerClassifier.load(transformer_dir, spec, quantize=True)
        measure("MiniLM-L6 fine-tuned (int8 dynamic)", int8, t_label)
        both = f"{train_seconds['baseline']:.0f} s + {t_label}"
        for model, tag in ((fp32, "fp32"), (int8, "int8")):
            for threshold, weight in ((2.0, 0.5), (0.9, 1.0), (0.8, 1.0), (0.7, 1.0), (0.9, 0.5)):
                cascade = CascadeClassifier(baseline, model, threshold, weight)
                kind = "ensemble (all texts)" if threshold > 1 else f"cascade < {threshold}"
                cascade.predict_proba(texts)
                share = cascade.last_escalated / len(texts)
                measure(
                    f"{kind}, w={weight}, {tag}",
                    cascade,
                    both,
                    note=f"{share:.0%} to transformer",
                )

    print(
        f"\nBANKING77 real train.csv: {len(texts)} test texts (stratified 10 %, seed 42), "
        f"{spec.num_threads} threads, torch {torch.__version__}\n"
    )
    print("| model | accuracy | macro-F1 | train wall time | inference texts/s | note |")
    print("|---|---|---|---|---|---|")
    for name, acc, f1, train_time, speed, note in rows:
        print(f"| {name} | {acc:.2%} | {f1:.2%} | {train_time} | {speed:,.0f} | {note} |")


if __name__ == "__main__":
    main()
